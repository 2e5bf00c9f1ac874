using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Council.Server.Telemetry;

/// <summary>
/// Extra exporters added to the providers <see cref="TelemetryService"/> builds, for tests (an in-memory
/// exporter). With any set, providers are built even when no OTLP endpoint is configured.
/// </summary>
internal sealed class TelemetryExportOptions
{
    public List<Action<TracerProviderBuilder>> Tracing { get; } = [];

    public List<Action<MeterProviderBuilder>> Metrics { get; } = [];
}
