using System.Diagnostics;
using static Council.Server.Tests.Telemetry.TracedCouncil;

namespace Council.Server.Tests.Telemetry;

/// <summary>Spans of real runs driven over the hub, read back from an in-memory exporter added through the app's own telemetry.</summary>
[CancelAfter(60_000)]
public sealed class RunTracingTests
{
    private static readonly string[] PipelineRoles =
        ["sim/arch?ttft=10&tps=500&tokens=20", "sim/code?ttft=10&tps=500&tokens=20", "sim/rev?ttft=10&tps=500&tokens=20&approve=0", "sim/doc?ttft=10&tps=500&tokens=20"];

    private readonly SpanCollector _spans = new();
    private CouncilApp _app = null!;

    [OneTimeSetUp]
    public void StartApp() => _app = new CouncilApp(services: _spans.AddTo).Start();

    [OneTimeTearDown]
    public async Task StopApp() => await _app.DisposeAsync();

    [Test]
    public async Task CouncilRun_IsASpanTree_RunStagesModelCalls_UnderTheHubInvocation(CancellationToken cancellationToken)
    {
        await using var hub = await _app.ConnectAsync(cancellationToken);
        var runId = await StartAsync(hub, [A, B], Chair, cancellationToken);
        await RunCompleteAsync(hub, runId, cancellationToken);
        var run = await RunSpanAsync(_spans, runId, cancellationToken);

        var invocation = _spans.Spans.Single(s => s.SpanId == run.ParentSpanId);
        invocation.Source.Name.ShouldBe("Microsoft.AspNetCore.SignalR.Server");
        invocation.DisplayName.ShouldEndWith("start_run");

        run.OperationName.ShouldBe("run council");
        run.Tag("council.workflow").ShouldBe("council");
        run.Tag("council.run.status").ShouldBe("ok");
        run.Tag("council.models").ShouldBe(new[] { A, B });
        run.Tag("council.chairman").ShouldBe(Chair);
        run.Status.ShouldBe(ActivityStatusCode.Unset);
        ((int)run.Tag("gen_ai.usage.output_tokens")!).ShouldBe(20 * 5, "two answers, two reviews and a synthesis of 20 tokens each");

        var stages = ChildrenOf(_spans, run);
        stages.Select(s => s.OperationName).ShouldBe(["stage answers", "stage reviews", "stage synthesis"]);
        stages.ShouldAllBe(s => (string?)s.GetTagItem("council.stage.status") == "completed");
        stages.Select(s => s.Tag("council.stage.kind")).ShouldBe(["answers", "review", "synthesis"]);

        var calls = stages.Select(s => ChildrenOf(_spans, s)).ToArray();
        calls.Select(c => c.Length).ShouldBe([2, 2, 1]);
        calls[0].Select(c => c.Tag("gen_ai.request.model")).ShouldBe([A, B], ignoreOrder: true);
        calls[2].Single().Tag("gen_ai.request.model").ShouldBe(Chair);
        foreach (var call in calls.SelectMany(c => c))
        {
            call.Kind.ShouldBe(ActivityKind.Client);
            call.OperationName.ShouldBe($"chat {call.Tag("gen_ai.request.model")}");
            call.Tag("gen_ai.operation.name").ShouldBe("chat");
            call.Tag("gen_ai.provider.name").ShouldBe("simulated");
            call.Tag("gen_ai.system").ShouldBe("simulated");
            call.Tag("council.call.status").ShouldBe("ok");
            call.Tag("council.run.id").ShouldBe(runId);
            ((int)call.Tag("gen_ai.usage.input_tokens")!).ShouldBeGreaterThan(0);
            call.Tag("gen_ai.usage.output_tokens").ShouldBe(20);
            ((long)call.Tag("council.time_to_first_token_ms")!).ShouldBeInRange(15, 5_000);
            ((long)call.Tag("council.duration_ms")!).ShouldBeGreaterThanOrEqualTo((long)call.Tag("council.time_to_first_token_ms")!);
            call.Events.ShouldContain(e => e.Name == "gen_ai.first_token");
            call.Status.ShouldBe(ActivityStatusCode.Unset);
            call.StartTimeUtc.ShouldBeGreaterThanOrEqualTo(run.StartTimeUtc);
        }
    }

    [Test]
    public async Task ModelSkippedByTheUser_HasACancelledSpan_SayingSo(CancellationToken cancellationToken)
    {
        await using var hub = await _app.ConnectAsync(cancellationToken);
        var runId = await StartAsync(hub, [A, Slow], Chair, cancellationToken);
        await hub.WaitForAsync("token", t => t.GetProperty("runId").GetString() == runId && t.GetProperty("model").GetString() == Slow, cancellationToken);
        var accepted = await hub.InvokeAsync("cancel_model", new { runId, model = Slow }, cancellationToken);
        accepted.GetProperty("accepted").GetBoolean().ShouldBeTrue();
        await RunCompleteAsync(hub, runId, cancellationToken);
        var run = await RunSpanAsync(_spans, runId, cancellationToken);

        var answers = ChildrenOf(_spans, run)[0];
        var skipped = ChildrenOf(_spans, answers).Single(c => (string?)c.Tag("gen_ai.request.model") == Slow);
        skipped.Tag("council.call.status").ShouldBe("cancelled");
        skipped.Tag("council.cancel.reason").ShouldBe("user");
        ((double)skipped.Tag("council.cancel.latency_ms")!).ShouldBeGreaterThanOrEqualTo(0);
        skipped.Tag("council.usage.estimated").ShouldBe(true);
        skipped.Status.ShouldNotBe(ActivityStatusCode.Error, "a user's skip is not an error");
        run.Tag("council.run.status").ShouldBe("ok");
    }

