using Council.Contracts.Api;
using Council.Server.Conversations;
using Council.Server.Leaderboard;
using Council.Server.Tests.Storage;
using Council.Server.Workflows;
using Microsoft.Extensions.Options;

namespace Council.Server.Tests.Leaderboard;

/// <summary>The leaderboard over a real SQLite file, written by the real run store.</summary>
public class LeaderboardStoreTests
{
    private static readonly LeaderboardFilter All = new(null, null, null, null);
    private static readonly WorkflowCatalog Workflows = new(Options.Create(new WorkflowOptions()));

    private static LeaderboardStore Board(TestStorage storage) => new(storage.Database, storage.Store, Workflows);

    private static BestAnswerStore Picks(TestStorage storage) => new(storage.Database, storage.Store, Workflows);

    [Test]
    public async Task CountsOnlyTheUsersOwnRuns_AndIsTheSameAfterARestart()
    {
        var path = Path.Combine(Path.GetTempPath(), "council-tests", Guid.NewGuid().ToString("N"), "council.db");
        LeaderboardReport before;
        await using (var storage = await TestStorage.StartAsync(path))
        {
            StoredRuns.Council(storage.Store, "r1", "alice", ["a", "b"], new Dictionary<string, string[]> { ["a"] = ["a", "b"], ["b"] = ["a", "b"] });
            StoredRuns.Council(storage.Store, "r2", "alice", ["a", "b", "c"], new Dictionary<string, string[]> { ["c"] = ["c", "a", "b"] });
            StoredRuns.Council(storage.Store, "r3", "bob", ["a", "b", "c"], new Dictionary<string, string[]>
            {
                ["a"] = ["c", "b", "a"], ["b"] = ["c", "a", "b"], ["c"] = ["c", "b", "a"],
            });
            before = await Board(storage).ComputeAsync("alice", All, CancellationToken.None);
        }

        before.Runs.ShouldBe(2, "bob's run never counts for alice");
        before.Models.Select(m => m.Model).ShouldBe(["c", "a", "b"]);
        before.Models[0].Elo.ShouldNotBeNull().ShouldBe(1031.208882, 0.000001, "the hand-checked example of LeaderboardCalculatorTests");
        before.Models[1].Elo.ShouldNotBeNull().ShouldBe(1026.505628, 0.000001);
        before.Models[0].WinRate.ShouldBe(1);
        before.Models[1].AverageRank.ShouldBe(1.5);
        before.Models[1].TotalCost.ShouldBe(0.002m);

        await using var restarted = await TestStorage.StartAsync(path);
        var after = await Board(restarted).ComputeAsync("alice", All, CancellationToken.None);
        after.ShouldBeEquivalentTo(before);
        (await Board(restarted).ComputeAsync("carol", All, CancellationToken.None)).Models.ShouldBeEmpty();
    }

    [Test]
    public async Task Filters_ByPeriodWorkflowAndModels()
    {
        await using var storage = await TestStorage.StartAsync();
        StoredRuns.Council(storage.Store, "old", "alice", ["a", "b"], new Dictionary<string, string[]> { ["a"] = ["b", "a"], ["b"] = ["a", "b"] });
        StoredRuns.Council(storage.Store, "new", "alice", ["a", "b", "c"], new Dictionary<string, string[]> { ["a"] = ["b", "a", "c"] });
        StoredRuns.Council(storage.Store, "grid", "alice", ["a", "d"], new Dictionary<string, string[]>(), workflow: "grid");
        await storage.Store.FlushAsync();
        using (var connection = storage.Database.Open())
        {
            Microsoft.Data.Sqlite.SqliteCommand command = connection.CreateCommand();
            command.CommandText = "UPDATE runs SET created_at = $at WHERE id = 'old'";
            command.Parameters.AddWithValue("$at", DateTimeOffset.UtcNow.AddDays(-40).ToUnixTimeMilliseconds());
            command.ExecuteNonQuery();
        }
        var board = Board(storage);

        (await board.ComputeAsync("alice", All, CancellationToken.None)).Runs.ShouldBe(3);
        var recent = await board.ComputeAsync("alice", All with { From = DateTimeOffset.UtcNow.AddDays(-30) }, CancellationToken.None);
        recent.Runs.ShouldBe(2);
        recent.Models.Single(m => m.Model == "a").Runs.ShouldBe(2);
        var older = await board.ComputeAsync("alice", All with { To = DateTimeOffset.UtcNow.AddDays(-30) }, CancellationToken.None);
        older.Runs.ShouldBe(1);

        var grid = await board.ComputeAsync("alice", All with { Workflow = "grid" }, CancellationToken.None);
        grid.Runs.ShouldBe(1);
        grid.Models.Select(m => m.Model).Order().ShouldBe(["a", "d"]);
        grid.Models.ShouldAllBe(m => m.Answers == 1 && m.Elo == null && m.RankedRuns == 0);

        var pair = await board.ComputeAsync("alice", All with { Models = ["b", "c"] }, CancellationToken.None);
        pair.Models.Select(m => m.Model).Order().ShouldBe(["b", "c"]);
        pair.Models.Single(m => m.Model == "b").Comparisons.ShouldBe(1, "a's review of the new run: b > c (the old run's reviews are between a and b)");
    }

    [Test]
    public async Task BestAnswer_IsOnePickPerFinishedRun_Changeable_AndCountsInTheUsersElo()
    {
        await using var storage = await TestStorage.StartAsync();
        StoredRuns.Council(storage.Store, "r1", "alice", ["a", "b", "c"], new Dictionary<string, string[]> { ["a"] = ["b", "a", "c"], ["b"] = ["a", "b", "c"] }, failed: "c");
        var picks = Picks(storage);

        (await picks.SetAsync("r1", "alice", "c", CancellationToken.None)).ShouldBe(BestAnswerResult.NotAnAnswer, "c failed");
        (await picks.SetAsync("r1", "alice", "chair", CancellationToken.None)).ShouldBe(BestAnswerResult.NotAnAnswer, "the chairman gave no answer");
        (await picks.SetAsync("r1", "bob", "a", CancellationToken.None)).ShouldBe(BestAnswerResult.NotFound, "another user's run is unknown");
        (await picks.SetAsync("r1", "alice", "a", CancellationToken.None)).ShouldBe(BestAnswerResult.Saved);
        (await picks.SetAsync("r1", "alice", "b", CancellationToken.None)).ShouldBe(BestAnswerResult.Saved);

        (await storage.Conversations.GetRunAsync("r1", "alice", CancellationToken.None)).ShouldNotBeNull().BestAnswer.ShouldBe("b");
        var board = await Board(storage).ComputeAsync("alice", All, CancellationToken.None);
        board.Picks.ShouldBe(1);
        board.Models.Single(m => m.Model == "b").UserElo.ShouldBe(1016, "b beat a, the only other answer");
        board.Models.Single(m => m.Model == "a").UserElo.ShouldBe(984);
        board.Models.Single(m => m.Model == "c").UserElo.ShouldBeNull();
        board.CouncilAgreement.ShouldBe(0, "a and b tie on average rank and votes, so the council put a first");

        (await picks.SetAsync("r1", "alice", null, CancellationToken.None)).ShouldBe(BestAnswerResult.Saved);
        (await storage.Conversations.GetRunAsync("r1", "alice", CancellationToken.None)).ShouldNotBeNull().BestAnswer.ShouldBeNull();
    }
}
