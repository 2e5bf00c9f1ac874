using Council.Contracts.Messages;
using Council.Server.Tests.Grains;
using Council.Server.Workflows;
using static Council.Server.Tests.Grains.GrainHarness;

namespace Council.Server.Tests.Workflows;

public class QuorumTests
{
    private const string VerySlow = "sim/tortoise?ttft=20&tps=15&tokens=50";

    private static TestRun StartWithQuorum(Quorum quorum, params string[] models) =>
        Start(models, prompt: "quorum question", quorum: quorum);

    [Test]
    public async Task ReviewsStartAtKAnswers_TheLateAnswerIsShownButNotReviewed()
    {
        var events = await Finish(StartWithQuorum(new Quorum(Answers: 2), Fast, Quick, VerySlow));

        var reviewStart = events.OfType<StageProgressEvent>().First(p => p.Stage == 1 && p.Status == StageStatus.Started);
        var late = events.OfType<ModelCompleteEvent>().Single(c => c.Model == VerySlow && c.Stage == 0);
        reviewStart.Seq.ShouldBeLessThan(late.Seq, "the reviews did not wait for the slow model");
        late.Status.ShouldBe(ModelStatus.Ok);
        late.Reviewed.ShouldBe(false);
        events.OfType<ModelCompleteEvent>().Where(c => c.Stage == 0 && c.Model != VerySlow).ShouldAllBe(c => c.Reviewed == null);
        events.OfType<ModelStartEvent>().Where(s => s.Stage == 1).Select(s => s.Model).ShouldBe([Fast, Quick], ignoreOrder: true);
        events.OfType<ModelCompleteEvent>().Where(c => c.Stage == 1).ShouldAllBe(c => !c.Ranking!.Contains(VerySlow));
        events.OfType<StageProgressEvent>().Count(p => p.Stage == 0 && p.Status == StageStatus.Completed).ShouldBe(1);
        events.Select(e => e.Seq).ShouldBe(Enumerable.Range(1, events.Count).Select(i => (long)i));
        var synthesisDone = events.OfType<ModelCompleteEvent>().Single(c => c.Stage == 2).Seq;
        synthesisDone.ShouldBeLessThan(late.Seq, "the final answer did not wait for the late model either");
        events[^1].ShouldBeOfType<RunCompleteEvent>().Status.ShouldBe(RunStatus.Ok);
    }

    [Test]
    public async Task ReviewsStartAtTheDeadline_WithTheAnswersIn()
    {
        var events = await Finish(StartWithQuorum(new Quorum(DeadlineMs: 700), Fast, Quick, VerySlow));

        var reviewStart = events.OfType<StageProgressEvent>().First(p => p.Stage == 1 && p.Status == StageStatus.Started);
        reviewStart.Seq.ShouldBeLessThan(events.OfType<ModelCompleteEvent>().Single(c => c.Model == VerySlow && c.Stage == 0).Seq);
        events[^1].ShouldBeOfType<RunCompleteEvent>().Status.ShouldBe(RunStatus.Ok);
    }

    [Test]
    public async Task WithoutQuorum_ReviewsWaitForEveryAnswer()
    {
        var events = await Finish(Start([Fast, Quick, "sim/late?ttft=20&tps=60&tokens=40"]));
        var lastAnswer = events.OfType<ModelCompleteEvent>().Where(c => c.Stage == 0).Max(c => c.Seq);
        events.OfType<StageProgressEvent>().First(p => p.Stage == 1).Seq.ShouldBeGreaterThan(lastAnswer);
        events.OfType<ModelCompleteEvent>().ShouldAllBe(c => c.Reviewed == null);
    }
}
