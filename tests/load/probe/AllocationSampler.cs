using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace Council.LoadProbe;

/// <summary>
/// Which types the server allocates most, from the runtime's own sampling: it reports an allocation tick about
/// every 100 KB allocated, naming the type of the object that crossed the mark. Counted per type, the ticks
/// apportion the allocated bytes to types without a profiler attached. Probe only, and a hint rather than a
/// profile: a tick falls when a thread's allocation buffer is refilled, so the first objects a thread allocates
/// after waking (or after a collection) are over-represented; under load the leading type changed between runs.
/// </summary>
public sealed class AllocationSampler : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private readonly ConcurrentDictionary<string, long> _bytesByType = new(StringComparer.Ordinal);

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventName is not { } name || !name.StartsWith("GCAllocationTick", StringComparison.Ordinal) || eventData.Payload is null)
        {
            return;
        }
        var type = Field(eventData, "TypeName") as string ?? "?";
        var amount = Convert.ToInt64(Field(eventData, "AllocationAmount64") ?? Field(eventData, "AllocationAmount") ?? 0L,
            System.Globalization.CultureInfo.InvariantCulture);
        _bytesByType.AddOrUpdate(type, amount, (_, total) => total + amount);
    }

    /// <summary>The types with the most sampled bytes, largest first.</summary>
    public IReadOnlyList<AllocatedType> Top(int count)
    {
        var total = _bytesByType.Values.Sum();
        return _bytesByType.OrderByDescending(p => p.Value).Take(count)
            .Select(p => new AllocatedType(p.Key, p.Value, total == 0 ? 0 : Math.Round(100.0 * p.Value / total, 1)))
            .ToList();
    }

    private static object? Field(EventWrittenEventArgs e, string name)
    {
        var index = e.PayloadNames?.IndexOf(name) ?? -1;
        return index >= 0 ? e.Payload![index] : null;
    }
}

/// <summary>One type's share of the sampled allocations.</summary>
public sealed record AllocatedType(string Type, long SampledBytes, double Percent);
