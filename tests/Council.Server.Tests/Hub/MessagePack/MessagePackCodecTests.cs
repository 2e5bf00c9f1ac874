using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Council.Server.Hub.MessagePack;

namespace Council.Server.Tests.Hub.MessagePack;

/// <summary>
/// The MessagePack reader, writer and JSON transcoder against the byte vectors of <c>@msgpack/msgpack</c>: every
/// integer width and sign, float 32 and 64, strings at every header boundary in 1- to 4-byte UTF-8, nil, booleans,
/// arrays and maps at their boundaries, nested values and contract-shaped objects.
/// </summary>
public class MessagePackCodecTests
{
    private static IEnumerable<TestCaseData> AllValues() => MessagePackVectors.Values();

    private static IEnumerable<TestCaseData> JsonEncodableValues() => MessagePackVectors.Values(v => !MessagePackVectors.IsFloat32(v));

    private static IEnumerable<TestCaseData> Scalars() => MessagePackVectors.Values(v =>
        v.TryGetProperty("value", out var value) && value.ValueKind is not (JsonValueKind.Array or JsonValueKind.Object));

    [TestCaseSource(nameof(AllValues))]
    public void Decoding_GivesTheValueMsgpackJsEncoded(JsonElement vector)
    {
        var bytes = MessagePackVectors.Encoding(vector);
        ToJson(bytes).ShouldBeEquivalentTo(MessagePackVectors.ValueJson(vector), MessagePackVectors.IsFloat32(vector));
    }

    [TestCaseSource(nameof(AllValues))]
    public void Skipping_ConsumesExactlyTheValue(JsonElement vector)
    {
        var bytes = MessagePackVectors.Encoding(vector);
        var reader = new MessagePackReader(bytes, 64);
        reader.ReadRaw(1).Length.ShouldBe(bytes.Length);
        reader.End.ShouldBeTrue();
    }

    [TestCaseSource(nameof(JsonEncodableValues))]
    public void EncodingFromJson_GivesTheBytesMsgpackJsWrites(JsonElement vector)
    {
        using var output = new PooledBufferWriter(16);
        MessagePackJson.WriteMessagePack(Encoding.UTF8.GetBytes(MessagePackVectors.ValueJson(vector)), output);
        output.WrittenSpan.ShouldBeEncodingOf(vector);
    }

    [TestCaseSource(nameof(JsonEncodableValues))]
    public void EncodingFromHtmlSafeEscapedJson_GivesTheSameBytes(JsonElement vector)
    {
        // The default encoder escapes every non-ASCII character and <>&'+: all of it must be undone exactly.
        using var document = JsonDocument.Parse(MessagePackVectors.ValueJson(vector));
        var escaped = JsonSerializer.SerializeToUtf8Bytes(document.RootElement, new JsonSerializerOptions { Encoder = JavaScriptEncoder.Default });
        using var output = new PooledBufferWriter(16);
        MessagePackJson.WriteMessagePack(escaped, output);
        output.WrittenSpan.ShouldBeEncodingOf(vector);
    }

    [TestCaseSource(nameof(Scalars))]
    public void WritingEachScalar_GivesTheBytesMsgpackJsWrites(JsonElement vector)
    {
        var value = vector.GetProperty("value");
        using var output = new PooledBufferWriter(16);
        var writer = new MessagePackWriter(output);
        switch (value.ValueKind)
        {
            case JsonValueKind.Number when MessagePackVectors.IsFloat32(vector):
                writer.WriteSingle(value.GetSingle());
                break;
            case JsonValueKind.Number when value.TryGetInt64(out var integer):
                writer.WriteInt64(integer);
                break;
            case JsonValueKind.Number:
                writer.WriteDouble(value.GetDouble());
                break;
            case JsonValueKind.String:
                writer.WriteString(value.GetString());
                break;
            case JsonValueKind.True or JsonValueKind.False:
                writer.WriteBoolean(value.GetBoolean());
                break;
            default:
                writer.WriteNil();
                break;
        }
        output.WrittenSpan.ShouldBeEncodingOf(vector);
    }

    [TestCaseSource(nameof(Scalars))]
    public void ReadingEachScalar_GivesItsValue(JsonElement vector)
    {
        var value = vector.GetProperty("value");
        var reader = new MessagePackReader(MessagePackVectors.Encoding(vector), 64);
        switch (value.ValueKind)
        {
            case JsonValueKind.Number when MessagePackVectors.IsFloat32(vector):
                reader.ReadSingle().ShouldBe(value.GetSingle());
                break;
            case JsonValueKind.Number when value.TryGetInt64(out var integer):
                reader.ReadInt64().ShouldBe(integer);
                break;
            case JsonValueKind.Number:
                reader.ReadDouble().ShouldBe(value.GetDouble());
                break;
            case JsonValueKind.String:
                reader.ReadString().ShouldBe(value.GetString());
                break;
            case JsonValueKind.True or JsonValueKind.False:
                reader.ReadBoolean().ShouldBe(value.GetBoolean());
                break;
            default:
                reader.TryReadNil().ShouldBeTrue();
                break;
        }
        reader.End.ShouldBeTrue();
    }

