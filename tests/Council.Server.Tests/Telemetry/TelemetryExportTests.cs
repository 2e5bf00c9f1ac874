using Council.Server.Telemetry;
using static Council.Server.Tests.Telemetry.TracedCouncil;

namespace Council.Server.Tests.Telemetry;

/// <summary>What gets exported, and where, from the standard <c>OTEL_*</c> settings alone.</summary>
[CancelAfter(60_000)]
public sealed class TelemetryExportTests
{
    [Test]
    public async Task NoOtlpEndpoint_BuildsNoProvider_AndRunsStillWork(CancellationToken cancellationToken)
    {
        await using var app = new CouncilApp().Start();

        var telemetry = app.Get<TelemetryService>();
        telemetry.Tracing.ShouldBeNull();
        telemetry.Metrics.ShouldBeNull();
        CouncilTelemetry.Source.HasListeners().ShouldBeFalse("nothing listens to Council's spans");

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
            var telemetry = app.Get<TelemetryService>();
            telemetry.Tracing.ShouldNotBeNull();
            telemetry.Metrics.ShouldNotBeNull();

            await using var hub = await app.ConnectAsync(cancellationToken);
            runId = await StartAsync(hub, [A, B], Chair, cancellationToken);
            await RunCompleteAsync(hub, runId, cancellationToken);
        }
        finally
        {
            await app.DisposeAsync(); // stopping flushes both providers
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
    public async Task TracesOnlyEndpoint_ExportsTraces_AsServiceCouncil_AndNoMetrics(CancellationToken cancellationToken)
    {
        await using var collector = await OtlpReceiver.StartAsync();
        var app = new CouncilApp(new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] = $"{collector.HttpEndpoint}/v1/traces",
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
        }).Start();
        try
        {
            app.Get<TelemetryService>().Metrics.ShouldBeNull();
            await using var hub = await app.ConnectAsync(cancellationToken);
            var runId = await StartAsync(hub, [A, B], Chair, cancellationToken);
            await RunCompleteAsync(hub, runId, cancellationToken);
        }
        finally
        {
            await app.DisposeAsync();
        }

        var traces = collector.All("traces");
        OtlpReceiver.HasStringAttribute(traces, "service.name", "council").ShouldBeTrue();
        collector.All("metrics").ShouldBeEmpty();
    }
}
