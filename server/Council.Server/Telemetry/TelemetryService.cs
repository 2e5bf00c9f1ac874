using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Council.Server.Telemetry;

/// <summary>
/// Builds the OpenTelemetry tracer and meter providers at start, only for the signals that have somewhere to go
/// (see <see cref="OtlpSettings"/>), and disposes them at stop, which flushes what is buffered. With nothing
/// configured no provider exists: Council's activity source and meter have no listener and cost next to nothing.
/// </summary>
internal sealed partial class TelemetryService(
    IConfiguration configuration,
    IOptions<TelemetryExportOptions> export,
    ILogger<TelemetryService> logger) : IHostedService, IDisposable
{
    private readonly Lock _disposal = new();
    private bool _disposed;

    /// <summary>The tracer provider, or null when traces go nowhere.</summary>
    public TracerProvider? Tracing { get; private set; }

    /// <summary>The meter provider, or null when metrics go nowhere.</summary>
    public MeterProvider? Metrics { get; private set; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var otlp = OtlpSettings.From(configuration);
        var extra = export.Value;

        if (otlp.Traces || extra.Tracing.Count > 0)
        {
            var builder = Sdk.CreateTracerProviderBuilder()
                // The exporter and resource detectors read OTEL_* from the app's configuration, not only the environment.
                .ConfigureServices(services => services.AddSingleton(configuration))
                .ConfigureResource(DescribeService)
                .AddSource(CouncilTelemetry.Name)
                .AddSource(CouncilTelemetry.FrameworkSources);
            if (otlp.Traces)
            {
                builder.AddOtlpExporter(o => OtlpSettings.ApplySignalSpecific(o, configuration, "TRACES"));
                LogExporting(logger, "traces", otlp.TracesProtocol, otlp.TracesEndpoint);
            }
            extra.Tracing.ForEach(add => add(builder));
            Tracing = builder.Build();
        }

        if (otlp.Metrics || extra.Metrics.Count > 0)
        {
            var builder = Sdk.CreateMeterProviderBuilder()
                .ConfigureServices(services => services.AddSingleton(configuration))
                .ConfigureResource(DescribeService)
                .AddMeter(CouncilTelemetry.Name)
                .AddMeter(CouncilTelemetry.FrameworkMeters);
            if (otlp.Metrics)
            {
                builder.AddOtlpExporter(o => OtlpSettings.ApplySignalSpecific(o, configuration, "METRICS"));
                LogExporting(logger, "metrics", otlp.MetricsProtocol, otlp.MetricsEndpoint);
            }
            extra.Metrics.ForEach(add => add(builder));
            Metrics = builder.Build();
        }

        if (Tracing is null && Metrics is null)
        {
            LogNotExporting(logger);
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Shuts both providers down, exporting what they still hold; once, however many callers.</summary>
    /// <remarks>
    /// The host may be stopped twice at once (its lifetime and its owner both asking), and the SDK's providers
    /// are not safe to dispose concurrently; a second caller waits for the first's flush to finish.
    /// </remarks>
    public void Dispose()
    {
        lock (_disposal)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            Tracing?.Dispose();
            Metrics?.Dispose();
        }
    }

    /// <summary><c>service.name</c> "council" unless <c>OTEL_SERVICE_NAME</c> or <c>OTEL_RESOURCE_ATTRIBUTES</c> say otherwise (later detectors win).</summary>
    private static void DescribeService(ResourceBuilder resource) => resource
        .Clear()
        .AddService("council", serviceVersion: typeof(TelemetryService).Assembly.GetName().Version?.ToString())
        .AddTelemetrySdk()
        .AddEnvironmentVariableDetector();

    [LoggerMessage(Level = LogLevel.Information, Message = "Exporting {Signal} over OTLP ({Protocol}) to {Endpoint}")]
    private static partial void LogExporting(ILogger logger, string signal, string protocol, string? endpoint);

    [LoggerMessage(Level = LogLevel.Debug, Message = "No OTEL_EXPORTER_OTLP_* endpoint set: traces and metrics are not exported (/api/stats still works)")]
    private static partial void LogNotExporting(ILogger logger);
}
