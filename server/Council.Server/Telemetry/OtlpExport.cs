namespace Council.Server.Telemetry;

/// <summary>Whether the standard variables ask for OTLP export: an <c>OTEL_EXPORTER_OTLP_*ENDPOINT</c> that is set.</summary>
internal static class OtlpExport
{
    private static readonly string[] Endpoints =
    [
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
        "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
        "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT",
    ];

    public static bool IsConfigured(IConfiguration configuration) =>
        Endpoints.Any(key => !string.IsNullOrWhiteSpace(configuration[key]));
}
