using Council.Server.Grains;
using Council.Server.Operations;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Council.Server.Telemetry;

/// <summary>Registers traces, metrics, run logs and the live statistics behind <c>/api/stats</c> and <c>/readyz</c>.</summary>
public static class TelemetryRegistration
{
    public static IHostApplicationBuilder AddCouncilTelemetry(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.Section);
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);

        var telemetry = services.AddOpenTelemetry()
            // service.name "council" unless OTEL_SERVICE_NAME or OTEL_RESOURCE_ATTRIBUTES say otherwise (later detectors win).
            .ConfigureResource(resource => resource
                .Clear()
                .AddService("council", serviceVersion: typeof(TelemetryRegistration).Assembly.GetName().Version?.ToString())
                .AddTelemetrySdk()
                .AddEnvironmentVariableDetector())
            .WithTracing(tracing => tracing
                .AddSource(CouncilTelemetry.Name)
                .AddSource(CouncilTelemetry.SignalRSource)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation())
            .WithMetrics(metrics => metrics
                .AddMeter(CouncilTelemetry.Name)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation())
            .WithLogging();
        if (OtlpExport.IsConfigured(builder.Configuration))
        {
            // Reads OTEL_EXPORTER_OTLP_* (endpoint, protocol, headers, timeout, per signal too) the SDK's way.
            telemetry.UseOtlpExporter();
        }

        services.AddSingleton<CouncilMetrics>();
        services.AddSingleton<EventTimes>();
        services.AddSingleton<SubscriberTelemetry>();

        services.AddSingleton<LiveStats>();
        services.AddHostedService(sp => sp.GetRequiredService<LiveStats>());
        services.AddSingleton<ReadinessCheck>();

        services.AddSingleton<RunTracer>();
        services.AddSingleton<RunMeasurements>();
        services.AddSingleton<RunLogger>();
        services.AddSingleton<IRunObserver, TelemetryObserver>();
        return builder;
    }
}
