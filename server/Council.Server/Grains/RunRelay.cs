using Council.Contracts.Messages;

namespace Council.Server.Grains;

/// <summary>
/// Sends a run's new events to the mirrors on other nodes, inside the grain's activation. Each mirror has at most one
/// call in flight: what is appended meanwhile goes in the next call, so the events arrive in seq order and in batches
/// that grow with the round trip (never a call per token when the other node is slow). A mirror that fails
/// <see cref="Attempts"/> calls in a row is dropped (its node is gone; its viewers resume elsewhere).
/// </summary>
internal sealed partial class RunRelay(RunEventLog log, ILogger logger)
{
    internal const int Attempts = 3;
    private const int MaxBatch = 512;
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan PollDelivered = TimeSpan.FromMilliseconds(20);

    private readonly List<Target> _targets = [];

    public int Count => _targets.Count;

    /// <summary>Relays the events after <paramref name="sentThrough"/> to <paramref name="mirror"/>.</summary>
    public void Add(IRunMirror mirror, long sentThrough)
    {
        // A mirror that attaches again (it heard nothing for a while) and is still here keeps its place and cursor.
        if (!_targets.Any(t => t.Mirror.Equals(mirror)))
        {
            _targets.Add(new Target(mirror) { SentThrough = sentThrough });
        }
        Wake();
    }

    /// <summary>Called after each append: starts a send to every mirror that has none in flight.</summary>
    public void Wake()
    {
        foreach (var target in _targets)
        {
            if (!target.Sending && target.SentThrough < log.LastSeq)
            {
                target.Sending = true;
                _ = SendAsync(target);
            }
        }
    }

    /// <summary>Completes once every mirror has every event (or was dropped), or at <paramref name="cancellationToken"/>.</summary>
    public async Task DeliveredAsync(CancellationToken cancellationToken)
    {
        while (_targets.Any(t => t.Sending || t.SentThrough < log.LastSeq) && !cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(PollDelivered, CancellationToken.None);
        }
    }

    private async Task SendAsync(Target target)
    {
        // After this turn: the events it appends go in one call.
        await Task.Yield();
        var failures = 0;
        var batch = new List<RunEvent>(64);
        while (target.SentThrough < log.LastSeq)
        {
            batch.Clear();
            log.CopyAfter(target.SentThrough, batch, MaxBatch);
            try
            {
                await target.Mirror.Appended(RelayedEvents.From(batch));
                target.SentThrough = batch[^1].Seq;
                failures = 0;
            }
            catch (Exception ex)
            {
                if (++failures >= Attempts)
                {
                    LogMirrorDropped(logger, ex, log.RunId, target.SentThrough);
                    _targets.Remove(target);
                    return;
                }
                await Task.Delay(RetryDelay);
            }
        }
        target.Sending = false;
        if (log.IsCompletedThrough(target.SentThrough))
        {
            _targets.Remove(target); // it has the whole run
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId}: a mirror on another node stopped answering after seq {Seq}; it gets no more events")]
    private static partial void LogMirrorDropped(ILogger logger, Exception exception, string runId, long seq);

    private sealed class Target(IRunMirror mirror)
    {
        public IRunMirror Mirror { get; } = mirror;

        public long SentThrough { get; set; }

        public bool Sending { get; set; }
    }
}
