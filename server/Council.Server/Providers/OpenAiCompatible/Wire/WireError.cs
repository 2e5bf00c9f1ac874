using System.Text.Json;

namespace Council.Server.Providers.OpenAiCompatible.Wire;

/// <summary>
/// An error object: <c>{"error": {"message", "type", "code"}}</c> as a response body, or in a <c>data:</c> line.
/// <see cref="Code"/> is a string at OpenAI and a number at OpenRouter, so it stays a raw element.
/// </summary>
public sealed record WireError
{
    public string? Message { get; init; }

    public string? Type { get; init; }

    public JsonElement? Code { get; init; }

    /// <summary>The code as text, whichever JSON type it came as; falls back to <see cref="Type"/>.</summary>
    public string? CodeText() => Code switch
    {
        { ValueKind: JsonValueKind.String } c => c.GetString(),
        { ValueKind: JsonValueKind.Number } c => c.GetRawText(),
        _ => Type,
    };

    public static WireError Of(string message, string? code, string? type = null) => new()
    {
        Message = message,
        Type = type,
        Code = code is null ? null : JsonSerializer.SerializeToElement(code, OpenAiJsonContext.Default.String),
    };
}

/// <summary>A response body that carries only an error.</summary>
public sealed record ErrorBody(WireError? Error);
