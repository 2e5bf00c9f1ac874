using Council.Contracts.Messages;
using Council.Server.Grains;
using Microsoft.Extensions.Logging.Abstractions;

namespace Council.Server.Tests.Grains;

public class RunMirrorTests
{
    private static TokenEvent Token(long seq) => new("r", seq, 0, "m", $"t{seq} ");

    private static RunCompleteEvent End(long seq) => new("r", seq, RunStatus.Ok, "done", null, null, new RunMetrics(1, 2, 3, null, []));

    private static RelayedEvents Batch(params RunEvent[] events) => RelayedEvents.From(events);

    private static RunEvent[] Tokens(long from, long to) => Enumerable.Range((int)from, (int)(to - from + 1)).Select(i => (RunEvent)Token(i)).ToArray();

    private static RunMirror Mirror(Func<long, Task<IReadOnlyList<RunEvent>?>>? fetch = null) =>
        new("r", "alice", fetch ?? (_ => throw new InvalidOperationException("no gap expected")), NullLogger.Instance);

    [Test]
    public void RelayedEvents_RoundTripEveryEventAsTheWireHasIt()
    {
        RunEvent[] events = [Token(1), new ModelStartEvent("r", 2, 0, "m"), End(3)];
        var relayed = RelayedEvents.From(events);

        var arrived = relayed.ToEvents();

        arrived.Select(e => e.GetType()).ShouldBe(events.Select(e => e.GetType()));
        arrived.Take(2).ShouldBe(events.Take(2)); // records of plain fields compare by value
        RelayedEvents.From(arrived).Payloads.ShouldBe(relayed.Payloads);
        ((RunCompleteEvent)arrived[2]).Metrics.CompletionTokens.ShouldBe(3);
    }

    [Test]
    public async Task Appended_BeforeTheAttachReply_IsAppliedAfterIt()
    {
        using var mirror = Mirror();
        await mirror.Appended(Batch(Tokens(4, 5)));
        mirror.Log.LastSeq.ShouldBe(0);

        await mirror.StartAsync(Tokens(1, 3));

        mirror.Log.Snapshot().Select(e => e.Seq).ShouldBe([1L, 2L, 3L, 4L, 5L]);
    }

    [Test]
    public async Task Appended_SeqsAlreadyIn_AreSkipped()
    {
        using var mirror = Mirror();
        await mirror.StartAsync(Tokens(1, 3));
        await mirror.Appended(Batch(Tokens(2, 5)));
        await mirror.Appended(Batch(Tokens(5, 6)));

        mirror.Log.Snapshot().Select(e => e.Seq).ShouldBe([1L, 2L, 3L, 4L, 5L, 6L]);
        mirror.Log.Snapshot().ShouldBe(Tokens(1, 6));
    }

    [Test]
    public async Task Appended_AfterAGap_FetchesTheMissingSeqsFromTheGrainFirst()
    {
        var asked = new List<long>();
        using var mirror = Mirror(afterSeq =>
        {
            asked.Add(afterSeq);
            return Task.FromResult<IReadOnlyList<RunEvent>?>(Tokens(afterSeq + 1, 7));
        });
        await mirror.StartAsync(Tokens(1, 2));

        await mirror.Appended(Batch(Tokens(6, 8)));

        asked.ShouldBe([2L]);
        mirror.Log.Snapshot().ShouldBe(Tokens(1, 8));
    }

    [Test]
    public async Task Appended_AGapThatCannotBeFetched_LeavesTheLogWithoutAHole()
    {
        using var mirror = Mirror(_ => throw new TimeoutException("the grain's node is gone"));
        await mirror.StartAsync(Tokens(1, 2));

        await mirror.Appended(Batch(Tokens(5, 6)));

        mirror.Log.Snapshot().ShouldBe(Tokens(1, 2));
    }

    [Test]
    public async Task RunComplete_ClosesTheLogAndTellsOnce()
    {
        using var mirror = Mirror();
        var completed = 0;
        mirror.Completed += _ => completed++;
        await mirror.StartAsync(Tokens(1, 2));

        await mirror.Appended(Batch([.. Tokens(3, 3), End(4)]));
        await mirror.Appended(Batch(End(4)));

        mirror.Log.IsCompletedThrough(4).ShouldBeTrue();
        completed.ShouldBe(1);
    }

    [Test]
    public async Task CatchUp_WithTheGrainsWholeLog_AppendsOnlyWhatWasMissed()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        using var mirror = new RunMirror("r", "alice", _ => throw new InvalidOperationException("no gap expected"), NullLogger.Instance, time);
        await mirror.StartAsync(Tokens(1, 3));
        time.Advance(TimeSpan.FromSeconds(6));
        mirror.Silence.ShouldBe(TimeSpan.FromSeconds(6));

        await mirror.CatchUpAsync([.. Tokens(1, 5), End(6)]);

        mirror.Log.Snapshot().Select(e => e.Seq).ShouldBe([1L, 2L, 3L, 4L, 5L, 6L]);
        mirror.Log.IsCompleted.ShouldBeTrue();
        mirror.Silence.ShouldBe(TimeSpan.Zero);
    }

    [Test]
    public async Task NodeLost_EndsTheRunInterrupted_CallsStillGoingCancelledWithTheirText()
    {
        using var mirror = Mirror();
        await mirror.StartAsync([new ModelStartEvent("r", 1, 0, "done"), new ModelStartEvent("r", 2, 0, "going"), new TokenEvent("r", 3, 0, "going", "half "),
            new ModelCompleteEvent("r", 4, 0, "done", ModelStatus.Ok, "all", null, null, 10, null), new TokenEvent("r", 5, 0, "going", "way")]);

        await mirror.NodeLostAsync("node-a");
        await mirror.NodeLostAsync("node-a");

        var events = mirror.Log.Snapshot();
        events.Select(e => e.Seq).ShouldBe([1L, 2L, 3L, 4L, 5L, 6L, 7L]);
        var cut = events[5].ShouldBeOfType<ModelCompleteEvent>();
        (cut.Model, cut.Status, cut.Text).ShouldBe(("going", ModelStatus.Cancelled, "half way"));
        var end = events[6].ShouldBeOfType<RunCompleteEvent>();
        end.Status.ShouldBe(RunStatus.Failed);
        end.Error.ShouldBe("Interrupted: the node running this run (node-a) was lost. Completed outputs are kept; run it again.");
        mirror.Interrupted.ShouldBeTrue();
    }
}
