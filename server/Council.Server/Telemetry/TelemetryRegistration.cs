using Council.Server.Grains;
using Council.Server.Operations;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Council.Server.Telemetry;

/// <summary>Registers traces, metrics, run logs and the live statistics behind <c>/api/stats</c> and <c>/readyz</c>.</summary>
public static class TelemetryRegistration
{
    public static IHostApplicationBuilder AddCouncilTelemetry(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.Section);
        services.AddOptions<TelemetryExportOptions>();
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);

        services.AddSingleton<TelemetryService>();
        services.AddTransient<IStartupFilter, HttpSpanEnrichment>();
        services.AddHostedService(sp => sp.GetRequiredService<TelemetryService>());
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
