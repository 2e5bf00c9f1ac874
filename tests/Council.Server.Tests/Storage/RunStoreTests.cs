using Council.Contracts.Messages;
using Council.Server.Storage;
using Council.Server.Tests.Grains;
using Council.Server.Workflows;
using Microsoft.Data.Sqlite;

namespace Council.Server.Tests.Storage;

public class RunStoreTests
{
    private const string Local = Council.Server.Auth.CouncilUser.LocalUser;

    private static string Json(RunEvent e) => StoredEvents.Serialize(e);

    [Test]
    public async Task FullRun_RoundTripsEveryEventAndOutput()
    {
        var grain = GrainHarness.Start([GrainHarness.Fast, GrainHarness.Quick]);
        var events = await GrainHarness.Finish(grain);
        var stored = GrainHarness.Stored;

        var run = (await stored.Conversations.GetRunAsync(grain.RunId, Local, CancellationToken.None)).ShouldNotBeNull();
        run.Status.ShouldBe(RunStatus.Ok);
        run.LastSeq.ShouldBe(events.Count);
        run.Final.ShouldBe(((RunCompleteEvent)events[^1]).Final);
        run.AggregateRankings!.Count.ShouldBe(2);
        run.Metrics!.Calls.Count.ShouldBe(5);
        run.Outputs.Select(o => (o.Stage, o.Model, o.Text)).ShouldBe(
            events.OfType<ModelCompleteEvent>().Select(c => (c.Stage, c.Model, c.Text)));
        run.Outputs.Where(o => o.Stage == 1).ShouldAllBe(o => o.Ranking != null && o.Ranking.Count == 2);
        (await stored.Conversations.GetRunAsync(grain.RunId, "someone-else", CancellationToken.None)).ShouldBeNull("another user's run is unknown to them");
        (await stored.Conversations.StoredRunAsync(grain.RunId, CancellationToken.None)).ShouldNotBeNull().Owner.ShouldBe(Local);

        (await stored.Conversations.StoredRunAsync(grain.RunId, CancellationToken.None))!.Events.Select(Json).ShouldBe(events.Select(Json));
    }

    [Test]
    public async Task ManyRunsAtOnce_AreAllStoredWithContiguousSeqs()
    {
        var grains = Enumerable.Range(0, 30).Select(i => GrainHarness.Start([GrainHarness.Fast, GrainHarness.Quick], prompt: $"q{i}")).ToArray();
        var logs = await Task.WhenAll(grains.Select(GrainHarness.Finish));
        await GrainHarness.Stored.Store.FlushAsync();

        for (var i = 0; i < grains.Length; i++)
        {
            var stored = (await GrainHarness.Stored.Conversations.StoredRunAsync(grains[i].RunId, CancellationToken.None))!.Events;
            stored.Select(e => e.Seq).ShouldBe(Enumerable.Range(1, logs[i].Count).Select(s => (long)s));
            stored.Select(Json).ShouldBe(logs[i].Select(Json));
        }
    }

    [Test]
    public async Task FollowUp_HistoryHoldsEarlierQuestionsAndFinalAnswers()
    {
        var grain = GrainHarness.Start([GrainHarness.Fast, GrainHarness.Quick], prompt: "first question");
        var events = await GrainHarness.Finish(grain);

        var history = await GrainHarness.Stored.Conversations.HistoryAsync(grain.Plan.ConversationId, Local, CancellationToken.None);
        history.ShouldNotBeNull().Single().ShouldBe(new ConversationTurn("first question", ((RunCompleteEvent)events[^1]).Final!));
        (await GrainHarness.Stored.Conversations.HistoryAsync("unknown", Local, CancellationToken.None)).ShouldBeNull();
        (await GrainHarness.Stored.Conversations.HistoryAsync(null, Local, CancellationToken.None)).ShouldBeEmpty();
    }

    [Test]
    public async Task RestartAfterAStop_MarksRunsThatWereGoingInterrupted()
    {
        var directory = Path.Combine(Path.GetTempPath(), "council-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "council.db");
        var plan = new RunPlan("run1", "conv1", "question", WorkflowCatalog.Council, ["m1", "m2"], ["chair"], []);

        var (_, before) = TestStorage.Create(directory, path);
        await before.StartAsync(CancellationToken.None);
        before.RunStarted(plan);
        before.Append(new StageProgressEvent("run1", 1, 0, "answers", StageStatus.Started, 0, 2, 0, [], ["m1", "m2"]));
        before.Append(new ModelStartEvent("run1", 2, 0, "m1"));
        before.Append(new ModelStartEvent("run1", 3, 0, "m2"));
        before.Append(new TokenEvent("run1", 4, 0, "m1", "Hello"));
        before.Append(new TokenEvent("run1", 5, 0, "m2", "Partial "));
        before.Append(new ModelCompleteEvent("run1", 6, 0, "m1", ModelStatus.Ok, "Hello", null, 10, 20, new Usage(3, 1)));
        before.Append(new TokenEvent("run1", 7, 0, "m2", "text"));
        await before.FlushAsync();
        await before.StopAsync(CancellationToken.None); // the process "dies" here: the run never ended

        await using var after = await TestStorage.StartAsync(path);
        var run = (await after.Conversations.GetRunAsync("run1", Local, CancellationToken.None)).ShouldNotBeNull();
        run.Status.ShouldBe(RunStatus.Interrupted);
        run.Error.ShouldBe(InterruptedRun.ServerStopped);
        run.Outputs.Select(o => (o.Model, o.Status, o.Text)).ShouldBe([("m1", ModelStatus.Ok, "Hello"), ("m2", ModelStatus.Cancelled, "Partial text")]);

        var events = (await after.Conversations.StoredRunAsync("run1", CancellationToken.None))!.Events;
        events.Select(e => e.Seq).ShouldBe(Enumerable.Range(1, 9).Select(s => (long)s));
        events[^1].ShouldBeOfType<RunCompleteEvent>().Status.ShouldBe(RunStatus.Failed);
    }

    [Test]
    public async Task CorruptDatabaseFile_FailsTheStartWithAClearMessage()
    {
        var directory = Path.Combine(Path.GetTempPath(), "council-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "council.db");
        await File.WriteAllTextAsync(path, new string('x', 8192));

        var (_, store) = TestStorage.Create(directory, path);
        var ex = await Should.ThrowAsync<InvalidOperationException>(() => store.StartAsync(CancellationToken.None));
        ex.Message.ShouldContain(path);
        ex.Message.ShouldContain("not a SQLite database");
    }

    [Test]
    public async Task LockedDatabaseFile_FailsTheStartWithAClearMessage()
    {
        await using var storage = await TestStorage.StartAsync();
        var path = storage.Database.FilePath;
        await storage.Store.StopAsync(CancellationToken.None);
        SqliteConnection.ClearAllPools();
        using var holder = new SqliteConnection($"Data Source={path};Pooling=False");
        holder.Open();
        using (var command = holder.CreateCommand())
        {
            command.CommandText = "PRAGMA journal_mode = DELETE; PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE;";
            command.ExecuteNonQuery();
        }

        var (_, store) = TestStorage.Create(storage.Directory, path);
        var ex = await Should.ThrowAsync<InvalidOperationException>(() => store.StartAsync(CancellationToken.None));
        ex.Message.ShouldContain("locked");
    }
}
