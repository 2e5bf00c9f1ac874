using System.Collections.Concurrent;

namespace Council.Server.Grains;

/// <summary>
/// The event logs of the runs whose grains are active on this node, so the hub's send loops read them in-process:
/// a grain registers its log when it activates a run and removes it when it deactivates.
/// </summary>
public sealed class LocalRunLogs(TimeProvider time)
{
    /// <summary>
    /// How long a handed-over log waits for its caller. The caller collects it as soon as the grain call returns; one
    /// that never does (its call timed out, its connection went) would otherwise keep the log in memory for good.
    /// </summary>
    public static readonly TimeSpan HandoffLifetime = TimeSpan.FromMinutes(2);

    private readonly ConcurrentDictionary<string, Entry> _logs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, Handoff> _handoffs = new();
    private long _lastHandoff;

    /// <summary>Runs whose grains are active here: running, or finished and not yet released.</summary>
    public int Count => _logs.Count;

    /// <summary>Runs going on this node.</summary>
    public int RunningCount => _logs.Values.Count(e => e.Running);

    /// <summary>The log of an active run of <paramref name="owner"/>, or null.</summary>
    public RunEventLog? Find(string runId, string owner) =>
        _logs.TryGetValue(runId, out var entry) && entry.Owner == owner ? entry.Log : null;

    /// <summary>The log a grain handed over for <paramref name="handoff"/>, once; null when there is none on this node.</summary>
    public RunEventLog? Collect(long handoff) => _handoffs.TryRemove(handoff, out var left) ? left.Log : null;

    /// <summary>Handed-over logs not collected yet.</summary>
    public int HandoffCount => _handoffs.Count;

    /// <summary>Leaves a log for the caller of a grain's command to collect; returns its ticket.</summary>
    internal long HandOver(RunEventLog log)
    {
        var now = time.GetTimestamp();
        foreach (var (ticket, left) in _handoffs)
        {
            if (time.GetElapsedTime(left.At, now) > HandoffLifetime)
            {
                _handoffs.TryRemove(ticket, out _);
            }
        }
        var handoff = Interlocked.Increment(ref _lastHandoff);
        _handoffs[handoff] = new Handoff(log, now);
        return handoff;
    }

    internal void Register(RunEventLog log, string owner, bool running) => _logs[log.RunId] = new Entry(log, owner, running);

    internal void Ended(string runId)
    {
        if (_logs.TryGetValue(runId, out var entry))
        {
            _logs.TryUpdate(runId, entry with { Running = false }, entry);
        }
    }

    internal void Remove(string runId) => _logs.TryRemove(runId, out _);

    private sealed record Entry(RunEventLog Log, string Owner, bool Running);

    private readonly record struct Handoff(RunEventLog Log, long At);
}
