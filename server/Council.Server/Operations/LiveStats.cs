using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Diagnostics.Metrics;
using Council.Contracts.Messages;
using Council.Server.Cluster;
using Microsoft.Extensions.Options;

namespace Council.Server.Operations;

/// <summary>
/// The figures behind <c>/api/stats</c>, kept in-process whether or not anything is exported: fed by
/// <see cref="Telemetry.RunMeasurements"/> and <see cref="Telemetry.SubscriberTelemetry"/>. Every method is
/// thread-safe and cheap (a few interlocked operations); the work is done when a snapshot is asked for.
/// A hosted service only so that it starts with the host: uptime and connections count from then.
/// </summary>
public sealed class LiveStats : IHostedService, IDisposable
{
    private const int CharsPerToken = 4;
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan Slot = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan ClockPeriod = TimeSpan.FromMilliseconds(100);

    private readonly TimeProvider _time;
    private readonly string _node;
    private readonly ConnectionCounter _connections;
    private readonly long _startedAt;
    private readonly RollingHistogram _ttft;
    private readonly RollingHistogram _callDuration;
    private readonly RollingHistogram _cancelLatency;
    private readonly RollingHistogram _sendLag;
    private readonly RollingRate _throughput;
    private readonly ConcurrentDictionary<string, StrongBox<long>> _errorsByProvider = new(StringComparer.Ordinal);
    private readonly Counts _runs = new();
    private readonly Counts _calls = new();
    private long _subscribers;
    private long _coarseNow;
    private ITimer? _clock;

    public LiveStats(TimeProvider time, IMeterFactory meters, IOptions<ClusterOptions>? cluster = null)
    {
        _time = time;
        _node = cluster?.Value.NodeName ?? Environment.MachineName;
        _connections = new ConnectionCounter(meters);
        _startedAt = time.GetTimestamp();
        _coarseNow = _startedAt;
        _ttft = new RollingHistogram(time, Window, Slot);
        _callDuration = new RollingHistogram(time, Window, Slot);
        _cancelLatency = new RollingHistogram(time, Window, Slot);
        _sendLag = new RollingHistogram(time, Window, Slot);
        _throughput = new RollingRate(time, 10);
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _connections.Start();
        _clock = _time.CreateTimer(static s => ((LiveStats)s!).Tick(), this, ClockPeriod, ClockPeriod);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
        _clock?.Dispose();
        _connections.Dispose();
    }

    private void Tick() => Volatile.Write(ref _coarseNow, _time.GetTimestamp());

    public void RunStarted() => Interlocked.Increment(ref _runs.Started);

    public void RunEnded(RunStatus status) => _runs.Ended(status switch
    {
        RunStatus.Ok => ModelStatus.Ok,
        RunStatus.Cancelled => ModelStatus.Cancelled,
        _ => ModelStatus.Failed,
    });

    public void CallStarted() => Interlocked.Increment(ref _calls.Started);

    /// <summary>A model call's first token arrived: counted at once, so the view shows it while answers still stream.</summary>
    public void FirstToken(double ttftMs) => _ttft.Record(ttftMs, _time.GetTimestamp());

    public void CallEnded(ModelStatus status, string provider, long durationMs, double? cancelLatencyMs)
    {
        _calls.Ended(status);
        var now = _time.GetTimestamp();
        _callDuration.Record(durationMs, now);
        if (cancelLatencyMs is { } cancel)
        {
            _cancelLatency.Record(cancel, now);
        }
        if (status == ModelStatus.Failed)
        {
            Interlocked.Increment(ref _errorsByProvider.GetOrAdd(provider, static _ => new StrongBox<long>()).Value);
        }
    }

    /// <summary>An event was appended to a run's log; <paramref name="tokenChars"/> is the length of a token delta (0 for other events).</summary>
    /// <remarks>Counted in the second of a clock updated every 100 ms: reading a precise clock per token would cost more than the rest.</remarks>
    public void EventAppended(int tokenChars) => _throughput.Add(Volatile.Read(ref _coarseNow), 1, tokenChars);

    public void SubscribersChanged(int delta) => Interlocked.Add(ref _subscribers, delta);

    /// <summary>A subscriber's transport took an event <paramref name="lagMs"/> after it could have; now is <paramref name="timestamp"/>.</summary>
    public void Sent(double lagMs, long timestamp) => _sendLag.Record(lagMs, timestamp);

    public StatsSnapshot Snapshot()
    {
        var (events, chars) = _throughput.PerSecond();
        var runs = _runs.Read();
        var calls = _calls.Read();
        return new StatsSnapshot(
            _node,
            _time.GetUtcNow(),
            Math.Round(_time.GetElapsedTime(_startedAt).TotalSeconds, 1),
            runs.Started - runs.Ok - runs.Cancelled - runs.Failed,
            calls.Started - calls.Ok - calls.Cancelled - calls.Failed,
            _connections.Current,
            Interlocked.Read(ref _subscribers),
            Math.Round(chars / CharsPerToken, 1),
            Math.Round(events, 1),
            new LatencyWindow(_ttft.Summarize(), _callDuration.Summarize(), _cancelLatency.Summarize(), _sendLag.Summarize()),
            runs,
            calls,
            _errorsByProvider.OrderBy(e => e.Key, StringComparer.Ordinal).ToDictionary(e => e.Key, e => Interlocked.Read(ref e.Value.Value)));
    }

    private sealed class Counts
    {
        public long Started;
        private long _ok;
        private long _cancelled;
        private long _failed;

        public void Ended(ModelStatus status)
        {
            switch (status)
            {
                case ModelStatus.Ok: Interlocked.Increment(ref _ok); break;
                case ModelStatus.Cancelled: Interlocked.Increment(ref _cancelled); break;
                default: Interlocked.Increment(ref _failed); break;
            }
        }

        // Ended ones first: a run counted as ended is then always counted as started too.
        public StatusCounts Read()
        {
            var ok = Interlocked.Read(ref _ok);
            var cancelled = Interlocked.Read(ref _cancelled);
            var failed = Interlocked.Read(ref _failed);
            return new StatusCounts(Interlocked.Read(ref Started), ok, cancelled, failed);
        }
    }
}
