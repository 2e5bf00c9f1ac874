using System.Threading.Tasks.Sources;
using Council.Contracts.Messages;

namespace Council.Server.Grains;

/// <summary>
/// A run's events in seq order: the grain appends, every subscriber reads from its own cursor.
/// Live viewers and replays read the same log, so nothing is lost or sent twice, and a slow reader
/// costs nothing but its cursor.
/// </summary>
public sealed class RunEventLog(string runId)
{
    private readonly List<RunEvent> _events = [];
    private readonly Lock _lock = new();
    private readonly List<Waiter> _waiting = [];
    private bool _completed;

    public string RunId { get; } = runId;

    /// <summary>A finished run's log, rebuilt from storage for replay.</summary>
    public static RunEventLog Closed(string runId, IReadOnlyList<RunEvent> events)
    {
        var log = new RunEventLog(runId);
        log._events.AddRange(events);
        log._completed = true;
        return log;
    }

    /// <summary>The seq of the newest event (0 when empty).</summary>
    public long LastSeq
    {
        get
        {
            lock (_lock)
            {
                return _events.Count;
            }
        }
    }

    /// <summary>True once the last event (<c>run_complete</c>) is in.</summary>
    public bool IsCompleted
    {
        get
        {
            lock (_lock)
            {
                return _completed;
            }
        }
    }

    /// <summary>True once the log is closed and <paramref name="seq"/> is its last event (a reader there has read it all).</summary>
    public bool IsCompletedThrough(long seq)
    {
        lock (_lock)
        {
            return _completed && seq >= _events.Count;
        }
    }

    /// <summary>The seq the next event gets.</summary>
    public long NextSeq
    {
        get
        {
            lock (_lock)
            {
                return _events.Count + 1;
            }
        }
    }

    /// <summary>Appends an event whose seq must be <see cref="NextSeq"/>; <paramref name="last"/> closes the log.</summary>
    public void Append(RunEvent runEvent, bool last = false)
    {
        lock (_lock)
        {
            if (_completed)
            {
                throw new InvalidOperationException($"Run {RunId}: the log is closed.");
            }
            if (runEvent.Seq != _events.Count + 1)
            {
                throw new InvalidOperationException($"Run {RunId}: seq {runEvent.Seq} appended after {_events.Count}.");
            }
            _events.Add(runEvent);
            _completed = last;
            WakeWaiting();
        }
    }

    /// <summary>
    /// Copies up to <paramref name="max"/> events after <paramref name="afterSeq"/> into <paramref name="into"/>.
    /// When there are none, returns <paramref name="waiter"/>'s wait, which completes at the next append (or a
    /// completed one if the log is closed). Await it before the next read with the same waiter.
    /// </summary>
    public ValueTask ReadAfter(long afterSeq, List<RunEvent> into, int max, Waiter waiter)
    {
        lock (_lock)
        {
            var start = (int)Math.Max(afterSeq, 0);
            var count = Math.Min(_events.Count - start, max);
            if (count > 0)
            {
                into.AddRange(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_events).Slice(start, count));
                return ValueTask.CompletedTask;
            }
            if (_completed)
            {
                return ValueTask.CompletedTask;
            }
            var wait = waiter.Arm();
            _waiting.Add(waiter);
            return wait;
        }
    }

    /// <summary>Copies up to <paramref name="max"/> events after <paramref name="afterSeq"/> into <paramref name="into"/>, without waiting.</summary>
    public void CopyAfter(long afterSeq, List<RunEvent> into, int max)
    {
        lock (_lock)
        {
            var start = (int)Math.Clamp(afterSeq, 0, _events.Count);
            into.AddRange(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_events).Slice(start, Math.Min(_events.Count - start, max)));
        }
    }

    /// <summary>
    /// Completes the task that readers waiting for the next append hold, without appending: a reader that is being
    /// cancelled gets out of its wait this way (the others just read nothing new and wait again).
    /// </summary>
    public void WakeReaders()
    {
        lock (_lock)
        {
            WakeWaiting();
        }
    }

    // Under the lock, which is cheap: a waiter's continuation always runs on the thread pool, never inline.
    private void WakeWaiting()
    {
        foreach (var waiter in _waiting)
        {
            waiter.Release();
        }
        _waiting.Clear();
    }

    /// <summary>Every event so far (for storage and tests).</summary>
    public IReadOnlyList<RunEvent> Snapshot()
    {
        lock (_lock)
        {
            return _events.ToArray();
        }
    }

    /// <summary>
    /// One reader's reusable wait for the next append: awaited once per catch-up, never allocating (a fresh
    /// task per wait was a task and its source per token per subscriber).
    /// </summary>
    public sealed class Waiter : IValueTaskSource
    {
        private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };

        internal ValueTask Arm()
        {
            _core.Reset();
            return new ValueTask(this, _core.Version);
        }

        internal void Release() => _core.SetResult(true);

        public void GetResult(short token) => _core.GetResult(token);

        public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _core.OnCompleted(continuation, state, token, flags);
    }
}
