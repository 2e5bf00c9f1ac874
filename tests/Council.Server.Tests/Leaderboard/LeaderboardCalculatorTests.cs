using Council.Contracts.Api;
using Council.Server.Leaderboard;

namespace Council.Server.Tests.Leaderboard;

public class LeaderboardCalculatorTests
{
    private static readonly LeaderboardFilter All = new(null, null, null, null);

    private static LeaderboardCall Answer(string model, string status = "ok", long ttft = 100, long duration = 1100, int tokens = 50, decimal? cost = null) =>
        new(0, model, status, status == "failed" && ttft == 0 ? null : ttft, duration, tokens, cost, null);

    private static LeaderboardCall Review(string reviewer, params string[] ranking) => new(1, reviewer, "ok", 10, 200, 20, null, ranking);

    [Test]
    public void Elo_FollowsEveryPairwisePreferenceOfEveryReview_InOrder()
    {
        // Run 1: a and b answer; a's review ranks [a, b], so does b's: a > b twice.
        // Run 2: a, b and c answer; c's review ranks [c, a, b]: c > a, c > b, a > b.
        // Elo, K = 32, everyone at 1000, expected score E = 1 / (1 + 10^((loser - winner) / 400)), change K (1 - E):
        //   a > b: E = 0.5                                 change 16         → a 1016,        b 984
        //   a > b: E = 1 / (1 + 10^(-32/400)) = 0.545922   change 14.530498  → a 1030.530498, b 969.469502
        //   c > a: E = 1 / (1 + 10^(30.530498/400)) = 0.456176  change 17.402374 → c 1017.402374, a 1013.128125
        //   c > b: E = 1 / (1 + 10^(-47.932872/400)) = 0.568547 change 13.806509 → c 1031.208882, b 955.662993
        //   a > b: E = 1 / (1 + 10^(-57.465132/400)) = 0.581953 change 13.377503 → a 1026.505628, b 942.285489
        var runs = new[]
        {
            new LeaderboardRun("r1", 0, ["a", "b"], null, [Answer("a"), Answer("b"), Review("b", "a", "b"), Review("a", "a", "b")]),
            new LeaderboardRun("r2", 0, ["c", "a", "b"], null, [Answer("a"), Answer("b"), Answer("c"), Review("c", "c", "a", "b")]),
        };

        var board = LeaderboardCalculator.Compute(runs, All);

        var elo = board.Models.ToDictionary(m => m.Model, m => m.Elo);
        elo["a"].ShouldNotBeNull().ShouldBe(1026.505628, 0.000001);
        elo["b"].ShouldNotBeNull().ShouldBe(942.285489, 0.000001);
        elo["c"].ShouldNotBeNull().ShouldBe(1031.208882, 0.000001);
        board.Models.Select(m => m.Model).ShouldBe(["c", "a", "b"], "best Elo first");
        board.Models.Select(m => m.Comparisons).ShouldBe([2, 4, 4]);
    }

