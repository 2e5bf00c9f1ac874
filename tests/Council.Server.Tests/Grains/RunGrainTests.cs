using Council.Contracts.Messages;
using static Council.Server.Tests.Grains.GrainHarness;

namespace Council.Server.Tests.Grains;

public class RunGrainTests
{
    [Test]
    public async Task FullCouncil_SeqsAreContiguousAndDeltasRebuildEveryText()
    {
        var events = await Finish(Start([Fast, Quick]));

        events.Select(e => e.Seq).ShouldBe(Enumerable.Range(1, events.Count).Select(i => (long)i));
        var completes = events.OfType<ModelCompleteEvent>().ToArray();
        completes.Length.ShouldBe(5); // 2 answers, 2 reviews, 1 synthesis
        foreach (var complete in completes)
        {
            complete.Status.ShouldBe(ModelStatus.Ok);
            TextOf(events, complete.Stage, complete.Model).ShouldBe(complete.Text);
            complete.Text.ShouldNotBeNullOrWhiteSpace();
        }
        completes.Where(c => c.Stage == 1).ShouldAllBe(c => c.Ranking != null && c.Ranking.Count == 2);

        var end = events[^1].ShouldBeOfType<RunCompleteEvent>();
        end.Status.ShouldBe(RunStatus.Ok);
        end.Final.ShouldBe(completes.Single(c => c.Stage == 2).Text);
        end.AggregateRankings!.Select(r => r.Model).ShouldBe([Fast, Quick], ignoreOrder: true);
        end.Metrics.Calls.Count.ShouldBe(5);
        end.Metrics.CompletionTokens.ShouldBe(end.Metrics.Calls.Sum(c => c.CompletionTokens));
    }

    [Test]
    public async Task FullCouncil_StagesRunInOrderAndEachStartsWithProgress()
    {
        var events = await Finish(Start([Fast, Quick]));

        var progress = events.OfType<StageProgressEvent>().Where(p => p.Status is StageStatus.Started or StageStatus.Completed)
            .Select(p => $"{p.Stage}:{p.Status}").ToArray();
        progress.ShouldBe(["0:Started", "0:Completed", "1:Started", "1:Completed", "2:Started", "2:Completed"]);
        foreach (var start in events.OfType<ModelStartEvent>())
        {
            var stageStart = events.OfType<StageProgressEvent>().First(p => p.Stage == start.Stage);
            stageStart.Seq.ShouldBeLessThan(start.Seq);
        }
    }

    [Test]
    public async Task CancelModel_LeavesOtherModelsStreaming()
    {
        const string slow = "sim/slow?ttft=20&tps=20&tokens=400";
        var grain = Start([Fast, Quick, slow]);
        await WaitFor<TokenEvent>(grain, t => t.Model == slow);

        (await grain.CancelModelAsync(slow, null)).ShouldBeTrue();
        var events = await Finish(grain);

        var cancelled = events.OfType<ModelCompleteEvent>().Single(c => c.Model == slow);
        cancelled.Status.ShouldBe(ModelStatus.Cancelled);
        cancelled.Text.ShouldNotBeEmpty();
        cancelled.Text.ShouldBe(TextOf(events, 0, slow));
        cancelled.Usage!.Partial.ShouldBe(true);
        events.OfType<ModelCompleteEvent>().Where(c => c.Model != slow).ShouldAllBe(c => c.Status == ModelStatus.Ok);
        events.OfType<ModelStartEvent>().Where(s => s.Stage > 0).ShouldNotContain(s => s.Model == slow);
        events[^1].ShouldBeOfType<RunCompleteEvent>().Status.ShouldBe(RunStatus.Ok);
    }

    [Test]
    public async Task CancelModel_NoTokenArrivesAfterItsModelComplete()
    {
        const string slow = "sim/slow?ttft=10&tps=200&tokens=2000";
        var grain = Start([Fast, slow]);
        await WaitFor<TokenEvent>(grain, t => t.Model == slow);
        await grain.CancelModelAsync(slow, 0);
        var events = await Finish(grain);

        var completeSeq = events.OfType<ModelCompleteEvent>().Single(c => c.Model == slow).Seq;
        events.OfType<TokenEvent>().Where(t => t.Model == slow && t.Stage == 0).ShouldAllBe(t => t.Seq < completeSeq);
    }

    [Test]
    public async Task CancelModel_AfterItFinished_IsNotAccepted()
    {
        var grain = Start([Fast, "sim/slow?ttft=400&tps=50&tokens=20"]);
        await WaitFor<ModelCompleteEvent>(grain, c => c.Model == Fast);

        (await grain.CancelModelAsync(Fast, 0)).ShouldBeFalse();
        (await grain.CancelModelAsync("sim/never-in-this-run", null)).ShouldBeFalse();
        await Finish(grain);
        (await grain.CancelModelAsync(Fast, null)).ShouldBeFalse();
    }

    [Test]
    public async Task CancelRun_EndsEverythingInFlight()
    {
        var grain = Start(["sim/a?ttft=10&tps=20&tokens=500", "sim/b?ttft=10&tps=20&tokens=500"]);
        await WaitFor<TokenEvent>(grain, _ => true);

        (await grain.CancelRunAsync()).ShouldBeTrue();
        var events = await Finish(grain);

        events.OfType<ModelCompleteEvent>().ShouldAllBe(c => c.Status == ModelStatus.Cancelled);
        events.OfType<ModelCompleteEvent>().Count().ShouldBe(2);
        events[^1].ShouldBeOfType<RunCompleteEvent>().Status.ShouldBe(RunStatus.Cancelled);
        (await grain.CancelRunAsync()).ShouldBeFalse();
    }

