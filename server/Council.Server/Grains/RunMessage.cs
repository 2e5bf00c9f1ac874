using Council.Server.Providers;

namespace Council.Server.Grains;

/// <summary>What a run grain's mailbox holds: commands and provider output, handled one at a time.</summary>
internal abstract record RunMessage;

internal sealed record StartMessage : RunMessage;

/// <param name="RequestedAt">When the hub posted it (timestamp): cancel-to-complete includes the wait in the mailbox.</param>
internal sealed record CancelModelMessage(string Model, int? Stage, TaskCompletionSource<bool> Reply, long RequestedAt) : RunMessage;

internal sealed record CancelRunMessage(TaskCompletionSource<bool> Reply) : RunMessage;

/// <summary>A chunk from the provider serving call <paramref name="CallId"/>.</summary>
internal sealed record ChunkMessage(int CallId, LlmChunk Chunk) : RunMessage;

/// <summary>The provider's stream of call <paramref name="CallId"/> ended; <paramref name="Error"/> is null on success.</summary>
internal sealed record CallEndedMessage(int CallId, Exception? Error) : RunMessage;

/// <summary>The batching window of call <paramref name="CallId"/> closed: send its merged deltas.</summary>
internal sealed record FlushMessage(int CallId) : RunMessage;

/// <summary>The web search returned: results, or the reason it failed.</summary>
internal sealed record SearchDoneMessage(IReadOnlyList<Contracts.Messages.SearchResult> Results, string? Error) : RunMessage;

/// <summary>Storage stopped taking writes: the run ends failed with <paramref name="Reason"/>.</summary>
internal sealed record StorageFailedMessage(string Reason) : RunMessage;

/// <summary>A periodic tick: heartbeats and first-token / stall timeouts.</summary>
internal sealed record TickMessage : RunMessage
{
    public static readonly TickMessage Instance = new();
}
