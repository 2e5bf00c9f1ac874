namespace Council.Server.Leaderboard;

/// <summary>What the leaderboard reads of one finished run: who was ranked where, the user's pick, and every call.</summary>
/// <param name="AnswerStage">The stage whose outputs are answers (a workflow that starts with an answers stage: 0), or null.</param>
/// <param name="AggregateRanking">The council's aggregate ranking, best first (empty without a review).</param>
public sealed record LeaderboardRun(
    string RunId,
    int? AnswerStage,
    IReadOnlyList<string> AggregateRanking,
    string? BestAnswer,
    IReadOnlyList<LeaderboardCall> Calls);

/// <summary>One model call of a run, as its <c>model_complete</c> said.</summary>
/// <param name="Ranking">A review's ranking, best first; null for other calls.</param>
public sealed record LeaderboardCall(
    int Stage,
    string Model,
    string Status,
    long? TtftMs,
    long DurationMs,
    int? CompletionTokens,
    decimal? Cost,
    IReadOnlyList<string>? Ranking);
