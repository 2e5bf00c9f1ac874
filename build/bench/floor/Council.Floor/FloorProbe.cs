using System.Diagnostics;
using Council.LoadProbe;

namespace Council.Floor;

/// <summary>
/// <c>GET /api/load-probe</c> in the shape of Council's (<see cref="LoadProbeFigures"/>), so the driver's report has
/// the same figures for both servers. No allocation sampling: that listener would be a cost Council's floor does not have.
/// </summary>
public static class FloorProbe
{
    public static IResult Get(FloorCounters counters)
    {
        var figures = new LoadProbeFigures(
            (long)(Stopwatch.GetTimestamp() * (1e9 / Stopwatch.Frequency)),
            Environment.ProcessorCount,
            counters.Connections,
            counters.Connections,
            counters.RunsRunning,
            counters.RunsRunning,
            counters.RunsRunning,
            GC.CollectionCount(0),
            GC.CollectionCount(1),
            GC.CollectionCount(2),
            GC.GetTotalMemory(forceFullCollection: false),
            GC.GetTotalAllocatedBytes(),
            GC.GetTotalPauseDuration().TotalMilliseconds,
            GC.GetGCMemoryInfo().TotalCommittedBytes,
            ThreadPool.ThreadCount,
            ThreadPool.PendingWorkItemCount,
            ThreadPool.CompletedWorkItemCount,
            Monitor.LockContentionCount,
            []);
        return Results.Json(figures, LoadProbeJsonContext.Default.LoadProbeFigures);
    }
}
