namespace Council.Server.Providers;

/// <summary>One piece of a provider's stream.</summary>
public abstract record LlmChunk;

/// <summary>Answer text.</summary>
public sealed record TextChunk(string Text) : LlmChunk
{
    /// <summary>When the model emitted it (a <see cref="TimeProvider"/> timestamp), where the provider knows; else 0.</summary>
    public long EmittedAt { get; init; }

    /// <summary>Chunks are equal by their text: the emission time is a measurement, not content.</summary>
    public bool Equals(TextChunk? other) => other is not null && Text == other.Text;

    public override int GetHashCode() => Text.GetHashCode(StringComparison.Ordinal);
}

/// <summary>Reasoning text, kept apart from the answer.</summary>
public sealed record ReasoningChunk(string Text) : LlmChunk;

/// <summary>Token counts (and cost) reported by the provider, usually at the end.</summary>
public sealed record UsageChunk(int PromptTokens, int CompletionTokens, decimal? Cost) : LlmChunk;

/// <summary>Why the provider stopped ("stop", "length", "content_filter", "error").</summary>
public sealed record FinishChunk(string Reason) : LlmChunk;

/// <summary>A sign of life with no content (an SSE comment line); resets stall detection.</summary>
public sealed record KeepAliveChunk : LlmChunk
{
    public static readonly KeepAliveChunk Instance = new();
}
