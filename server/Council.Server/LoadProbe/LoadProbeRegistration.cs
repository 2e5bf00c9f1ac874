using System.Threading;
using Council.Server.Grains;
using Council.Server.Hub;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;

namespace Council.Server.LoadProbe;

/// <summary>Registers the load probe when <c>Council:LoadProbe:Enabled</c> is true; nothing at all otherwise.</summary>
public static class LoadProbeRegistration
{
    /// <summary>Call after every hub protocol is registered: it wraps each one.</summary>
    public static IHostApplicationBuilder AddCouncilLoadProbe(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<LoadProbeOptions>().BindConfiguration(LoadProbeOptions.Section);
        if (!builder.Configuration.GetValue<bool>($"{LoadProbeOptions.Section}:{nameof(LoadProbeOptions.Enabled)}"))
        {
            return builder;
        }

        builder.Services.AddSingleton<TokenStamps>();
        builder.Services.AddSingleton<IRunObserver>(sp => sp.GetRequiredService<TokenStamps>());
        builder.Services.AddSingleton<ConnectionGauge>();
        builder.Services.AddSingleton<AllocationSampler>();

        var protocols = builder.Services.Where(d => d.ServiceType == typeof(IHubProtocol)).ToArray();
        foreach (var descriptor in protocols)
        {
            builder.Services.Remove(descriptor);
            builder.Services.AddSingleton<IHubProtocol>(sp => new StampingHubProtocol(
                Resolve(sp, descriptor), sp.GetRequiredService<TokenStamps>(), sp.GetRequiredService<TimeProvider>()));
        }
        return builder;
    }

    public static IEndpointRouteBuilder MapCouncilLoadProbe(this IEndpointRouteBuilder endpoints)
    {
        if (!endpoints.ServiceProvider.GetRequiredService<IOptions<LoadProbeOptions>>().Value.Enabled)
        {
            return endpoints;
        }
        // Created now, so it counts connections from the first one.
        var gauge = endpoints.ServiceProvider.GetRequiredService<ConnectionGauge>();
        var allocations = endpoints.ServiceProvider.GetRequiredService<AllocationSampler>();
        endpoints.MapGet("/api/load-probe", (LocalRunLogs runs, RunSubscriptions subscriptions, TimeProvider time) =>
        {
            var gc = GC.GetGCMemoryInfo();
            var figures = new LoadProbeFigures(
                (long)(time.GetTimestamp() * (1e9 / time.TimestampFrequency)),
                Environment.ProcessorCount,
                gauge.HubConnections,
                gauge.KestrelConnections,
                runs.Count,
                runs.RunningCount,
                subscriptions.Count,
                GC.CollectionCount(0),
                GC.CollectionCount(1),
                GC.CollectionCount(2),
                GC.GetTotalMemory(forceFullCollection: false),
                GC.GetTotalAllocatedBytes(),
                GC.GetTotalPauseDuration().TotalMilliseconds,
                gc.TotalCommittedBytes,
                ThreadPool.ThreadCount,
                ThreadPool.PendingWorkItemCount,
                ThreadPool.CompletedWorkItemCount,
                Monitor.LockContentionCount,
                allocations.Top(15));
            return Results.Json(figures, LoadProbeJsonContext.Default.LoadProbeFigures);
        });
        return endpoints;
    }

    private static IHubProtocol Resolve(IServiceProvider sp, ServiceDescriptor descriptor) =>
        (IHubProtocol)(descriptor.ImplementationInstance
            ?? descriptor.ImplementationFactory?.Invoke(sp)
            ?? ActivatorUtilities.CreateInstance(sp, descriptor.ImplementationType!));
}
