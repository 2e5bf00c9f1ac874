using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text.Json;

namespace Council.Server.Tests.Hub.MessagePack;

/// <summary>
/// The fixture <c>msgpack-vectors.json</c>, written by <c>tests/node/msgpack/make-vectors.mjs</c> from
/// <c>@msgpack/msgpack</c> and <c>@microsoft/signalr-protocol-msgpack</c> (and checked against them by
/// <c>tests/node/msgpack/vectors.test.mjs</c>). It is read from beside this source file.
/// </summary>
internal static class MessagePackVectors
{
    private static readonly Lazy<JsonDocument> Fixture = new(() => JsonDocument.Parse(File.ReadAllText(FixturePath())));

    public static IEnumerable<TestCaseData> Values(Func<JsonElement, bool>? where = null) =>
        Cases("values", where);

    public static IEnumerable<TestCaseData> ClientFrames() => Cases("clientFrames");

    public static IEnumerable<TestCaseData> ServerFrames() => Cases("serverFrames");

    /// <summary>A value's JSON text: stored whole, or rebuilt from its <c>repeat</c> recipe.</summary>
    public static string ValueJson(JsonElement vector)
    {
        if (!vector.TryGetProperty("repeat", out var repeat))
        {
            return vector.GetProperty("value").GetRawText();
        }
        var unit = repeat.GetProperty("unit");
        var times = repeat.GetProperty("times").GetInt32();
        return repeat.TryGetProperty("kind", out var kind) && kind.GetString() == "array"
            ? $"[{string.Join(',', Enumerable.Repeat(unit.GetRawText(), times))}]"
            : JsonSerializer.Serialize(string.Concat(Enumerable.Repeat(unit.GetString(), times)));
    }

    /// <summary>Asserts <paramref name="actual"/> is the vector's encoding (whole, or by head, length and SHA-256).</summary>
    public static void ShouldBeEncodingOf(this ReadOnlySpan<byte> actual, JsonElement vector)
    {
        if (vector.TryGetProperty("msgpack", out var whole))
        {
            Convert.ToHexStringLower(actual).ShouldBe(whole.GetString());
            return;
        }
        actual.Length.ShouldBe(vector.GetProperty("msgpackLength").GetInt32());
        Convert.ToHexStringLower(actual[..8]).ShouldBe(vector.GetProperty("msgpackHead").GetString());
        Convert.ToHexStringLower(SHA256.HashData(actual)).ShouldBe(vector.GetProperty("msgpackSha256").GetString());
    }

    /// <summary>The vector's encoded bytes: stored whole, or rebuilt for long strings and arrays from the header and recipe.</summary>
    public static byte[] Encoding(JsonElement vector)
    {
        if (vector.TryGetProperty("msgpack", out var whole))
        {
            return Convert.FromHexString(whole.GetString()!);
        }
        // Long values are a header then repeated units; the head gives the header, the recipe the rest.
        var repeat = vector.GetProperty("repeat");
        var length = vector.GetProperty("msgpackLength").GetInt32();
        var unit = repeat.TryGetProperty("kind", out _)
            ? [(byte)repeat.GetProperty("unit").GetInt32()]
            : System.Text.Encoding.UTF8.GetBytes(repeat.GetProperty("unit").GetString()!);
        var times = repeat.GetProperty("times").GetInt32();
        var header = Convert.FromHexString(vector.GetProperty("msgpackHead").GetString()!)[..(length - unit.Length * times)];
        var bytes = header.Concat(Enumerable.Repeat(unit, times).SelectMany(u => u)).ToArray();
        ((ReadOnlySpan<byte>)bytes).ShouldBeEncodingOf(vector);
        return bytes;
    }

    public static bool IsFloat32(JsonElement vector) => vector.TryGetProperty("float32", out var f) && f.GetBoolean();

    /// <summary>
    /// Whether two JSON values say the same thing: numbers by value (as float 32 when <paramref name="float32"/>),
    /// objects whatever the order of their properties.
    /// </summary>
    public static bool Equivalent(JsonElement a, JsonElement b, bool float32 = false)
    {
        if (a.ValueKind != b.ValueKind)
        {
            return false;
        }
        switch (a.ValueKind)
        {
            case JsonValueKind.Number:
                if (a.TryGetInt64(out var x) && b.TryGetInt64(out var y))
                {
                    return x == y;
                }
                return float32 ? (float)a.GetDouble() == (float)b.GetDouble() : a.GetDouble() == b.GetDouble();
            case JsonValueKind.String:
                return a.GetString() == b.GetString();
            case JsonValueKind.Array:
                return a.GetArrayLength() == b.GetArrayLength()
                    && a.EnumerateArray().Zip(b.EnumerateArray()).All(p => Equivalent(p.First, p.Second, float32));
            case JsonValueKind.Object:
                var left = a.EnumerateObject().ToList();
                return left.Count == b.EnumerateObject().Count()
                    && left.All(p => b.TryGetProperty(p.Name, out var other) && Equivalent(p.Value, other, float32));
            default:
                return true;
        }
    }

    public static void ShouldBeEquivalentTo(this string actualJson, string expectedJson, bool float32 = false)
    {
        var deep = new JsonDocumentOptions { MaxDepth = 1024 };
        using var actual = JsonDocument.Parse(actualJson, deep);
        using var expected = JsonDocument.Parse(expectedJson, deep);
        Equivalent(actual.RootElement, expected.RootElement, float32).ShouldBeTrue($"{actualJson} is not {expectedJson}");
    }

    private static IEnumerable<TestCaseData> Cases(string section, Func<JsonElement, bool>? where = null) =>
        Fixture.Value.RootElement.GetProperty(section).EnumerateArray()
            .Where(v => where?.Invoke(v) ?? true)
            .Select(v => new TestCaseData(v).SetArgDisplayNames(v.GetProperty("name").GetString()!));

    private static string FixturePath([CallerFilePath] string source = "") =>
        Path.Combine(Path.GetDirectoryName(source)!, "msgpack-vectors.json");
}
