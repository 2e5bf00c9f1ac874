using System.Diagnostics;
using static Council.Server.Tests.Telemetry.TracedCouncil;

namespace Council.Server.Tests.Telemetry;

/// <summary>Spans of real runs driven over the hub, read back from an in-memory exporter added through the app's own telemetry.</summary>
[CancelAfter(60_000)]
public sealed class RunTracingTests
{
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
}
