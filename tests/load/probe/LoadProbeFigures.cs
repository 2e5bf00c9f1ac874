using System.Text.Json.Serialization;

namespace Council.LoadProbe;

/// <summary>What <c>GET /api/load-probe</c> returns: one sample of the runtime's state.</summary>
/// <param name="MonotonicNs">The monotonic clock now, in ns: a client on the same machine checks it reads the same clock.</param>
public sealed record LoadProbeFigures(
    long MonotonicNs,
    int ProcessorCount,
    long HubConnections,
    long KestrelConnections,
    int RunsInMemory,
    int RunsRunning,
    int Subscriptions,
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
    IReadOnlyList<AllocatedType> TopAllocations);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(LoadProbeFigures))]
internal sealed partial class LoadProbeJsonContext : JsonSerializerContext;
