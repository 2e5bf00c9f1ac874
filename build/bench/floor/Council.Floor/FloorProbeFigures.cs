using System.Diagnostics;

namespace Council.Floor;

/// <summary>
/// <c>GET /api/load-probe</c> with the fields of Council's probe (<c>Council.Server.LoadProbe.LoadProbeFigures</c>)
/// that the driver's sampler reads, so its report has the same figures for both servers.
/// </summary>
public sealed record FloorProbeFigures(
    long MonotonicNs,
    int ProcessorCount,
    long HubConnections,
    int RunsRunning,
    int Gen0Collections,
    int Gen1Collections,
    int Gen2Collections,
    long HeapBytes,
    long TotalAllocatedBytes,
    double GcPauseMs,
    long GcCommittedBytes,
    int ThreadPoolThreads,
    long ThreadPoolQueue,
    long ThreadPoolCompleted,
    long LockContentions,
    IReadOnlyList<string> TopAllocations)
{
    public static FloorProbeFigures Now(FloorCounters counters) => new(
        (long)(Stopwatch.GetTimestamp() * (1e9 / Stopwatch.Frequency)),
        Environment.ProcessorCount,
        counters.Connections,
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
}
