using System.Collections.Concurrent;
using Council.Contracts.Messages;
using Council.Server.Grains;
using Council.Server.Workflows;
using static Council.Server.Tests.Grains.GrainHarness;

namespace Council.Server.Tests.Grains;

public class RunObserverTests
{
    private sealed class Recorder : IRunObserver
    {
        public ConcurrentQueue<string> Seen { get; } = new();
        public int Events;

        public void RunStarted(RunPlan plan) => Seen.Enqueue("run");
        public void StageStarted(RunPlan plan, int stage, StageDefinition definition, IReadOnlyList<string> models) => Seen.Enqueue($"stage {stage} {definition.Name} {models.Count}");
        public void StageEnded(RunPlan plan, int stage, StageStatus status) => Seen.Enqueue($"stage {stage} {status}");
        public void CallEnded(RunPlan plan, ModelCompleteEvent complete, string provider, long? cancelRequestedAt) =>
            Seen.Enqueue($"call {complete.Stage} {complete.Status} {provider} {(cancelRequestedAt is null ? "" : "user-cancel")}".TrimEnd());
        public void EventAppended(RunPlan plan, RunEvent runEvent) => Interlocked.Increment(ref Events);
        public void RunEnded(RunPlan plan, RunCompleteEvent end) => Seen.Enqueue($"end {end.Status}");
    }

    private sealed class Faulty : IRunObserver
    {
        public void EventAppended(RunPlan plan, RunEvent runEvent) => throw new InvalidOperationException("observer bug");
        public void CallEnded(RunPlan plan, ModelCompleteEvent complete, string provider, long? cancelRequestedAt) => throw new InvalidOperationException("observer bug");
    }

    [Test]
    public async Task Observer_SeesTheRunsLifecycleInOrder()
    {
        var recorder = new Recorder();
        var events = await Finish(Start([Fast, Quick], observers: [recorder]));

        recorder.Events.ShouldBe(events.Count);
        recorder.Seen.ToArray().ShouldBe([
            "run",
            "stage 0 answers 2", "call 0 Ok simulated", "call 0 Ok simulated", "stage 0 Completed",
            "stage 1 reviews 2", "call 1 Ok simulated", "call 1 Ok simulated", "stage 1 Completed",
            "stage 2 synthesis 1", "call 2 Ok simulated", "stage 2 Completed",
            "end Ok",
        ]);
    }

    [Test]
    public async Task Observer_MarksAUsersCancel()
    {
        var recorder = new Recorder();
        var grain = Start([Fast, "sim/slow?ttft=10&tps=20&tokens=500"], observers: [recorder]);
        await WaitFor<TokenEvent>(grain, t => t.Model.StartsWith("sim/slow", StringComparison.Ordinal));
        await grain.CancelModelAsync("sim/slow?ttft=10&tps=20&tokens=500", 0);
        await Finish(grain);

        recorder.Seen.ShouldContain("call 0 Cancelled simulated user-cancel");
    }

    [Test]
    public async Task FaultyObserver_DoesNotHurtTheRun()
    {
        var events = await Finish(Start([Fast, Quick], observers: [new Faulty()]));
        events[^1].ShouldBeOfType<RunCompleteEvent>().Status.ShouldBe(RunStatus.Ok);
    }
}
