using System.Collections.Concurrent;
using Council.Server.Workflows;

namespace Council.Server.Telemetry;

/// <summary>
/// When each event of a live run was appended, by seq, so every subscriber's send loop can tell how long an
/// event waited before its transport took it. Kept from a run's start to its end (a send loop that found its
/// run keeps the run's times until it stops).
/// </summary>
public sealed class EventTimes
{
    private readonly ConcurrentDictionary<string, RunEventTimes> _runs = new(StringComparer.Ordinal);

    // The grain's side looks runs up on every event: by the plan's reference, which hashes much faster than the id.
    private readonly ConcurrentDictionary<RunPlan, RunEventTimes> _byPlan = new(ReferenceEqualityComparer.Instance);

    internal void Start(RunPlan plan)
    {
        var times = new RunEventTimes();
        _byPlan[plan] = times;
        _runs[plan.RunId] = times;
    }

    internal RunEventTimes? Find(string runId) => _runs.GetValueOrDefault(runId);

    internal RunEventTimes? Find(RunPlan plan) => _byPlan.GetValueOrDefault(plan);

    internal void End(RunPlan plan)
    {
        _byPlan.TryRemove(plan, out _);
        _runs.TryRemove(plan.RunId, out _);
    }

    /// <summary>Runs tracked now.</summary>
    public int Count => _runs.Count;
}

/// <summary>Append timestamps of one run, by seq (0 where not sampled): one writer (the run's grain), any number of readers.</summary>
internal sealed class RunEventTimes
{
    private long[] _times = new long[256];
    private long _lastSeq;

    public void Appended(long seq, long timestamp)
    {
        var times = _times;
        if (seq >= times.Length)
        {
            var bigger = new long[Math.Max(times.Length * 2, seq + 1)];
            Array.Copy(times, bigger, times.Length);
            Volatile.Write(ref _times, bigger);
            times = bigger;
        }
        times[seq] = timestamp;
        Volatile.Write(ref _lastSeq, seq);
    }

    public bool TryGet(long seq, out long timestamp)
    {
        // _lastSeq is published after its time was written into the array current then, so reading it first
        // guarantees the array read next holds that time.
        if (seq <= 0 || seq > Volatile.Read(ref _lastSeq))
        {
            timestamp = 0;
            return false;
        }
        timestamp = Volatile.Read(ref _times)[seq];
        return timestamp != 0;
    }
}
