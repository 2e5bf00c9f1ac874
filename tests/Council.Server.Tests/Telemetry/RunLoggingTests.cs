using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static Council.Server.Tests.Telemetry.TracedCouncil;

namespace Council.Server.Tests.Telemetry;

/// <summary>Run logs: structured, scoped with run id, model and trace id; no prompt unless asked; never a provider key.</summary>
[CancelAfter(60_000)]
public sealed class RunLoggingTests
{
    private const string Secret = "sk-council-test-0123456789abcdef";
    private const string Prompt = "What is the airspeed velocity of an unladen swallow?";

    [Test]
    public async Task RunLogs_CarryRunIdTraceIdAndModel_AndNeitherPromptNorKey(CancellationToken cancellationToken)
    {
        var logs = new LogCollector();
        var spans = new SpanCollector();
        var port = CouncilApp.FreePort();
        string runId;
        await using (var app = new CouncilApp(new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Trace",
            ["Council:Providers:self:BaseUrl"] = $"http://127.0.0.1:{port}/v1",
            ["Council:Providers:self:ApiKey"] = Secret,
        }, services =>
        {
            services.AddSingleton<ILoggerProvider>(logs);
            spans.AddTo(services);
        }, port).Start())
        {
            await using var hub = await app.ConnectAsync(cancellationToken);
            runId = await StartAsync(hub, [$"self/{A}", $"self/sim/flaky?ttft=10&fail=before"], $"self/{Chair}", cancellationToken, Prompt);
            await RunCompleteAsync(hub, runId, cancellationToken);
            await RunSpanAsync(spans, runId, cancellationToken);
        }

        var entries = logs.Entries.ToArray();
        entries.ShouldNotBeEmpty();
        entries.ShouldAllBe(e => !e.Message.Contains(Secret) && !e.Scope.Values.Any(v => v != null && v.ToString()!.Contains(Secret)),
            "a provider key is never logged, at any level");
        entries.ShouldAllBe(e => !e.Message.Contains(Prompt), "the prompt is not logged unless Council:Telemetry:LogPrompts is on");

        var runLogs = entries.Where(e => e.Category == "Council.Server.Telemetry.RunLogger").ToArray();
        var traceId = spans.Spans.First(s => (string?)s.GetTagItem("council.run.id") == runId).TraceId.ToHexString();
        var started = runLogs.Single(e => e.Message.StartsWith($"Run {runId} started", StringComparison.Ordinal));
        started.Level.ShouldBe(LogLevel.Information);
        started.State["Workflow"].ShouldBe("council");
        started.State["PromptChars"].ShouldBe(Prompt.Length);
        started.Scope["RunId"].ShouldBe(runId);
        started.Scope["TraceId"].ShouldBe(traceId);

        var failed = runLogs.Single(e => e.Level == LogLevel.Warning && e.Message.Contains("sim/flaky", StringComparison.Ordinal));
        failed.Scope["Model"].ShouldBe("self/sim/flaky?ttft=10&fail=before");
        failed.Scope["TraceId"].ShouldBe(traceId);
        failed.State["Provider"].ShouldBe("self");

        var ended = runLogs.Single(e => e.Message.StartsWith($"Run {runId} ended", StringComparison.Ordinal));
        ended.Scope["TraceId"].ShouldBe(traceId);
        ((int)ended.State["OutputTokens"]!).ShouldBeGreaterThan(0);
    }

    [Test]
    public async Task Prompt_IsLogged_WhenOptedIn(CancellationToken cancellationToken)
    {
        var logs = new LogCollector();
        await using (var app = new CouncilApp(new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Council.Server.Telemetry"] = "Information",
            ["Council:Telemetry:LogPrompts"] = "true",
        }, services => services.AddSingleton<ILoggerProvider>(logs)).Start())
        {
            await using var hub = await app.ConnectAsync(cancellationToken);
            var runId = await StartAsync(hub, [A, B], Chair, cancellationToken, Prompt);
            await RunCompleteAsync(hub, runId, cancellationToken);
        }

        logs.Entries.ShouldContain(e => e.Message.EndsWith($"prompt: {Prompt}", StringComparison.Ordinal));
    }
}
