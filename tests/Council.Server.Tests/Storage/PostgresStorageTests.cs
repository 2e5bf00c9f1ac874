using Council.Contracts.Api;
using Council.Contracts.Messages;
using Council.Server.Cluster;
using Council.Server.Conversations;
using Council.Server.Leaderboard;
using Council.Server.Storage;
using Council.Server.Tests.Leaderboard;
using Council.Server.Workflows;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Council.Server.Tests.Storage;

/// <summary>
/// The postgres provider on a real PostgreSQL, where SQLite's tests say nothing: the same stores read the same
/// answers from it (its dialect: JSON fields, rowid, typed nulls, one command at a time per connection), nodes
/// migrating one empty database at once, and a node closing only its own runs at start.
/// </summary>
[NonParallelizable]
public class PostgresStorageTests
{
    private static readonly LeaderboardFilter All = new(null, null, null, null);
    private static readonly WorkflowCatalog Workflows = new(Options.Create(new WorkflowOptions()));
    private PostgresServer _server = null!;
    private readonly List<RunStore> _stores = [];

    [OneTimeSetUp]
    public async Task StartServerAsync() => _server = await PostgresServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopServerAsync() => await _server.DisposeAsync();

    [TearDown]
    public async Task StopStoresAsync()
    {
        foreach (var store in _stores)
        {
            await store.StopAsync(CancellationToken.None);
            store.Dispose();
        }
        _stores.Clear();
    }

    [Test]
    public async Task TheStores_ReadFromPostgres_WhatTheyReadFromSqlite()
    {
        await using var sqlite = await TestStorage.StartAsync();
        var (database, store) = await StartAsync(await _server.CreateDatabaseAsync(), "node-a");
        foreach (var s in (RunStore[])[sqlite.Store, store])
        {
            StoredRuns.Council(s, "r1", "alice", ["a", "b"], new Dictionary<string, string[]> { ["a"] = ["a", "b"], ["b"] = ["a", "b"] });
            StoredRuns.Council(s, "r2", "alice", ["a", "b", "c"], new Dictionary<string, string[]> { ["c"] = ["c", "a", "b"] });
            StoredRuns.Council(s, "g1", "alice", ["a", "d"], new Dictionary<string, string[]>(), workflow: "grid", failed: "d");
            StoredRuns.Council(s, "r3", "bob", ["a", "b", "c"], new Dictionary<string, string[]> { ["a"] = ["c", "b", "a"] });
        }
        var conversations = new ConversationStore(database, store);
        var picks = new BestAnswerStore(database, store, Workflows);
        (await picks.SetAsync("r2", "alice", "c", CancellationToken.None)).ShouldBe(await new BestAnswerStore(sqlite.Database, sqlite.Store, Workflows).SetAsync("r2", "alice", "c", CancellationToken.None));

        foreach (var filter in (LeaderboardFilter[])[All, All with { Workflow = "grid" }, All with { From = DateTimeOffset.UtcNow.AddDays(-1) }])
        {
            var expected = await new LeaderboardStore(sqlite.Database, sqlite.Store, Workflows).ComputeAsync("alice", filter, CancellationToken.None);
            var actual = await new LeaderboardStore(database, store, Workflows).ComputeAsync("alice", filter, CancellationToken.None);
            expected.Runs.ShouldBeGreaterThan(0);
            actual.ShouldBeEquivalentTo(expected);
        }

        foreach (var runId in (string[])["r1", "r2", "g1"])
        {
            var expected = (await sqlite.Conversations.GetRunAsync(runId, "alice", CancellationToken.None)).ShouldNotBeNull();
            var actual = (await conversations.GetRunAsync(runId, "alice", CancellationToken.None)).ShouldNotBeNull();
            actual.ShouldBeEquivalentTo(expected with { CreatedAt = actual.CreatedAt, CompletedAt = actual.CompletedAt });
            (await conversations.StoredRunAsync(runId, CancellationToken.None)).ShouldNotBeNull().Events.Select(StoredEvents.Serialize)
                .ShouldBe((await sqlite.Conversations.StoredRunAsync(runId, CancellationToken.None)).ShouldNotBeNull().Events.Select(StoredEvents.Serialize));
        }
        (await conversations.GetRunAsync("r3", "alice", CancellationToken.None)).ShouldBeNull("bob's run is not alice's");

        var detail = (await conversations.GetAsync("conv-r2", "alice", CancellationToken.None)).ShouldNotBeNull();
        detail.Runs.Select(r => r.RunId).ShouldBe(["r2"]);
        detail.Runs[0].BestAnswer.ShouldBe("c");
        var list = await conversations.ListAsync("alice", CancellationToken.None);
        list.Select(c => c.Id).Order(StringComparer.Ordinal).ShouldBe(["conv-g1", "conv-r1", "conv-r2"]);
        list.ShouldAllBe(c => c.Runs == 1 && c.RunningRunId == null);
        (await conversations.HistoryAsync("conv-r1", "alice", CancellationToken.None)).ShouldNotBeNull().Single().Answer.ShouldBe("Final of r1.");
        (await conversations.RenameAsync("conv-r1", "alice", "Renamed", CancellationToken.None)).ShouldBeTrue();
        (await conversations.DeleteAsync("conv-r1", "bob", CancellationToken.None)).ShouldBe(DeleteResult.NotFound);
        (await conversations.DeleteAsync("conv-r1", "alice", CancellationToken.None)).ShouldBe(DeleteResult.Deleted);
        (await conversations.StoredRunAsync("r1", CancellationToken.None)).ShouldBeNull("its runs and events went with it");
    }

