using Council.Contracts.Messages;
using Council.Server.Grains;
using Council.Server.Storage;
using Microsoft.Extensions.Time.Testing;
using static Council.Server.Tests.Grains.GrainHarness;

namespace Council.Server.Tests.Grains;

/// <summary>
/// What a run does as time passes (timeouts, heartbeats, release of a finished run), on a silo whose grains and
/// simulated models run on a fake clock: the tests move it instead of waiting.
/// </summary>
public class RunGrainTimeTests
{
    private FakeTimeProvider _time = null!;
    private TestSilo _silo = null!;

    [SetUp]
    public async Task StartSilo()
    {
        _time = new FakeTimeProvider();
        _silo = await TestSilo.StartAsync(Stored, new CouncilOptions { FirstTokenTimeoutSeconds = 120, IdleTimeoutSeconds = 30, FinishedRunIdleSeconds = 60 }, _time);
    }

    [TearDown]
    public async Task StopSilo() => await _silo.DisposeAsync();

    [Test]
    public async Task SilentModel_FailsAtTheFirstTokenTimeout()
    {
        const string silent = "sim/silent?ttft=600000&tps=10&tokens=5";
        var run = StartOn(_silo, Plan([Fast, silent]));

        await Advance(TimeSpan.FromSeconds(119), step: TimeSpan.FromMilliseconds(250));
        run.Log.Snapshot().OfType<ModelCompleteEvent>().ShouldNotContain(c => c.Model == silent);
        await Advance(TimeSpan.FromSeconds(2), step: TimeSpan.FromMilliseconds(250));

        var failed = await WaitFor<ModelCompleteEvent>(run, c => c.Model == silent);
        failed.Status.ShouldBe(ModelStatus.Failed);
        failed.Error.ShouldBe("No first token after 120 s.");
    }

    [Test]
    public async Task StalledModel_FailsAtTheIdleTimeout()
    {
        const string stalling = "sim/st?ttft=10&tps=200&tokens=20&fail=stall";
        var run = StartOn(_silo, Plan([Fast, stalling]));

        await Advance(TimeSpan.FromSeconds(29), step: TimeSpan.FromMilliseconds(250));
        run.Log.Snapshot().OfType<ModelCompleteEvent>().ShouldNotContain(c => c.Model == stalling);
        await Advance(TimeSpan.FromSeconds(2), step: TimeSpan.FromMilliseconds(250));

        var stalled = await WaitFor<ModelCompleteEvent>(run, c => c.Model == stalling);
        stalled.Status.ShouldBe(ModelStatus.Failed);
        stalled.Error.ShouldBe("No data for 30 s: the model stalled.");
        stalled.Text.ShouldBe(TextOf(run.Log.Snapshot(), 0, stalling));
    }

    [Test]
    public async Task Heartbeat_ComesAboutEverySecondWhileAModelIsPending()
    {
        const string late = "sim/late?ttft=10000&tps=200&tokens=5";
        var run = StartOn(_silo, Plan([Fast, late]));

        await Advance(TimeSpan.FromSeconds(6), step: TimeSpan.FromMilliseconds(50));

        var heartbeats = run.Log.Snapshot().OfType<StageProgressEvent>()
            .Where(p => p.Stage == 0 && p.Status == StageStatus.Running && p.PendingModels.SequenceEqual([late]))
            .ToArray();
        heartbeats.Length.ShouldBeInRange(4, 6); // one when Fast finished, then one per quiet second
        heartbeats.Zip(heartbeats.Skip(1), (a, b) => b.ElapsedMs - a.ElapsedMs).ShouldAllBe(gap => gap >= 1000 && gap <= 1300);
    }

    [Test]
    public async Task FinishedRun_StaysAWhileThenItsGrainIsReleased_AndReplaysFromStorage()
    {
        var run = StartOn(_silo, Plan([Fast, Quick]));
        await Advance(TimeSpan.FromSeconds(2), step: TimeSpan.FromMilliseconds(10));
        var events = await Finish(run);
        events[^1].ShouldBeOfType<RunCompleteEvent>().Status.ShouldBe(RunStatus.Ok);

        await Advance(TimeSpan.FromSeconds(55), step: TimeSpan.FromSeconds(1));
        _silo.Logs.Find(run.RunId, run.Plan.Owner).ShouldBeSameAs(run.Log, "within the idle time the live log is still served");

        await Advance(TimeSpan.FromSeconds(6), step: TimeSpan.FromSeconds(1));
        await Until(() => _silo.Logs.Find(run.RunId, run.Plan.Owner) is null);
        _silo.Logs.Count.ShouldBe(0);

        await Stored.Store.FlushAsync();
        var attached = await run.Grain.Attach(run.Plan.Owner);
        (attached.Known, attached.Status, attached.LastSeq).ShouldBe((true, RunStatus.Ok, (long)events.Count));
        var replayed = _silo.Logs.Collect(attached.Handoff).ShouldNotBeNull();
        replayed.ShouldNotBeSameAs(run.Log);
        replayed.IsCompleted.ShouldBeTrue();
        replayed.Snapshot().Select(StoredEvents.Serialize).ShouldBe(events.Select(StoredEvents.Serialize));
        (await run.Grain.Attach("someone-else")).Known.ShouldBeFalse("another user's run is unknown to them");
        (await run.Grain.CancelRun(run.Plan.Owner)).ShouldBe(RunReply.NotAccepted);
    }

    [Test]
    public async Task UnknownRun_IsUnknownToEveryCommand()
    {
        var grain = _silo.Grains.GetGrain<IRunGrain>("no-such-run");

        (await grain.Attach(Council.Server.Auth.CouncilUser.LocalUser)).ShouldBe(RunAttachment.None);
        (await grain.CancelRun(Council.Server.Auth.CouncilUser.LocalUser)).ShouldBe(RunReply.Unknown);
        (await grain.CancelModel(Council.Server.Auth.CouncilUser.LocalUser, Fast, null)).ShouldBe(RunReply.Unknown);
    }

    /// <summary>Moves the fake clock in steps, letting the grains and models act on each.</summary>
    private async Task Advance(TimeSpan by, TimeSpan step)
    {
        for (var moved = TimeSpan.Zero; moved < by; moved += step)
        {
            _time.Advance(step);
            await Task.Delay(1);
        }
        await Task.Delay(20);
    }

    private static async Task Until(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The condition did not come true.");
            }
            await Task.Delay(5);
        }
    }
}