    [Test]
    public void RanksWinsAndSpeeds_ComeFromEveryRunAndCall()
    {
        var runs = new[]
        {
            new LeaderboardRun("r1", 0, ["a", "b"], null,
                [Answer("a", ttft: 100, duration: 1100, tokens: 50, cost: 0.01m), Answer("b", ttft: 300, duration: 2300, tokens: 40), Review("a", "b", "a"), Review("b", "a", "b")]),
            new LeaderboardRun("r2", 0, ["b", "a"], null,
                [Answer("a", ttft: 200, duration: 700, tokens: 50, cost: 0.02m), Answer("b", ttft: 100, duration: 1100, tokens: 100)]),
            new LeaderboardRun("r3", 0, [], null, [Answer("a", "failed", ttft: 0, duration: 30, tokens: 0), Answer("b")]),
        };

        var board = LeaderboardCalculator.Compute(runs, All);

        board.Runs.ShouldBe(3);
        var a = board.Models.Single(m => m.Model == "a");
        a.Runs.ShouldBe(3);
        a.Answers.ShouldBe(2, "the failed call is no answer");
        a.Calls.ShouldBe(4, "three answers and a review");
        a.RankedRuns.ShouldBe(2);
        a.AverageRank.ShouldBe(1.5); // first in r1, second in r2
        a.WinRate.ShouldBe(0.5);
        a.MedianTtftMs.ShouldBe(100); // 100, 200 and the review's 10
        // 50 tokens in 1 s = 50/s, 50 tokens in 0.5 s = 100/s, the review's 20 tokens in 0.19 s; the median is 100.
        a.MedianTokensPerSecond.ShouldNotBeNull().ShouldBe(100, 0.001);
        a.FailureRate.ShouldBe(0.25);
        a.TotalCost.ShouldBe(0.03m);
        var b = board.Models.Single(m => m.Model == "b");
        b.TotalCost.ShouldBeNull("no provider reported a cost");
        b.FailureRate.ShouldBe(0);
        // r1's reviews, a's first: b > a (b 1016, a 984), then a > b (E = 0.454078, change 17.469502).
        b.Elo.ShouldNotBeNull().ShouldBe(998.530498, 0.000001);
        a.Comparisons.ShouldBe(2);
    }

    [Test]
    public void UserPicks_GiveASecondElo_AndTheAgreementWithTheCouncil()
    {
        var runs = new[]
        {
            // The user picks b, the council ranked a first: b beats a and c in the users' Elo; no agreement.
            new LeaderboardRun("r1", 0, ["a", "b", "c"], "b", [Answer("a"), Answer("b"), Answer("c")]),
            // The user picks a, as the council did.
            new LeaderboardRun("r2", 0, ["a", "c"], "a", [Answer("a"), Answer("c"), Answer("b", "failed", ttft: 0)]),
            // No pick.
            new LeaderboardRun("r3", 0, ["c", "a"], null, [Answer("a"), Answer("c")]),
        };

        var board = LeaderboardCalculator.Compute(runs, All);

        board.Picks.ShouldBe(2);
        board.AgreementRuns.ShouldBe(2);
        board.CouncilAgreement.ShouldBe(0.5);
        var users = board.Models.ToDictionary(m => m.Model);
        users["b"].UserPicks.ShouldBe(1);
        users["a"].UserPicks.ShouldBe(1);
        // r1: b > a (b 1016, a 984), b > c (E = 1/(1+10^(-16/400)), b 1031.263693, c 984.736307);
        // r2: a > c (a 984, c 984.736307: E = 0.498940, change 16.033908 → a 1000.033908, c 968.702399); b failed: no preference.
        users["b"].UserElo.ShouldNotBeNull().ShouldBe(1031.263693, 0.000001);
        users["a"].UserElo.ShouldNotBeNull().ShouldBe(1000.033908, 0.000001);
        users["c"].UserElo.ShouldNotBeNull().ShouldBe(968.702399, 0.000001);
        users["b"].UserComparisons.ShouldBe(2);
    }

    [Test]
    public void AModelSet_RanksOnlyThoseModels_AgainstEachOther()
    {
        var run = new LeaderboardRun("r1", 0, ["a", "b", "c"], null,
            [Answer("a"), Answer("b"), Answer("c"), Review("c", "a", "b", "c"), Review("a", "c", "b", "a")]);

        var board = LeaderboardCalculator.Compute([run], All with { Models = ["b", "c"] });

        board.Models.Select(m => m.Model).Order().ShouldBe(["b", "c"]);
        var b = board.Models.Single(m => m.Model == "b");
        b.AverageRank.ShouldBe(1, "among b and c, b is first");
        b.WinRate.ShouldBe(1);
        // Among b and c, a's review (first) says c > b: c 1016, b 984; c's review says b > c: E = 0.454078, change 17.469502.
        b.Comparisons.ShouldBe(2);
        board.Models.Single(m => m.Model == "c").Elo.ShouldNotBeNull().ShouldBe(998.530498, 0.000001);
    }
}
