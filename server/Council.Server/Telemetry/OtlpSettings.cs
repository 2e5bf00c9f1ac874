using OpenTelemetry.Exporter;

namespace Council.Server.Telemetry;

/// <summary>
/// Which signals go out over OTLP, read from the standard variables (through configuration, so the environment,
/// command line and settings files all work): <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, or the per-signal
/// <c>OTEL_EXPORTER_OTLP_TRACES_ENDPOINT</c> / <c>OTEL_EXPORTER_OTLP_METRICS_ENDPOINT</c>; <c>OTEL_SDK_DISABLED=true</c>
/// and <c>OTEL_TRACES_EXPORTER</c> / <c>OTEL_METRICS_EXPORTER</c> = <c>none</c> turn them off. The exporter itself reads
/// the shared ones (protocol, headers, timeout, export interval) with the SDK's usual rules; the per-signal
/// ones, which the SDK's <c>AddOtlpExporter</c> ignores, are applied by <see cref="ApplySignalSpecific"/>.
/// </summary>
internal sealed record OtlpSettings(
    bool Traces, bool Metrics, string TracesProtocol, string MetricsProtocol, string? TracesEndpoint, string? MetricsEndpoint)
{
    public static OtlpSettings From(IConfiguration configuration)
    {
        if (string.Equals(configuration["OTEL_SDK_DISABLED"], "true", StringComparison.OrdinalIgnoreCase))
        {
            return new OtlpSettings(false, false, "", "", null, null);
        }
        var shared = NonEmpty(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var traces = NonEmpty(configuration["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"]) ?? shared;
        var metrics = NonEmpty(configuration["OTEL_EXPORTER_OTLP_METRICS_ENDPOINT"]) ?? shared;
        return new OtlpSettings(
            traces is not null && !IsNone(configuration["OTEL_TRACES_EXPORTER"]),
            metrics is not null && !IsNone(configuration["OTEL_METRICS_EXPORTER"]),
            NonEmpty(configuration["OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"]) ?? NonEmpty(configuration["OTEL_EXPORTER_OTLP_PROTOCOL"]) ?? "grpc",
            NonEmpty(configuration["OTEL_EXPORTER_OTLP_METRICS_PROTOCOL"]) ?? NonEmpty(configuration["OTEL_EXPORTER_OTLP_PROTOCOL"]) ?? "grpc",
            Redact(traces),
            Redact(metrics));
    }

    /// <summary>
    /// Applies <c>OTEL_EXPORTER_OTLP_{SIGNAL}_ENDPOINT</c> (used as is, path included), <c>_PROTOCOL</c>,
    /// <c>_HEADERS</c> and <c>_TIMEOUT</c> over the shared settings the exporter read.
    /// </summary>
    /// <param name="signal"><c>TRACES</c> or <c>METRICS</c>.</param>
    public static void ApplySignalSpecific(OtlpExporterOptions options, IConfiguration configuration, string signal)
    {
        var prefix = $"OTEL_EXPORTER_OTLP_{signal}_";
        switch (NonEmpty(configuration[prefix + "PROTOCOL"]))
        {
            case "grpc":
                options.Protocol = OtlpExportProtocol.Grpc;
                break;
            case "http/protobuf":
                options.Protocol = OtlpExportProtocol.HttpProtobuf;
                break;
        }
        if (NonEmpty(configuration[prefix + "ENDPOINT"]) is { } endpoint && Uri.TryCreate(endpoint, UriKind.Absolute, out var uri))
        {
            options.Endpoint = uri;
        }
        if (NonEmpty(configuration[prefix + "HEADERS"]) is { } headers)
        {
            options.Headers = headers;
        }
        if (int.TryParse(configuration[prefix + "TIMEOUT"], System.Globalization.CultureInfo.InvariantCulture, out var timeout) && timeout > 0)
        {
            options.TimeoutMilliseconds = timeout;
        }
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static bool IsNone(string? exporter) => string.Equals(exporter?.Trim(), "none", StringComparison.OrdinalIgnoreCase);

    /// <summary>An endpoint fit for a log line: no user info, no query (either may carry a token).</summary>
    private static string? Redact(string? endpoint) =>
        endpoint is null ? null
        : Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) ? $"{uri.Scheme}://{uri.Authority}{uri.AbsolutePath}"
        : "(not a URL)";
}
