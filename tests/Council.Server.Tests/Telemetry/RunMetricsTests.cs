using OpenTelemetry.Metrics;
using static Council.Server.Tests.Telemetry.TracedCouncil;

namespace Council.Server.Tests.Telemetry;

/// <summary>Council's instruments (and ASP.NET Core's) after real runs over the hub, read from an in-memory metric reader.</summary>
[CancelAfter(60_000)]
public sealed class RunMetricsTests
{
    private readonly MetricCollector _metrics = new();
    private CouncilApp _app = null!;

    [OneTimeSetUp]
    public void StartApp() => _app = new CouncilApp(services: _metrics.AddTo).Start();

    [OneTimeTearDown]
    public async Task StopApp() => await _app.DisposeAsync();

    [Test]
    public async Task CouncilRun_RecordsCallsTokensLatenciesAndRuns(CancellationToken cancellationToken)
    {
        var before = _metrics.Collect();
        await using (var hub = await _app.ConnectAsync(cancellationToken))
        {
            var runId = await StartAsync(hub, [A, B], Chair, cancellationToken);
            await RunCompleteAsync(hub, runId, cancellationToken);
        }
        var after = await SettledAsync(cancellationToken);

        Delta(before, after, "council.runs", ("council.run.status", "ok")).ShouldBe(1);
        Delta(before, after, "council.model_calls", ("council.call.status", "ok")).ShouldBe(5);
        Delta(before, after, "council.model_calls", ("council.call.status", "ok"), ("council.stage.name", "answers"), ("gen_ai.request.model", "sim/a")).ShouldBe(1,
            "model ids lose their parameters in metric attributes");
        Delta(before, after, "council.tokens", ("gen_ai.token.type", "output")).ShouldBe(100);
        Delta(before, after, "council.tokens", ("gen_ai.token.type", "input")).ShouldBeGreaterThan(0);

        var duration = Histogram(after, "gen_ai.client.operation.duration");
        duration.Count.ShouldBeGreaterThanOrEqualTo(5);
        (duration.Sum / duration.Count).ShouldBeInRange(0.02, 10, "seconds per call: 20 tokens at 300/s after 20-30 ms");
        Unit(after, "gen_ai.client.operation.duration").ShouldBe("s");

        var ttft = Histogram(after, "council.model_call.time_to_first_token");
        ttft.Count.ShouldBeGreaterThanOrEqualTo(5);
        (ttft.Sum / ttft.Count).ShouldBeInRange(0.015, 5);

        var lag = Histogram(after, "council.send.lag");
        lag.Count.ShouldBeGreaterThan(10, "every event sent to the subscriber");
        (lag.Sum / lag.Count).ShouldBeLessThan(1.0);

        Current(after, "council.runs.active").ShouldBe(0);
        Current(after, "council.model_calls.active").ShouldBe(0);
        Current(after, "council.subscribers").ShouldBe(0);

        string[] framework = ["http.server.active_requests", "kestrel.active_connections", "signalr.server.active_connections", "http.client.request.duration"];
        framework.ShouldBeSubsetOf(after.Select(s => s.Name).Distinct(), "ASP.NET Core's, HttpClient's and the runtime's meters are exported too");
        after.ShouldContain(s => s.Name.StartsWith("dotnet.", StringComparison.Ordinal));
    }

    [Test]
    public async Task RunInProgress_CountsActiveRunsCallsAndSubscribers_AndASkipItsCancelLatency(CancellationToken cancellationToken)
    {
        var before = _metrics.Collect();
        await using var hub = await _app.ConnectAsync(cancellationToken);
        var runId = await StartAsync(hub, [A, Slow], Chair, cancellationToken);
        await hub.WaitForAsync("token", t => t.GetProperty("model").GetString() == Slow, cancellationToken);

        var during = _metrics.Collect();
        Current(during, "council.runs.active").ShouldBe(1);
        Current(during, "council.model_calls.active").ShouldBeInRange(1, 2);
        Current(during, "council.subscribers").ShouldBe(1);
        Current(during, "signalr.server.active_connections").ShouldBeGreaterThanOrEqualTo(1);

        await hub.InvokeAsync("cancel_model", new { runId, model = Slow }, cancellationToken);
        await RunCompleteAsync(hub, runId, cancellationToken);
        var done = await SettledAsync(cancellationToken);

        Delta(before, done, "council.model_calls", ("council.call.status", "cancelled")).ShouldBe(1);
        var cancel = Histogram(done, "council.model_call.cancel_latency");
        cancel.Count.ShouldBe(1);
        cancel.Sum.ShouldBeInRange(0, 1);
    }

    [Test]
    public async Task PipelineLoop_CountsCallsByTheStagesDefinition_NotItsRound(CancellationToken cancellationToken)
    {
        var before = _metrics.Collect();
        await using (var hub = await _app.ConnectAsync(cancellationToken))
        {
            var result = await hub.InvokeAsync("start_run", new
            {
                prompt = "Write a function that adds two numbers.",
                workflow = "pipeline",
                models = PipelineRoles,
            }, cancellationToken);
            await RunCompleteAsync(hub, result.GetProperty("runId").GetString()!, cancellationToken);
        }
        var after = await SettledAsync(cancellationToken);

        Delta(before, after, "council.model_calls", ("council.stage.name", "reviewer")).ShouldBe(3);
        Delta(before, after, "council.model_calls", ("council.stage.name", "refiner")).ShouldBe(2);
        Delta(before, after, "council.runs", ("council.workflow", "pipeline"), ("council.run.status", "ok")).ShouldBe(1);
    }

    private static readonly string[] PipelineRoles =
        ["sim/arch?ttft=10&tps=500&tokens=20", "sim/code?ttft=10&tps=500&tokens=20", "sim/rev?ttft=10&tps=500&tokens=20&approve=0", "sim/doc?ttft=10&tps=500&tokens=20"];

    /// <summary>Collects until the run's last observer calls and send loops are done (active counts back to 0).</summary>
    private async Task<IReadOnlyList<MetricSample>> SettledAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var samples = _metrics.Collect();
            if (Current(samples, "council.runs.active") == 0 && Current(samples, "council.subscribers") == 0)
            {
                return samples;
            }
            await Task.Delay(20, cancellationToken);
        }
    }

    private static IEnumerable<MetricSample> Matching(IReadOnlyList<MetricSample> samples, string name, (string Key, string Value)[] tags) =>
        samples.Where(s => s.Name == name && tags.All(t => s.Tags.TryGetValue(t.Key, out var v) && (string?)v == t.Value));

    private static double Delta(IReadOnlyList<MetricSample> before, IReadOnlyList<MetricSample> after, string name, params (string, string)[] tags) =>
        Matching(after, name, tags).Sum(s => s.Value) - Matching(before, name, tags).Sum(s => s.Value);

    private static double Current(IReadOnlyList<MetricSample> samples, string name) => samples.Where(s => s.Name == name).Sum(s => s.Value);

    private static (long Count, double Sum) Histogram(IReadOnlyList<MetricSample> samples, string name)
    {
        var points = samples.Where(s => s.Name == name && s.Type == MetricType.Histogram).ToArray();
        return (points.Sum(p => p.Count), points.Sum(p => p.Sum));
    }

    private static string Unit(IReadOnlyList<MetricSample> samples, string name) => samples.First(s => s.Name == name).Unit;
}