    // Beyond what a JavaScript number holds exactly, so written from the MessagePack spec rather than by msgpack-js.
    [TestCase(long.MinValue, "d38000000000000000")]
    [TestCase(long.MaxValue, "cf7fffffffffffffff")]
    [TestCase(-9007199254740993, "d3ffdfffffffffffff")]
    [TestCase(9007199254740993, "cf0020000000000001")]
    [TestCase(int.MinValue, "d280000000")]
    [TestCase(uint.MaxValue, "ceffffffff")]
    public void SixtyFourBitIntegers_RoundTripExactly(long value, string hex)
    {
        using var output = new PooledBufferWriter(16);
        new MessagePackWriter(output).WriteInt64(value);
        Convert.ToHexStringLower(output.WrittenSpan).ShouldBe(hex);
        new MessagePackReader(output.WrittenSpan, 64).ReadInt64().ShouldBe(value);
        ToJson(output.WrittenSpan.ToArray()).ShouldBe(value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        FromJson(value.ToString(System.Globalization.CultureInfo.InvariantCulture)).ShouldBe(hex);
    }

    [Test]
    public void UInt64Max_RoundTripsExactly()
    {
        using var output = new PooledBufferWriter(16);
        new MessagePackWriter(output).WriteUInt64(ulong.MaxValue);
        Convert.ToHexStringLower(output.WrittenSpan).ShouldBe("cfffffffffffffffff");
        ToJson(output.WrittenSpan.ToArray()).ShouldBe("18446744073709551615");
        FromJson("18446744073709551615").ShouldBe("cfffffffffffffffff");
        Should.Throw<InvalidDataException>(() => new MessagePackReader(output.WrittenSpan, 64).ReadInt64());
    }

    [TestCase("d2ffffffff", -1)]
    [TestCase("d100ff", 255)]
    [TestCase("cf0000000000000005", 5)]
    public void NonMinimalIntegers_AreAccepted(string hex, long expected) =>
        new MessagePackReader(Convert.FromHexString(hex), 64).ReadInt64().ShouldBe(expected);

    [Test]
    public void Int32_RefusesWhatDoesNotFit() =>
        Should.Throw<InvalidDataException>(() => new MessagePackReader(Convert.FromHexString("ce80000000"), 64).ReadInt32())
            .Message.ShouldContain("does not fit in 32 bits");

    [Test]
    public void UnpairedSurrogates_BecomeTheReplacementCharacter()
    {
        const string lone = "a\ud800b\udc00";
        using var direct = new PooledBufferWriter(16);
        new MessagePackWriter(direct).WriteString(lone);
        var expected = "a8" + "61efbfbd62efbfbd";
        Convert.ToHexStringLower(direct.WrittenSpan).ShouldBe(expected);
        FromJson(JsonSerializer.Serialize(lone)).ShouldBe(expected);
    }

    [TestCase(@"""\""\\\/\b\f\n\r\t""", "\"\\/\b\f\n\r\t")]
    [TestCase(@"""\u00e9\u20ac\ud83d\ude00""", "é€😀")]
    [TestCase(@"""x\u0000y""", "x\0y")]
    [TestCase(@"""\uDE00\uD83D""", "\ufffd\ufffd")]
    public void JsonEscapes_AreUndone(string json, string expected) =>
        FromJson(json).ShouldBe(Hex(w => w.WriteString(expected)));

    [TestCase("ca7fc00000", "NaN")]
    [TestCase("cb7ff0000000000000", "Infinity")]
    [TestCase("81 01 02", "keys must be strings")]
    [TestCase("d4 01 00", "no JSON equivalent")]
    public void ValuesJsonCannotCarry_AreRefused(string hex, string message) =>
        Should.Throw<InvalidDataException>(() => ToJson(Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal))))
            .Message.ShouldContain(message);

    [Test]
    public void ContainersThatOutgrowTheirOneByteHeader_MakeRoomForALongerOne()
    {
        // Headers are written when a container opens and filled in when it closes: containers of 16 and 65,536
        // elements, holding others that already closed, and nesting deeper than the stack space for open ones.
        var wide = Enumerable.Range(0, 17).Select(i => new Dictionary<string, object> { ["i"] = i, ["many"] = Enumerable.Range(0, 300).ToArray() }).ToArray();
        var json = JsonSerializer.Serialize(new object[] { wide, Enumerable.Repeat("x", 65_536), "end" });
        var deep = string.Concat(Enumerable.Repeat("[", 200)) + "1" + string.Concat(Enumerable.Repeat("]", 200));
        foreach (var text in new[] { json, deep })
        {
            using var output = new PooledBufferWriter(16);
            MessagePackJson.WriteMessagePack(Encoding.UTF8.GetBytes(text), output);
            ToJson(output.WrittenSpan.ToArray()).ShouldBeEquivalentTo(text);
        }
    }

    [Test]
    public void Binary_BecomesBase64() => ToJson(Convert.FromHexString("c403010203")).ShouldBe("\"AQID\"");

    [Test]
    public void Float32_IsWrittenAsItsShortestText() => ToJson(Convert.FromHexString("ca3f8ccccd")).ShouldBe("1.1");

    private static string ToJson(byte[] msgpack)
    {
        var output = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(output))
        {
            var reader = new MessagePackReader(msgpack, 64);
            MessagePackJson.WriteJson(ref reader, json);
            reader.End.ShouldBeTrue();
        }
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    private static string FromJson(string json)
    {
        using var output = new PooledBufferWriter(16);
        MessagePackJson.WriteMessagePack(Encoding.UTF8.GetBytes(json), output);
        return Convert.ToHexStringLower(output.WrittenSpan);
    }

    private delegate void Write(MessagePackWriter writer);

    private static string Hex(Write write)
    {
        using var output = new PooledBufferWriter(16);
        write(new MessagePackWriter(output));
        return Convert.ToHexStringLower(output.WrittenSpan);
    }
}