    [Test]
    public async Task FailingModels_ShowTheirErrorsWhileTheRunCompletes()
    {
        var events = await Finish(Start([Fast, Quick, "sim/x?ttft=10&fail=before", "sim/y?ttft=10&tps=300&tokens=20&fail=midstream"]));

        var failed = events.OfType<ModelCompleteEvent>().Where(c => c.Status == ModelStatus.Failed).ToDictionary(c => c.Model);
        failed.Keys.ShouldBe(["sim/x?ttft=10&fail=before", "sim/y?ttft=10&tps=300&tokens=20&fail=midstream"], ignoreOrder: true);
        failed["sim/x?ttft=10&fail=before"].Error!.ShouldContain("before the first token");
        failed["sim/y?ttft=10&tps=300&tokens=20&fail=midstream"].Text.ShouldNotBeEmpty();
        events[^1].ShouldBeOfType<RunCompleteEvent>().Status.ShouldBe(RunStatus.Ok);
    }

    [Test]
    public async Task NoModelAnswers_RunFailsWithTheProvidersErrors()
    {
        var events = await Finish(Start(["sim/x?ttft=10&fail=before", "sim/y?ttft=10&fail=before"]));

        var end = events[^1].ShouldBeOfType<RunCompleteEvent>();
        end.Status.ShouldBe(RunStatus.Failed);
        end.Error!.ShouldContain("sim/x?ttft=10&fail=before: ");
        end.Error!.ShouldContain("sim/y?ttft=10&fail=before: ");
        events.OfType<ModelStartEvent>().ShouldAllBe(s => s.Stage == 0);
    }

    [Test]
    public async Task ChairmanFails_FallbackTakesOverAndTheUserSeesWhy()
    {
        var events = await Finish(Start([Fast, Quick], chairman: "sim/bad-chair?ttft=10&fail=before", fallbacks: [Chair]));

        var synthesis = events.OfType<ModelCompleteEvent>().Where(c => c.Stage == 2).ToArray();
        synthesis.Select(c => (c.Model, c.Status)).ShouldBe([("sim/bad-chair?ttft=10&fail=before", ModelStatus.Failed), (Chair, ModelStatus.Ok)]);
        synthesis[0].Error.ShouldNotBeNullOrEmpty();
        events[^1].ShouldBeOfType<RunCompleteEvent>().Final.ShouldBe(synthesis[1].Text);
    }

    [Test]
    public async Task OneAnswer_SkipsTheReviewStage()
    {
        var events = await Finish(Start([Fast, "sim/x?ttft=10&fail=before"]));

        events.OfType<StageProgressEvent>().ShouldContain(p => p.Stage == 1 && p.Status == StageStatus.Skipped);
        events.OfType<ModelStartEvent>().ShouldNotContain(s => s.Stage == 1);
        events[^1].ShouldBeOfType<RunCompleteEvent>().Status.ShouldBe(RunStatus.Ok);
    }

    [Test]
    public async Task Batching_MergesAFastModelsDeltasWithoutLosingText()
    {
        const string rapid = "sim/rapid?ttft=10&tps=2000&tokens=400";
        var batched = await Finish(Start([rapid, Fast], options: new CouncilOptions { TokenBatchWindowMs = 30 }));
        var unbatched = await Finish(Start([rapid, Fast], options: new CouncilOptions { TokenBatchWindowMs = 0 }));

        var batchedTokens = batched.OfType<TokenEvent>().Count(t => t.Model == rapid && t.Stage == 0);
        var unbatchedTokens = unbatched.OfType<TokenEvent>().Count(t => t.Model == rapid && t.Stage == 0);
        unbatchedTokens.ShouldBe(400);
        batchedTokens.ShouldBeLessThan(100);
        TextOf(batched, 0, rapid).ShouldBe(batched.OfType<ModelCompleteEvent>().First(c => c.Model == rapid).Text);
        TextOf(batched, 0, rapid).ShouldBe(TextOf(unbatched, 0, rapid));
    }

    [Test]
    public async Task TokenBudget_EndsTheRunWhenItIsSpent()
    {
        var events = await Finish(Start(["sim/a?ttft=10&tps=500&tokens=300", "sim/b?ttft=10&tps=500&tokens=300"], options: new CouncilOptions { MaxTokensPerRun = 100 }));

        var end = events[^1].ShouldBeOfType<RunCompleteEvent>();
        end.Status.ShouldBe(RunStatus.Failed);
        end.Error!.ShouldStartWith("The run reached its limit of 100 tokens (Council:MaxTokensPerRun");
        events.OfType<TokenEvent>().Sum(t => Council.Server.Grains.TokenBudget.Estimate(t.Delta)).ShouldBeLessThanOrEqualTo(100);
        events.OfType<ModelCompleteEvent>().ShouldAllBe(c => c.Status == ModelStatus.Cancelled);
        foreach (var complete in events.OfType<ModelCompleteEvent>())
        {
            TextOf(events, complete.Stage, complete.Model).ShouldBe(complete.Text, "deltas still rebuild each text when the budget ends the run");
        }
    }
}
