using Council.Server.Telemetry;
using Microsoft.Extensions.Configuration;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using static Council.Server.Tests.Telemetry.TracedCouncil;

namespace Council.Server.Tests.Telemetry;

/// <summary>What gets exported, and where, from the standard <c>OTEL_*</c> settings alone.</summary>
[CancelAfter(60_000)]
public sealed class TelemetryExportTests
{
    [TestCase(null, null, false)]
    [TestCase("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc", false)]
    [TestCase("OTEL_EXPORTER_OTLP_ENDPOINT", " ", false)]
    [TestCase("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317", true)]
    [TestCase("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://collector:4318/v1/traces", true)]
    [TestCase("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "http://collector:4318/v1/metrics", true)]
    [TestCase("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", "http://collector:4318/v1/logs", true)]
    public void OtlpExport_IsOnOnlyWithAnEndpoint(string? key, string? value, bool exported)
    {
        var settings = key is null ? [] : new Dictionary<string, string?> { [key] = value };
        OtlpExport.IsConfigured(new ConfigurationBuilder().AddInMemoryCollection(settings).Build()).ShouldBe(exported);
    }

    [Test]
    public async Task NoOtlpEndpoint_RunsStillWork(CancellationToken cancellationToken)
    {
        await using var app = new CouncilApp().Start();
        await using var hub = await app.ConnectAsync(cancellationToken);
        var runId = await StartAsync(hub, [A, B], Chair, cancellationToken);
        (await RunCompleteAsync(hub, runId, cancellationToken)).GetProperty("status").GetString().ShouldBe("ok");
    }

    [TestCase("http/protobuf")]
    [TestCase("grpc")]
    public async Task OtlpEndpoint_ReceivesTracesAndMetrics_NamedByTheOtelVariables(string protocol, CancellationToken cancellationToken)
    {
        await using var collector = await OtlpReceiver.StartAsync();
        var app = new CouncilApp(new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = protocol == "grpc" ? collector.GrpcEndpoint : collector.HttpEndpoint,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = protocol,
            ["OTEL_SERVICE_NAME"] = "council-test",
            ["OTEL_RESOURCE_ATTRIBUTES"] = "deployment.environment.name=ci",
        }).Start();
        string runId;
        try
        {
            await using var hub = await app.ConnectAsync(cancellationToken);
            runId = await StartAsync(hub, [A, B], Chair, cancellationToken);
            await RunCompleteAsync(hub, runId, cancellationToken);
        }
        finally
        {
            await FlushAndStopAsync(app);
        }

        var traces = collector.All("traces");
        traces.ShouldNotBeEmpty();
        OtlpReceiver.HasStringAttribute(traces, "service.name", "council-test").ShouldBeTrue();
        OtlpReceiver.HasStringAttribute(traces, "deployment.environment.name", "ci").ShouldBeTrue();
        OtlpReceiver.HasStringAttribute(traces, "council.run.id", runId).ShouldBeTrue();
        OtlpReceiver.Contains(traces, "run council").ShouldBeTrue();
        OtlpReceiver.Contains(traces, $"chat {A}").ShouldBeTrue();

        var metrics = collector.All("metrics");
        metrics.ShouldNotBeEmpty();
        OtlpReceiver.HasStringAttribute(metrics, "service.name", "council-test").ShouldBeTrue();
        OtlpReceiver.Contains(metrics, "gen_ai.client.operation.duration").ShouldBeTrue();
        OtlpReceiver.Contains(metrics, "council.runs").ShouldBeTrue();
        OtlpReceiver.Contains(metrics, "kestrel.active_connections").ShouldBeTrue();
    }

    [Test]
    public async Task TracesEndpoint_IsUsedAsIs_AndTheServiceIsCalledCouncil(CancellationToken cancellationToken)
    {
        await using var collector = await OtlpReceiver.StartAsync();
        var app = new CouncilApp(new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] = $"{collector.HttpEndpoint}/v1/traces",
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        }).Start();
        try
        {
            await using var hub = await app.ConnectAsync(cancellationToken);
            var runId = await StartAsync(hub, [A, B], Chair, cancellationToken);
            await RunCompleteAsync(hub, runId, cancellationToken);
        }
        finally
        {
            await FlushAndStopAsync(app);
        }

        var traces = collector.All("traces");
        OtlpReceiver.HasStringAttribute(traces, "service.name", "council").ShouldBeTrue();
        OtlpReceiver.Contains(traces, "run council").ShouldBeTrue();
    }

    /// <summary>
    /// Exports what the providers hold, then stops the app. The host's disposal flushes too, but a hosted test app is
    /// disposed on its entry point's thread after the test has moved on.
    /// </summary>
    private static async Task FlushAndStopAsync(CouncilApp app)
    {
        app.Get<TracerProvider>().ForceFlush();
        app.Get<MeterProvider>().ForceFlush();
        await app.DisposeAsync();
    }
}
