using Council.Server.Operations;

namespace Council.Server.Telemetry;

/// <summary>
/// The hub's hook for its send loops: counts subscribers and measures send lag, the time from an event
/// being appended to a run's log (or from the subscription starting, for events that were already there)
/// to this subscriber's transport accepting it.
/// </summary>
public sealed class SubscriberTelemetry(EventTimes times, CouncilMetrics metrics, LiveStats stats, TimeProvider time)
{
    /// <summary>A send loop started; dispose the probe when it stops.</summary>
    public SubscriberProbe Subscribed(string runId)
    {
        metrics.Subscribers.Add(1);
        stats.SubscribersChanged(1);
        return new SubscriberProbe(this, runId, time.GetTimestamp());
    }

    private RunEventTimes? FindRun(string runId) => times.Find(runId);

    private void Sent(RunEventTimes? run, long seq, long subscribedAt)
    {
        if (run is null || !run.TryGet(seq, out var appendedAt))
        {
            return;
        }
        var now = time.GetTimestamp();
        var lag = time.GetElapsedTime(Math.Max(appendedAt, subscribedAt), now);
        stats.Sent(lag.TotalMilliseconds, now);
        if (metrics.SendLag.Enabled)
        {
            metrics.SendLag.Record(lag.TotalSeconds);
        }
    }

    private void Unsubscribed()
    {
        metrics.Subscribers.Add(-1);
        stats.SubscribersChanged(-1);
    }

    /// <summary>One send loop's view; used by that loop only.</summary>
    public sealed class SubscriberProbe : IDisposable
    {
        private readonly SubscriberTelemetry _owner;
        private readonly string _runId;
        private readonly long _subscribedAt;
        private RunEventTimes? _run;
        private bool _disposed;

        internal SubscriberProbe(SubscriberTelemetry owner, string runId, long subscribedAt)
        {
            _owner = owner;
            _runId = runId;
            _subscribedAt = subscribedAt;
        }

        /// <summary>The transport accepted the event with this seq.</summary>
        public void Sent(long seq)
        {
            // The run's times may appear only after the subscription (start_run subscribes as the grain starts).
            _run ??= _owner.FindRun(_runId);
            _owner.Sent(_run, seq, _subscribedAt);
        }

        public void Dispose()
        {
            if (!_disposed)
            {
                _disposed = true;
                _owner.Unsubscribed();
            }
        }
    }
}
