using System.Diagnostics;
using System.Threading.Tasks.Sources;

namespace Council.Server.Providers.Simulated;

/// <summary>
/// Paces every simulated stream from one thread: a min-heap of due times and one reusable waiter per stream, so a
/// token costs a heap push and pop instead of a <see cref="Task.Delay(TimeSpan, TimeProvider, CancellationToken)"/>
/// (a timer, a promise and a cancellation registration per token, all contending on the timer queue's lock).
/// Waits round to the nearest millisecond (what the OS wait can do): a token is released at most about half a
/// millisecond early or late; the provider stamps each token with when it was actually released if that was earlier.
/// Continuations run on the thread pool, never on the pacing thread.
/// </summary>
internal sealed class SimulatedPacer
{
    private static readonly Lazy<SimulatedPacer> Instance = new(() => new SimulatedPacer());

    private readonly PriorityQueue<(Waiter Waiter, int Version), long> _due = new();
    private readonly object _gate = new(); // Monitor: the pacing thread waits on it, Schedule pulses it.
    private readonly long _halfMs = Stopwatch.Frequency / 2000;
    private long _next = long.MaxValue;

    private SimulatedPacer()
    {
        new Thread(Run) { IsBackground = true, Name = "Council simulated pacer" }.Start();
    }

    /// <summary>The process-wide pacer (on <see cref="Stopwatch"/> timestamps, i.e. <see cref="TimeProvider.System"/>).</summary>
    public static SimulatedPacer Shared => Instance.Value;

    /// <summary>A waiter for one stream; dispose it when the stream ends.</summary>
    public Waiter CreateWaiter(CancellationToken cancellationToken) => new(this, cancellationToken);

    private void Schedule(Waiter waiter, int version, long due)
    {
        lock (_gate)
        {
            _due.Enqueue((waiter, version), due);
            if (due < _next)
            {
                _next = due;
                Monitor.Pulse(_gate);
            }
        }
    }

    private void Run()
    {
        var ready = new List<(Waiter Waiter, int Version)>();
        while (true)
        {
            lock (_gate)
            {
                while (true)
                {
                    var now = Stopwatch.GetTimestamp();
                    while (_due.TryPeek(out var item, out var due) && due - _halfMs <= now)
                    {
                        _due.Dequeue();
                        ready.Add(item);
                    }
                    _next = _due.TryPeek(out _, out var next) ? next : long.MaxValue;
                    if (ready.Count > 0)
                    {
                        break;
                    }
                    // Rounded down to whole milliseconds (what the wait can do), and the due test above releases
                    // anything within half a millisecond: about ±0.5 ms.
                    var waitMs = _next == long.MaxValue ? Timeout.Infinite : (int)Math.Clamp((_next - now) * 1000 / Stopwatch.Frequency, 1, int.MaxValue);
                    Monitor.Wait(_gate, waitMs);
                }
            }
            foreach (var (waiter, version) in ready)
            {
                waiter.Release(version);
            }
            ready.Clear();
        }
    }

    /// <summary>One stream's reusable wait: awaited once per token, never allocating.</summary>
    internal sealed class Waiter : IValueTaskSource, IDisposable
    {
        private readonly SimulatedPacer _pacer;
        private readonly CancellationToken _cancellationToken;
        private readonly CancellationTokenRegistration _registration;
        private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };
        private int _waiting; // 1 while a wait is pending: whoever sets it to 0 completes that wait.

        public Waiter(SimulatedPacer pacer, CancellationToken cancellationToken)
        {
            _pacer = pacer;
            _cancellationToken = cancellationToken;
            _registration = cancellationToken.UnsafeRegister(static s => ((Waiter)s!).Cancel(), this);
        }

        /// <summary>Completes at <paramref name="due"/> (a <see cref="Stopwatch"/> timestamp), or throws when cancelled.</summary>
        public ValueTask WaitUntilAsync(long due)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            if (due - _pacer._halfMs <= Stopwatch.GetTimestamp())
            {
                return ValueTask.CompletedTask;
            }
            _core.Reset();
            var version = _core.Version;
            Volatile.Write(ref _waiting, 1);
            _pacer.Schedule(this, version, due);
            if (_cancellationToken.IsCancellationRequested)
            {
                Cancel();
            }
            return new ValueTask(this, (short)version);
        }

        internal void Release(int version)
        {
            if (version == _core.Version && Interlocked.Exchange(ref _waiting, 0) == 1)
            {
                _core.SetResult(true);
            }
        }

        private void Cancel()
        {
            if (Interlocked.Exchange(ref _waiting, 0) == 1)
            {
                _core.SetException(new OperationCanceledException(_cancellationToken));
            }
        }

        public void GetResult(short token) => _core.GetResult(token);

        public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _core.OnCompleted(continuation, state, token, flags);

        public void Dispose() => _registration.Dispose();
    }
}
