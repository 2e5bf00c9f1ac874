using System.Collections.Concurrent;

namespace Council.Server.Grains;

/// <summary>
/// The event logs of the runs whose grains are active on this node, so the hub's send loops read them in-process:
/// a grain registers its log when it activates a run and removes it when it deactivates. Also counts the runs
/// going per user, for the concurrency limit.
/// </summary>
public sealed class LocalRunLogs
{
    private readonly ConcurrentDictionary<string, Entry> _logs = new(StringComparer.Ordinal);

    /// <summary>Runs whose grains are active here: running, or finished and not yet released.</summary>
    public int Count => _logs.Count;

    /// <summary>Runs going on this node.</summary>
    public int RunningCount => _logs.Values.Count(e => e.Running);

    /// <summary>Runs of <paramref name="owner"/> going on this node.</summary>
    public int RunningCountOf(string owner) => _logs.Values.Count(e => e.Running && e.Owner == owner);

    /// <summary>The log of an active run of <paramref name="owner"/>, or null.</summary>
    public RunEventLog? Find(string runId, string owner) =>
        _logs.TryGetValue(runId, out var entry) && entry.Owner == owner ? entry.Log : null;

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
}
