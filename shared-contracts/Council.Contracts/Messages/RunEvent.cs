namespace Council.Contracts.Messages;

/// <summary>Every server-to-client message: one entry of a run's event log.</summary>
/// <param name="RunId">The run this event belongs to.</param>
/// <param name="Seq">1, 2, 3, … per run, with no gaps.</param>
public abstract record RunEvent(string RunId, long Seq);

/// <summary><c>stage_progress</c>: a stage started, a model finished, the stage ended, or a heartbeat.</summary>
public sealed record StageProgressEvent(
    string RunId,
    long Seq,
    int Stage,
    string Name,
    StageStatus Status,
    int Completed,
    int Total,
    long ElapsedMs,
    IReadOnlyList<string> CompletedModels,
    IReadOnlyList<string> PendingModels,
    string? FastestModel = null,
    long? FastestLatencyMs = null) : RunEvent(RunId, Seq);

/// <summary><c>model_start</c>: a model call of a stage began.</summary>
public sealed record ModelStartEvent(string RunId, long Seq, int Stage, string Model) : RunEvent(RunId, Seq);

/// <summary><c>token</c>: the next piece of a model's text in a stage.</summary>
public sealed record TokenEvent(string RunId, long Seq, int Stage, string Model, string Delta) : RunEvent(RunId, Seq);

/// <summary><c>model_complete</c>: a model call ended, with all its text.</summary>
/// <param name="Ranking">Review stage: model ids in the order this reviewer ranked them.</param>
/// <param name="Reviewed">False for an answer that came in after a quorum let the reviews start without it.</param>
public sealed record ModelCompleteEvent(
    string RunId,
    long Seq,
    int Stage,
    string Model,
    ModelStatus Status,
    string Text,
    string? Error,
    long? TtftMs,
    long DurationMs,
    Usage? Usage,
    IReadOnlyList<string>? Ranking = null,
    bool? Reviewed = null) : RunEvent(RunId, Seq);

/// <summary><c>search_results</c>: web search results for a run that asked for them, sent as soon as the search returns.</summary>
/// <param name="Error">Why the search failed (the run goes on without it); absent on success.</param>
public sealed record SearchResultsEvent(string RunId, long Seq, int Stage, IReadOnlyList<SearchResult> Results, string? Error = null) : RunEvent(RunId, Seq);

/// <summary><c>run_complete</c>: the run ended; nothing follows.</summary>
public sealed record RunCompleteEvent(
    string RunId,
    long Seq,
    RunStatus Status,
    string? Final,
    string? Error,
    IReadOnlyList<AggregateRanking>? AggregateRankings,
    RunMetrics Metrics) : RunEvent(RunId, Seq);
