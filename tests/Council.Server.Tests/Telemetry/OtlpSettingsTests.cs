using Council.Server.Telemetry;
using Microsoft.Extensions.Configuration;
using OpenTelemetry.Exporter;

namespace Council.Server.Tests.Telemetry;

public class OtlpSettingsTests
{
    private static OtlpSettings Read(params (string Key, string Value)[] settings) =>
        OtlpSettings.From(Configuration(settings));

    private static IConfiguration Configuration((string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.ToDictionary(s => s.Key, s => (string?)s.Value)).Build();

    [Test]
    public void Nothing_ExportsNothing() =>
        Read().ShouldSatisfyAllConditions(s => s.Traces.ShouldBeFalse(), s => s.Metrics.ShouldBeFalse());

    [Test]
    public void SharedEndpoint_ExportsBoth_OverGrpcByDefault()
    {
        var settings = Read(("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317"));
        settings.Traces.ShouldBeTrue();
        settings.Metrics.ShouldBeTrue();
        settings.TracesProtocol.ShouldBe("grpc");
    }

    [Test]
    public void PerSignalEndpoint_ExportsThatSignalOnly()
    {
        var settings = Read(("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "http://collector:4318/v1/metrics"), ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"));
        settings.Traces.ShouldBeFalse();
        settings.Metrics.ShouldBeTrue();
        settings.MetricsProtocol.ShouldBe("http/protobuf");
    }

    [TestCase("OTEL_SDK_DISABLED", "true", false, false)]
    [TestCase("OTEL_TRACES_EXPORTER", "none", false, true)]
    [TestCase("OTEL_METRICS_EXPORTER", "none", true, false)]
    [TestCase("OTEL_TRACES_EXPORTER", "otlp", true, true)]
    public void StandardSwitches_TurnSignalsOff(string key, string value, bool traces, bool metrics)
    {
        var settings = Read(("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317"), (key, value));
        settings.Traces.ShouldBe(traces);
        settings.Metrics.ShouldBe(metrics);
    }

    [Test]
    public void LoggedEndpoint_HasNoUserInfoNorQuery() =>
        Read(("OTEL_EXPORTER_OTLP_ENDPOINT", "https://user:token@collector.example:4318/otlp?key=secret"))
            .TracesEndpoint.ShouldBe("https://collector.example:4318/otlp");

    [Test]
    public void PerSignalSettings_OverrideTheShared()
    {
        var options = new OtlpExporterOptions { Protocol = OtlpExportProtocol.Grpc };
        OtlpSettings.ApplySignalSpecific(options, Configuration([
            ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://collector:4318/custom/traces"),
            ("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/protobuf"),
            ("OTEL_EXPORTER_OTLP_TRACES_HEADERS", "x-key=abc"),
            ("OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "1234"),
            ("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "http://elsewhere:4318/v1/metrics"),
        ]), "TRACES");

        options.Endpoint.ShouldBe(new Uri("http://collector:4318/custom/traces"));
        options.Protocol.ShouldBe(OtlpExportProtocol.HttpProtobuf);
        options.Headers.ShouldBe("x-key=abc");
        options.TimeoutMilliseconds.ShouldBe(1234);
    }
}
