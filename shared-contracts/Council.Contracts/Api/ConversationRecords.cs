using Council.Contracts.Messages;

namespace Council.Contracts.Api;

/// <summary>An entry of <c>GET /api/conversations</c>, newest first.</summary>
/// <param name="RunningRunId">The newest run of the conversation that is still going, if any: a page opened mid-run lands on it.</param>
public sealed record ConversationSummary(string Id, string Title, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, int Runs, string? RunningRunId = null);

/// <summary><c>GET /api/conversations/{id}</c>: a conversation with all its runs, oldest first.</summary>
public sealed record ConversationDetail(string Id, string Title, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, IReadOnlyList<StoredRun> Runs);

/// <summary>Body of <c>PATCH /api/conversations/{id}</c>.</summary>
public sealed record RenameConversationRequest(string Title);

/// <summary>A run as stored: written as it goes, each model's output as it completes.</summary>
/// <param name="Status">"running", "ok", "cancelled", "failed" or "interrupted" (the server stopped during the run, or the node running it was lost).</param>
/// <param name="LastSeq">The seq of the last stored event; <c>resume_run</c> replays up to it.</param>
/// <param name="BestAnswer">The model whose answer the user picked as the best (<c>PUT /api/runs/{id}/best-answer</c>), if any.</param>
public sealed record StoredRun(
    string RunId,
    string ConversationId,
    string Prompt,
    string Workflow,
    IReadOnlyList<string> Models,
    RunStatus Status,
    string? Final,
    string? Error,
    IReadOnlyList<AggregateRanking>? AggregateRankings,
    RunMetrics? Metrics,
    long LastSeq,
    DateTimeOffset CreatedAt,
    DateTimeOffset? CompletedAt,
    IReadOnlyList<StoredModelOutput> Outputs,
    string? BestAnswer = null);

/// <summary>One model's output in one stage, as its <c>model_complete</c> said.</summary>
public sealed record StoredModelOutput(
    int Stage,
    string Model,
    ModelStatus Status,
    string Text,
    string? Error,
    long? TtftMs,
    long DurationMs,
    Usage? Usage,
    IReadOnlyList<string>? Ranking);