    [Test]
    public async Task NodesMigratingOneEmptyDatabaseAtOnce_AllComeUp_OnOneSchema()
    {
        var connectionString = await _server.CreateDatabaseAsync();
        var databases = Enumerable.Range(0, 4).Select(_ => Database(connectionString)).ToArray();

        await Task.WhenAll(databases.Select(d => Task.Run(d.Migrate)));
        databases[0].Migrate(); // and again, as a restart does: nothing left to apply

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT COUNT(*), MAX(version) FROM council_schema", connection);
        await using var reader = await command.ExecuteReaderAsync();
        (await reader.ReadAsync()).ShouldBeTrue();
        reader.GetInt64(0).ShouldBe(1);
        reader.GetInt32(1).ShouldBe(1);
    }

    [Test]
    public async Task AtStart_ANodeClosesOnlyItsOwnRunsLeftGoing()
    {
        var connectionString = await _server.CreateDatabaseAsync();
        var (_, a) = await StartAsync(connectionString, "node-a");
        var (_, b) = await StartAsync(connectionString, "node-b");
        foreach (var (store, runId) in (ValueTuple<RunStore, string>[])[(a, "on-a"), (b, "on-b")])
        {
            store.RunStarted(new RunPlan(runId, $"conv-{runId}", "question", WorkflowCatalog.Council, ["m"], ["chair"], []));
            store.Append(new ModelStartEvent(runId, 1, 0, "m"));
            store.Append(new TokenEvent(runId, 2, 0, "m", "partial "));
            await store.FlushAsync();
        }
        // node-a stops without ending its run (as after kill -9) and starts again; node-b's run is still going.
        await a.StopAsync(CancellationToken.None);

        var (database, _) = await StartAsync(connectionString, "node-a");
        var conversations = new ConversationStore(database, b);
        var closed = (await conversations.GetRunAsync("on-a", "local", CancellationToken.None)).ShouldNotBeNull();
        closed.Status.ShouldBe(RunStatus.Interrupted);
        closed.Outputs.Single().Text.ShouldBe("partial ");
        (await conversations.GetRunAsync("on-b", "local", CancellationToken.None)).ShouldNotBeNull().Status.ShouldBe(RunStatus.Running);
    }

    private CouncilDatabase Database(string connectionString) =>
        TestStorage.Create(Path.GetTempPath(), "", o => (o.Provider, o.ConnectionString) = ("postgres", connectionString)).Database;

    private async Task<(CouncilDatabase Database, RunStore Store)> StartAsync(string connectionString, string node)
    {
        var storage = new StorageOptions { Provider = "postgres", ConnectionString = connectionString, FlushIntervalMs = 5 };
        var database = Database(connectionString);
        var store = new RunStore(database, Options.Create(storage), TimeProvider.System, NullLogger<RunStore>.Instance,
            cluster: Options.Create(new ClusterOptions { NodeName = node }));
        await store.StartAsync(CancellationToken.None);
        _stores.Add(store);
        return (database, store);
    }
}