    [Test]
    public async Task RunCancelledByTheUser_EndsItsCallsAndStage_SayingSo(CancellationToken cancellationToken)
    {
        await using var hub = await _app.ConnectAsync(cancellationToken);
        var runId = await StartAsync(hub, [Slow, "sim/slow2?ttft=10&tps=20&tokens=500"], Chair, cancellationToken);
        await hub.WaitForAsync("token", t => t.GetProperty("runId").GetString() == runId, cancellationToken);
        await hub.InvokeAsync("cancel_run", new { runId }, cancellationToken);
        await RunCompleteAsync(hub, runId, cancellationToken);
        var run = await RunSpanAsync(_spans, runId, cancellationToken);

        run.Tag("council.run.status").ShouldBe("cancelled");
        run.Tag("council.cancel.reason").ShouldBe("user");
        var answers = ChildrenOf(_spans, run).Single();
        answers.Tag("council.stage.status").ShouldBe("cancelled");
        var calls = ChildrenOf(_spans, answers);
        calls.Length.ShouldBe(2);
        calls.ShouldAllBe(c => (string?)c.GetTagItem("council.cancel.reason") == "run_cancelled");
    }

    [Test]
    public async Task FailedModel_HasAnErrorSpan_WithItsType(CancellationToken cancellationToken)
    {
        await using var hub = await _app.ConnectAsync(cancellationToken);
        const string failing = "sim/flaky?ttft=10&tps=300&tokens=20&fail=before";
        var runId = await StartAsync(hub, [A, failing], Chair, cancellationToken);
        await RunCompleteAsync(hub, runId, cancellationToken);
        var run = await RunSpanAsync(_spans, runId, cancellationToken);

        var answers = ChildrenOf(_spans, run)[0];
        var failed = ChildrenOf(_spans, answers).Single(c => (string?)c.Tag("gen_ai.request.model") == failing);
        failed.Status.ShouldBe(ActivityStatusCode.Error);
        failed.StatusDescription.ShouldNotBeNullOrEmpty();
        failed.Tag("error.type").ShouldBe("provider_error");
        failed.Tag("council.call.status").ShouldBe("failed");
        ChildrenOf(_spans, run).Select(s => s.OperationName).ShouldBe(["stage answers", "stage reviews", "stage synthesis"],
            "one answer left: the review stage is skipped, and still shown");
        ChildrenOf(_spans, run)[1].Tag("council.stage.status").ShouldBe("skipped");
    }

    [Test]
    public async Task PipelineLoop_NamesEachRoundsStage_AsClientsSeeIt(CancellationToken cancellationToken)
    {
        await using var hub = await _app.ConnectAsync(cancellationToken);
        var result = await hub.InvokeAsync("start_run", new
        {
            prompt = "Write a function that adds two numbers.",
            workflow = "pipeline",
            models = PipelineRoles,
        }, cancellationToken);
        var runId = result.GetProperty("runId").GetString()!;
        await RunCompleteAsync(hub, runId, cancellationToken);
        var run = await RunSpanAsync(_spans, runId, cancellationToken);

        var stages = ChildrenOf(_spans, run);
        stages.Select(s => s.OperationName).ShouldBe([
            "stage architect", "stage coder", "stage reviewer", "stage refiner (round 1)", "stage reviewer (round 2)",
            "stage refiner (round 2)", "stage reviewer (round 3)", "stage documenter"]);
        stages.Select(s => s.Tag("council.stage.index")).ShouldBe(Enumerable.Range(0, 8).Cast<object?>());
        stages.ShouldAllBe(s => ChildrenOf(_spans, s).Length == 1);
    }

    [Test]
    public async Task Quorum_AnswersStageSpan_EndsWithItsLastLateAnswer(CancellationToken cancellationToken)
    {
        await using var hub = await _app.ConnectAsync(cancellationToken);
        const string late = "sim/late?ttft=10&tps=60&tokens=40";
        var result = await hub.InvokeAsync("start_run", new
        {
            prompt = "Why is the sky blue?",
            models = new[] { A, B, late },
            chairman = Chair,
            quorum = new { answers = 2 },
        }, cancellationToken);
        var runId = result.GetProperty("runId").GetString()!;
        await RunCompleteAsync(hub, runId, cancellationToken);
        var run = await RunSpanAsync(_spans, runId, cancellationToken);

        var stages = ChildrenOf(_spans, run);
        stages.Select(s => s.OperationName).ShouldBe(["stage answers", "stage reviews", "stage synthesis"]);
        var answers = stages[0];
        answers.Tag("council.stage.status").ShouldBe("completed");
        var lateCall = ChildrenOf(_spans, answers).Single(c => (string?)c.Tag("gen_ai.request.model") == late);
        lateCall.Tag("council.call.status").ShouldBe("ok");
        (answers.StartTimeUtc + answers.Duration).ShouldBeGreaterThanOrEqualTo(lateCall.StartTimeUtc + lateCall.Duration);
        stages[1].StartTimeUtc.ShouldBeLessThan(lateCall.StartTimeUtc + lateCall.Duration, "the reviews started before the late answer was in");
    }
}
