using Council.Contracts.Messages;
using Council.Server.Grains;
using Council.Server.Storage;
using Council.Server.Tests.Grains;
using Council.Server.Workflows;

namespace Council.Server.Tests.Storage;

/// <summary>The write queue is bounded: when storage falls behind, the grains' model streams wait for it.</summary>
[CancelAfter(30_000)]
public sealed class BackpressureTests
{
    private static RunPlan Plan(IReadOnlyList<string> models) =>
        new(Guid.NewGuid().ToString("N"), Guid.NewGuid().ToString("N"), "Why?", WorkflowCatalog.Council, models, [GrainHarness.Chair], []);

    private static (string Folder, RunStore Store) StoreNotWritingYet(int maxQueued) => StoreNotWritingYet(maxQueued, out _);

    private static (string Folder, RunStore Store) StoreNotWritingYet(int maxQueued, out CouncilDatabase database)
    {
        var folder = Path.Combine(Path.GetTempPath(), "council-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        (database, var store) = TestStorage.Create(folder, Path.Combine(folder, "council.db"), o => o.MaxQueuedWrites = maxQueued);
        return (folder, store);
    }

    [Test]
    public async Task PastTheBound_WaitForRoom_CompletesOnlyOnceTheWriterCatchesUp(CancellationToken cancellationToken)
    {
        var (folder, store) = StoreNotWritingYet(maxQueued: 10);
        try
        {
            var plan = Plan([GrainHarness.Fast]);
            store.RunStarted(plan);
            for (var seq = 1; seq <= 5; seq++)
            {
                store.Append(new TokenEvent(plan.RunId, seq, 0, GrainHarness.Fast, "x"));
            }
            store.WaitForRoomAsync(cancellationToken).AsTask().IsCompleted.ShouldBeTrue("6 queued, the bound is 10");
            for (var seq = 6; seq <= 12; seq++)
            {
                store.Append(new TokenEvent(plan.RunId, seq, 0, GrainHarness.Fast, "x"));
            }
            store.QueuedCount.ShouldBe(13);
            var room = store.WaitForRoomAsync(cancellationToken).AsTask();
            room.IsCompleted.ShouldBeFalse("past the bound, a producer waits");

            await store.StartAsync(cancellationToken); // the writer catches up
            await room;
            store.QueuedCount.ShouldBeLessThan(10);
        }
        finally
        {
            await store.StopAsync(CancellationToken.None);
            store.Dispose();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Test]
    public async Task StorageBehind_TheRunSlowsDown_AndGoesOnWhenStorageCatchesUp(CancellationToken cancellationToken)
    {
        var (folder, store) = StoreNotWritingYet(maxQueued: 20, out var database);
        var plan = Plan(["sim/rapid?ttft=1&tps=5000&tokens=400"]);
        var silo = await TestSilo.StartAsync(store, new Council.Server.Conversations.ConversationStore(database, store), new CouncilOptions { TokenBatchWindowMs = 0 });
        try
        {
            var grain = GrainHarness.StartOn(silo, plan);
            // Unchecked, the model's 400 tokens would be in the log within a tenth of a second; here the writer is not
            // writing, so the stream stops near the bound (one chunk per stream may be in flight).
            await Task.Delay(500, cancellationToken);
            grain.Log.LastSeq.ShouldBeLessThan(40, "the stream waits for storage instead of queueing without limit");
            grain.Log.IsCompleted.ShouldBeFalse();

            await store.StartAsync(cancellationToken);
            await grain.Completion().WaitAsync(cancellationToken);
            var end = grain.Log.Snapshot()[^1].ShouldBeOfType<RunCompleteEvent>();
            end.Status.ShouldBe(RunStatus.Ok, end.Error);
            grain.Log.Snapshot().OfType<ModelCompleteEvent>().First().Text.Length.ShouldBeGreaterThan(0);
        }
        finally
        {
            await silo.DisposeAsync();
            await store.StopAsync(CancellationToken.None);
            store.Dispose();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }
}
