using MessagePack;

namespace Council.Contracts.Messages;

/// <summary>Every server-to-client message: one entry of a run's event log.</summary>
/// <param name="RunId">The run this event belongs to.</param>
/// <param name="Seq">1, 2, 3, … per run, with no gaps.</param>
[MessagePackObject]
public abstract record RunEvent(
    [property: Key("runId")] string RunId,
    [property: Key("seq")] long Seq);

/// <summary><c>stage_progress</c>: a stage started, a model finished, the stage ended, or a heartbeat.</summary>
[MessagePackObject]
public sealed record StageProgressEvent(
    string RunId,
    long Seq,
    [property: Key("stage")] int Stage,
    [property: Key("name")] string Name,
    [property: Key("status")] StageStatus Status,
    [property: Key("completed")] int Completed,
    [property: Key("total")] int Total,
    [property: Key("elapsedMs")] long ElapsedMs,
    [property: Key("completedModels")] IReadOnlyList<string> CompletedModels,
    [property: Key("pendingModels")] IReadOnlyList<string> PendingModels,
    [property: Key("fastestModel")] string? FastestModel = null,
    [property: Key("fastestLatencyMs")] long? FastestLatencyMs = null) : RunEvent(RunId, Seq);

/// <summary><c>model_start</c>: a model call of a stage began.</summary>
[MessagePackObject]
public sealed record ModelStartEvent(
    string RunId,
    long Seq,
    [property: Key("stage")] int Stage,
    [property: Key("model")] string Model) : RunEvent(RunId, Seq);

/// <summary><c>token</c>: the next piece of a model's text in a stage.</summary>
/// <param name="Delta">Answer text; empty in an event that carries only reasoning.</param>
/// <param name="Reasoning">The next piece of the model's reasoning (thinking shown apart from the answer), where the
/// provider streams it; absent otherwise. Concatenated in seq order, as the deltas are.</param>
[MessagePackObject]
public sealed record TokenEvent(
    string RunId,
    long Seq,
    [property: Key("stage")] int Stage,
    [property: Key("model")] string Model,
    [property: Key("delta")] string Delta,
    [property: Key("reasoning")] string? Reasoning = null) : RunEvent(RunId, Seq);

/// <summary><c>model_complete</c>: a model call ended, with all its text.</summary>
/// <param name="Ranking">Review stage: model ids in the order this reviewer ranked them.</param>
/// <param name="Reviewed">False for an answer that came in after a quorum let the reviews start without it.</param>
[MessagePackObject]
public sealed record ModelCompleteEvent(
    string RunId,
    long Seq,
    [property: Key("stage")] int Stage,
    [property: Key("model")] string Model,
    [property: Key("status")] ModelStatus Status,
    [property: Key("text")] string Text,
    [property: Key("error")] string? Error,
    [property: Key("ttftMs")] long? TtftMs,
    [property: Key("durationMs")] long DurationMs,
    [property: Key("usage")] Usage? Usage,
    [property: Key("ranking")] IReadOnlyList<string>? Ranking = null,
    [property: Key("reviewed")] bool? Reviewed = null) : RunEvent(RunId, Seq);

/// <summary><c>search_results</c>: web search results for a run that asked for them, sent as soon as the search returns.</summary>
/// <param name="Error">Why the search failed (the run goes on without it); absent on success.</param>
[MessagePackObject]
public sealed record SearchResultsEvent(
    string RunId,
    long Seq,
    [property: Key("stage")] int Stage,
    [property: Key("results")] IReadOnlyList<SearchResult> Results,
    [property: Key("error")] string? Error = null) : RunEvent(RunId, Seq);

/// <summary><c>run_complete</c>: the run ended; nothing follows.</summary>
[MessagePackObject]
public sealed record RunCompleteEvent(
    string RunId,
    long Seq,
    [property: Key("status")] RunStatus Status,
    [property: Key("final")] string? Final,
    [property: Key("error")] string? Error,
    [property: Key("aggregateRankings")] IReadOnlyList<AggregateRanking>? AggregateRankings,
    [property: Key("metrics")] RunMetrics Metrics) : RunEvent(RunId, Seq);
