using Council.Server.Grains;
using Council.Server.Hub;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Council.LoadProbe;

/// <summary><c>GET /api/load-probe</c>: one sample of the runtime's state, for the load driver's sampler.</summary>
internal sealed class LoadProbeEndpoint : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        // Created now, so they count from the first connection.
        var gauge = app.ApplicationServices.GetRequiredService<ConnectionGauge>();
        var allocations = app.ApplicationServices.GetRequiredService<AllocationSampler>();
        app.Map("/api/load-probe", probe => probe.Run(context =>
        {
            var services = context.RequestServices;
            var runs = services.GetRequiredService<LocalRunLogs>();
            var subscriptions = services.GetRequiredService<RunSubscriptions>();
            var time = services.GetRequiredService<TimeProvider>();
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
            return Results.Json(figures, LoadProbeJsonContext.Default.LoadProbeFigures).ExecuteAsync(context);
        }));
        next(app);
    };
}
