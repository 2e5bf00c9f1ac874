namespace Council.Contracts.Api;

/// <summary>
/// <c>GET /api/leaderboard</c>: the models ranked by the council's own votes across the user's finished runs, and
/// beside that by the user's "Best answer" picks.
/// </summary>
/// <param name="Runs">Finished runs that matched the filter.</param>
/// <param name="Picks">Those runs with a best answer picked by the user.</param>
/// <param name="AgreementRuns">Runs with both a pick and the council's aggregate ranking.</param>
/// <param name="CouncilAgreement">Of <paramref name="AgreementRuns"/>, the share where the council's top-ranked answer is the one the user picked (0 to 1).</param>
/// <param name="Models">Best council Elo first.</param>
public sealed record LeaderboardReport(
    LeaderboardFilter Filter,
    int Runs,
    int Picks,
    int AgreementRuns,
    double? CouncilAgreement,
    IReadOnlyList<LeaderboardEntry> Models);

/// <summary>What a leaderboard counted: runs created in [<paramref name="From"/>, <paramref name="To"/>), of one workflow, among a set of models.</summary>
/// <param name="Models">Only these models are ranked, and only against each other; absent: every model.</param>
public sealed record LeaderboardFilter(DateTimeOffset? From, DateTimeOffset? To, string? Workflow, IReadOnlyList<string>? Models);

/// <summary>One model's line of the leaderboard.</summary>
/// <param name="Runs">Runs the model took part in (any stage).</param>
/// <param name="Answers">Answers it gave (ok outputs of an answers stage).</param>
/// <param name="RankedRuns">Runs whose aggregate ranking placed it.</param>
/// <param name="AverageRank">Its mean place (1 = best) in those runs' aggregate rankings.</param>
/// <param name="WinRate">Share of <paramref name="RankedRuns"/> it was ranked first in (0 to 1).</param>
/// <param name="Elo">Elo from the pairwise preferences of every review (each pair of answers a review ranks); null with no comparisons.</param>
/// <param name="Comparisons">Pairwise preferences its <paramref name="Elo"/> rests on.</param>
/// <param name="UserElo">Elo from the user's picks: the picked answer beats every other answer of that run; null with no comparisons.</param>
/// <param name="UserComparisons">Pairwise preferences its <paramref name="UserElo"/> rests on.</param>
/// <param name="UserPicks">Runs in which the user picked its answer as the best.</param>
/// <param name="Calls">Model calls it made, in every stage, cancelled and failed ones included.</param>
/// <param name="MedianTtftMs">Median time to first token over its calls that produced one.</param>
/// <param name="MedianTokensPerSecond">Median of completion tokens per second after the first token, over its ok calls.</param>
/// <param name="FailureRate">Share of <paramref name="Calls"/> that failed (0 to 1; cancelled calls are not failures).</param>
/// <param name="TotalCost">In US dollars, over the calls whose provider reported a cost; null when none did.</param>
public sealed record LeaderboardEntry(
    string Model,
    int Runs,
    int Answers,
    int RankedRuns,
    double? AverageRank,
    double? WinRate,
    double? Elo,
    int Comparisons,
    double? UserElo,
    int UserComparisons,
    int UserPicks,
    int Calls,
    double? MedianTtftMs,
    double? MedianTokensPerSecond,
    double FailureRate,
    decimal? TotalCost);

/// <summary>Body of <c>PUT /api/runs/{id}/best-answer</c>: the model whose answer the user finds best.</summary>
public sealed record BestAnswerRequest(string Model);
