using System.Text.Json.Serialization;

namespace Council.Server.Providers.OpenAiCompatible.Wire;

/// <summary>One <c>data:</c> event of a streamed chat completion (<c>"object": "chat.completion.chunk"</c>).</summary>
public sealed record ChatCompletionChunk
{
    public string? Id { get; init; }

    /// <summary>The <c>object</c> field: "chat.completion" or "chat.completion.chunk".</summary>
    [JsonPropertyName("object")]
    public string? ObjectType { get; init; }

    public long? Created { get; init; }

    public string? Model { get; init; }

    public IReadOnlyList<ChunkChoice>? Choices { get; init; }

    /// <summary>Present in the last chunk when usage was asked for (OpenRouter adds <c>cost</c>).</summary>
    public WireUsage? Usage { get; init; }

    /// <summary>OpenRouter's way to fail a stream that has already started.</summary>
    public WireError? Error { get; init; }
}

/// <summary>A choice of a chunk; Council asks for one.</summary>
public sealed record ChunkChoice
{
    public int Index { get; init; }

    public ChunkDelta? Delta { get; init; }

    /// <summary>"stop", "length", "content_filter", "tool_calls", "error"; null until the last chunk.</summary>
    public string? FinishReason { get; init; }
}

/// <summary>What a chunk adds to the message.</summary>
public sealed record ChunkDelta
{
    public string? Role { get; init; }

    public string? Content { get; init; }

    /// <summary>Reasoning text (OpenRouter).</summary>
    public string? Reasoning { get; init; }

    /// <summary>Reasoning text (DeepSeek, vLLM, llama.cpp).</summary>
    public string? ReasoningContent { get; init; }
}
