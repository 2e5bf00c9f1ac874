using Council.Contracts.Messages;
using Council.Server.Workflows;
using static Council.Server.Tests.Grains.GrainHarness;

namespace Council.Server.Tests.Workflows;

public class WorkflowRunTests
{
    private static string[] StageNames(IEnumerable<RunEvent> events) =>
        events.OfType<StageProgressEvent>().Where(p => p.Status == StageStatus.Started).Select(p => p.Name).ToArray();

    [Test]
    public async Task Grid_AnswersThenMasterSynthesis_NoReview()
    {
        var events = await Finish(Start([Fast, Quick], workflow: WorkflowCatalog.Grid));

        StageNames(events).ShouldBe(["answers", "synthesis"]);
        var end = events[^1].ShouldBeOfType<RunCompleteEvent>();
        end.Status.ShouldBe(RunStatus.Ok);
        end.AggregateRankings.ShouldBeNull();
        end.Final.ShouldBe(events.OfType<ModelCompleteEvent>().Single(c => c.Stage == 1).Text);
    }

    [Test]
    public async Task Pipeline_RefinesUntilTheReviewerApproves()
    {
        const string reviewer = "sim/rev?ttft=10&tps=500&tokens=30&approve=2";
        var events = await Finish(Start(["sim/arch?ttft=10&tps=500&tokens=30", "sim/code?ttft=10&tps=500&tokens=30", reviewer, "sim/doc?ttft=10&tps=500&tokens=30"],
            workflow: WorkflowCatalog.Pipeline));

        StageNames(events).ShouldBe(["architect", "coder", "reviewer", "refiner (round 1)", "reviewer (round 2)", "documenter"]);
        events.OfType<ModelStartEvent>().Select(s => s.Model.Split('?')[0]).ShouldBe(
            ["sim/arch", "sim/code", "sim/rev", "sim/code", "sim/rev", "sim/doc"], "first-pass roles take the models in turn; the coder refines");
        var reviews = events.OfType<ModelCompleteEvent>().Where(c => c.Model == reviewer).ToArray();
        VerdictParser.Parse(reviews[0].Text)!.Approved.ShouldBeFalse();
        VerdictParser.Parse(reviews[1].Text)!.Approved.ShouldBeTrue();
        events.OfType<ModelCompleteEvent>().ShouldAllBe(c => c.Status == ModelStatus.Ok);
        events.OfType<TokenEvent>().Select(t => t.Stage).Distinct().Count().ShouldBe(6, "every role streams");
        var end = events[^1].ShouldBeOfType<RunCompleteEvent>();
        end.Final.ShouldBe(events.OfType<ModelCompleteEvent>().Last().Text);
    }

    [Test]
    public async Task Pipeline_StopsTheLoopAtTheRoundLimit()
    {
        var events = await Finish(Start(["sim/arch?ttft=10&tps=500&tokens=20", "sim/code?ttft=10&tps=500&tokens=20", "sim/rev?ttft=10&tps=500&tokens=20&approve=0", "sim/doc?ttft=10&tps=500&tokens=20"],
            workflow: WorkflowCatalog.Pipeline));

        StageNames(events).ShouldBe(["architect", "coder", "reviewer", "refiner (round 1)", "reviewer (round 2)", "refiner (round 2)", "reviewer (round 3)", "documenter"]);
        events[^1].ShouldBeOfType<RunCompleteEvent>().Status.ShouldBe(RunStatus.Ok);
    }

    [Test]
    public async Task Pipeline_CancelOfTheRunningRole_GoesOnWithItsPartialText()
    {
        const string coder = "sim/code?ttft=10&tps=30&tokens=400";
        var grain = Start(["sim/arch?ttft=10&tps=500&tokens=20", coder, "sim/rev?ttft=10&tps=500&tokens=20&approve=1", "sim/doc?ttft=10&tps=500&tokens=20"],
            workflow: WorkflowCatalog.Pipeline);
        await WaitFor<TokenEvent>(grain, t => t.Model == coder);
        (await grain.CancelModelAsync(coder, null)).ShouldBeTrue();
        var events = await Finish(grain);

        var cancelled = events.OfType<ModelCompleteEvent>().Single(c => c.Model == coder);
        cancelled.Status.ShouldBe(ModelStatus.Cancelled);
        cancelled.Text.ShouldNotBeEmpty();
        StageNames(events).ShouldBe(["architect", "coder", "reviewer", "documenter"]);
        events[^1].ShouldBeOfType<RunCompleteEvent>().Status.ShouldBe(RunStatus.Ok);
    }

    [Test]
    public async Task Pipeline_RequiredRoleWithNoOutput_StopsTheRun()
    {
        var events = await Finish(Start(["sim/arch?ttft=10&fail=before", "sim/code?ttft=10&tps=500&tokens=20"], workflow: WorkflowCatalog.Pipeline));

        StageNames(events).ShouldBe(["architect"]);
        var end = events[^1].ShouldBeOfType<RunCompleteEvent>();
        end.Status.ShouldBe(RunStatus.Failed);
        end.Error!.ShouldContain("architect produced nothing");
    }
}
