using System.Text.Json.Serialization;

namespace Council.Server.Providers.OpenAiCompatible.Wire;

/// <summary>A whole, non-streamed chat completion (<c>"object": "chat.completion"</c>).</summary>
public sealed record ChatCompletion
{
    public string? Id { get; init; }

    /// <summary>The <c>object</c> field: "chat.completion" or "chat.completion.chunk".</summary>
    [JsonPropertyName("object")]
    public string? ObjectType { get; init; }

    public long? Created { get; init; }

    public string? Model { get; init; }

    public IReadOnlyList<CompletionChoice>? Choices { get; init; }

    public WireUsage? Usage { get; init; }
}

/// <summary>A choice of a whole completion.</summary>
public sealed record CompletionChoice
{
    public int Index { get; init; }

    public CompletionMessage? Message { get; init; }

    public string? FinishReason { get; init; }
}

/// <summary>The assistant's message of a whole completion.</summary>
public sealed record CompletionMessage
{
    public string? Role { get; init; }

    public string? Content { get; init; }

    public string? Reasoning { get; init; }

    public string? ReasoningContent { get; init; }
}
