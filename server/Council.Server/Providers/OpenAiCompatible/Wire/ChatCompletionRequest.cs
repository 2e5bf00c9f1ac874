using System.Text.Json;

namespace Council.Server.Providers.OpenAiCompatible.Wire;

/// <summary>The body of <c>POST /chat/completions</c>, as far as Council sends or serves it.</summary>
public sealed record ChatCompletionRequest
{
    public string? Model { get; init; }

    public IReadOnlyList<WireMessage>? Messages { get; init; }

    public bool? Stream { get; init; }

    public StreamOptions? StreamOptions { get; init; }
}

/// <summary><c>stream_options</c>: asks for a final chunk carrying the usage.</summary>
public sealed record StreamOptions(bool IncludeUsage);

/// <summary>
/// A chat message. <see cref="Content"/> is a string on the way out; on the way in it may also be an
/// array of parts (<c>[{"type":"text","text":"…"}]</c>), so it stays a raw element.
/// </summary>
public sealed record WireMessage(string Role, JsonElement Content)
{
    public static WireMessage Text(string role, string text) => new(role, JsonSerializer.SerializeToElement(text, OpenAiJsonContext.Default.String));

    /// <summary>The text of <see cref="Content"/>: the string itself, or the text parts joined.</summary>
    public string ContentText() => Content.ValueKind switch
    {
        JsonValueKind.String => Content.GetString() ?? "",
        JsonValueKind.Array => string.Concat(Content.EnumerateArray()
            .Where(p => p.ValueKind == JsonValueKind.Object && p.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String)
            .Select(p => p.GetProperty("text").GetString())),
        _ => "",
    };
}
