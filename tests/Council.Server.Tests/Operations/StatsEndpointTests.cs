using System.Net.Http.Json;
using System.Text.Json;
using Council.Server.Tests.Telemetry;
using static Council.Server.Tests.Telemetry.TracedCouncil;

namespace Council.Server.Tests.Operations;

/// <summary><c>GET /api/stats</c> of the real app while a run goes and after it, with no telemetry export configured.</summary>
[CancelAfter(60_000)]
public sealed class StatsEndpointTests
{
    private CouncilApp _app = null!;

    [SetUp]
    public void StartApp() => _app = new CouncilApp().Start();

    [TearDown]
    public async Task StopApp() => await _app.DisposeAsync();

    [Test]
    public async Task Stats_ReflectARunInProgress_ThenItsEnd(CancellationToken cancellationToken)
    {
        using var http = _app.Http();
        var idle = await StatsAsync(http, cancellationToken);
        idle.GetProperty("activeRuns").GetInt64().ShouldBe(0);

        await using var hub = await _app.ConnectAsync(cancellationToken);
        var runId = await StartAsync(hub, [A, "sim/steady?ttft=10&tps=150&tokens=400"], Chair, cancellationToken);
        await hub.WaitForAsync("model_complete", m => m.GetProperty("model").GetString() == A, cancellationToken);

        var during = await StatsAsync(http, cancellationToken);
        during.GetProperty("activeRuns").GetInt64().ShouldBe(1);
        during.GetProperty("activeModelCalls").GetInt64().ShouldBe(1, "the steady model is still answering");
        during.GetProperty("connections").GetInt64().ShouldBe(1);
        during.GetProperty("subscribers").GetInt64().ShouldBe(1);
        during.GetProperty("tokensPerSecond").GetDouble().ShouldBeGreaterThan(0);
        during.GetProperty("eventsPerSecond").GetDouble().ShouldBeGreaterThan(0);
        var lastMinute = during.GetProperty("lastMinute");
        var ttft = lastMinute.GetProperty("timeToFirstTokenMs");
        ttft.GetProperty("count").GetInt64().ShouldBe(2, "first tokens count when they arrive, the still-streaming model's too");
        ttft.GetProperty("p50").GetDouble().ShouldBeInRange(1, 5_000); // plausible: the models wait 10 and 20 ms (the window interpolates)
        ttft.GetProperty("p99").GetDouble().ShouldBeGreaterThanOrEqualTo(ttft.GetProperty("p50").GetDouble());
        lastMinute.GetProperty("modelCallDurationMs").GetProperty("count").GetInt64().ShouldBe(1);
        lastMinute.GetProperty("sendLagMs").GetProperty("count").GetInt64().ShouldBeGreaterThan(0);
        lastMinute.GetProperty("cancelToCompleteMs").GetProperty("p50").ValueKind.ShouldBe(JsonValueKind.Null);
        during.GetProperty("runs").GetProperty("started").GetInt64().ShouldBe(1);
        during.GetProperty("modelCalls").GetProperty("ok").GetInt64().ShouldBe(1);

        await hub.InvokeAsync("cancel_model", new { runId, model = "sim/steady?ttft=10&tps=150&tokens=400" }, cancellationToken);
        await RunCompleteAsync(hub, runId, cancellationToken);
        var after = await EventuallyAsync(http, s => s.GetProperty("activeRuns").GetInt64() == 0 && s.GetProperty("subscribers").GetInt64() == 0,
            cancellationToken);
        after.GetProperty("runs").GetProperty("ok").GetInt64().ShouldBe(1);
        after.GetProperty("modelCalls").GetProperty("cancelled").GetInt64().ShouldBe(1);
        after.GetProperty("lastMinute").GetProperty("cancelToCompleteMs").GetProperty("count").GetInt64().ShouldBe(1);
        after.GetProperty("errorsByProvider").EnumerateObject().ShouldBeEmpty();
    }

    [Test]
    public async Task Stats_CountFailedCallsByProvider(CancellationToken cancellationToken)
    {
        using var http = _app.Http();
        await using var hub = await _app.ConnectAsync(cancellationToken);
        var runId = await StartAsync(hub, [A, "sim/broken?ttft=10&fail=before"], Chair, cancellationToken);
        await RunCompleteAsync(hub, runId, cancellationToken);

        var stats = await EventuallyAsync(http, s => s.GetProperty("activeRuns").GetInt64() == 0, cancellationToken);
        stats.GetProperty("errorsByProvider").GetProperty("simulated").GetInt64().ShouldBe(1);
        stats.GetProperty("modelCalls").GetProperty("failed").GetInt64().ShouldBe(1);
    }

    private static async Task<JsonElement> StatsAsync(HttpClient http, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(new Uri("/api/stats", UriKind.Relative), cancellationToken);
        response.EnsureSuccessStatusCode();
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        return await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
    }

    private static async Task<JsonElement> EventuallyAsync(HttpClient http, Func<JsonElement, bool> settled, CancellationToken cancellationToken)
    {
        while (true)
        {
            var stats = await StatsAsync(http, cancellationToken);
            if (settled(stats))
            {
                return stats;
            }
            await Task.Delay(20, cancellationToken);
        }
    }
}
