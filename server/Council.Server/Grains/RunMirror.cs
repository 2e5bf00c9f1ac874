using Council.Contracts.Messages;

namespace Council.Server.Grains;

/// <summary>
/// One run's log on a node that does not hold its grain, which the hub's send loops read exactly as a local one.
/// It starts from the events the grain returned on attach; batches that the grain relays (possibly before that reply
/// is in) are applied in seq order: a seq already in is skipped, a gap is filled from the grain first.
/// </summary>
public sealed partial class RunMirror(string runId, string owner, Func<long, Task<IReadOnlyList<RunEvent>?>> fetchAfter, ILogger logger,
    TimeProvider? time = null) : IRunMirror, IDisposable
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly SemaphoreSlim _turn = new(1, 1);
    private readonly List<RunEvent> _early = [];
    private bool _started;

    public RunEventLog Log { get; } = new(runId);

    public string Owner { get; } = owner;

    /// <summary>The node that holds the run's grain.</summary>
    public SiloAddress? Node { get; set; }

    /// <summary>True when the log was closed here because the grain's node was lost.</summary>
    public bool Interrupted { get; private set; }

    /// <summary>When the grain last sent a batch or the log was (re)attached (a <see cref="TimeProvider"/> timestamp).</summary>
    public long LastHeardAt { get; private set; }

    /// <summary>Time since <see cref="LastHeardAt"/>.</summary>
    public TimeSpan Silence => _time.GetElapsedTime(LastHeardAt);

    /// <summary>Told once the log has its last event.</summary>
    public event Action<RunMirror>? Completed;

    /// <summary>
    /// Applies the log as the grain has it now (attached again after a silence: the grain may have stopped relaying to
    /// this mirror after failed calls): what is new is appended, what is here already skipped.
    /// </summary>
    public async Task CatchUpAsync(IReadOnlyList<RunEvent> events)
    {
        await _turn.WaitAsync();
        try
        {
            LastHeardAt = _time.GetTimestamp();
            await ApplyAsync(events);
        }
        finally
        {
            _turn.Release();
        }
    }

    /// <summary>Takes the events the grain returned on attach, then any batch that came before them.</summary>
    public async Task StartAsync(IReadOnlyList<RunEvent> events)
    {
        await _turn.WaitAsync();
        try
        {
            LastHeardAt = _time.GetTimestamp();
            _started = true;
            await ApplyAsync(events);
            var early = _early.ToArray();
            _early.Clear();
            await ApplyAsync(early);
        }
        finally
        {
            _turn.Release();
        }
    }

    public async Task Appended(RelayedEvents events)
    {
        LastHeardAt = _time.GetTimestamp();
        var batch = events.ToEvents();
        await _turn.WaitAsync();
        try
        {
            if (!_started)
            {
                _early.AddRange(batch);
                return;
            }
            await ApplyAsync(batch);
        }
        finally
        {
            _turn.Release();
        }
    }

    /// <summary>
    /// The grain's node is gone: the run ends here as interrupted (what its models had streamed is kept, the calls still
    /// going end cancelled, then <c>run_complete</c> failed saying so), for every viewer on this node.
    /// </summary>
    public async Task NodeLostAsync(string? nodeName)
    {
        await _turn.WaitAsync();
        try
        {
            if (!_started || Log.IsCompleted)
            {
                return;
            }
            Interrupted = true;
            foreach (var runEvent in Storage.InterruptedRun.Closing(Log.RunId, Log.Snapshot(), Storage.InterruptedRun.NodeLost(nodeName)))
            {
                Append(runEvent);
            }
        }
        finally
        {
            _turn.Release();
        }
    }

    private async Task ApplyAsync(IReadOnlyList<RunEvent> events)
    {
        foreach (var runEvent in events)
        {
            if (Log.IsCompleted || runEvent.Seq < Log.NextSeq)
            {
                continue; // already in
            }
            if (runEvent.Seq > Log.NextSeq && !await RepairAsync(runEvent.Seq))
            {
                return;
            }
            if (runEvent.Seq == Log.NextSeq)
            {
                Append(runEvent);
            }
        }
    }

    /// <summary>Fills the seqs before <paramref name="seq"/> from the grain; false when it could not.</summary>
    private async Task<bool> RepairAsync(long seq)
    {
        LogGap(logger, Log.RunId, Log.LastSeq, seq);
        IReadOnlyList<RunEvent>? missing;
        try
        {
            missing = await fetchAfter(Log.LastSeq);
        }
        catch (Exception ex)
        {
            LogRepairFailed(logger, ex, Log.RunId);
            return false;
        }
        foreach (var runEvent in missing ?? [])
        {
            if (runEvent.Seq == Log.NextSeq && !Log.IsCompleted)
            {
                Append(runEvent);
            }
        }
        return Log.NextSeq >= seq || Log.IsCompleted;
    }

    private void Append(RunEvent runEvent)
    {
        var last = runEvent is RunCompleteEvent;
        Log.Append(runEvent, last);
        if (last)
        {
            Completed?.Invoke(this);
        }
    }

    public void Dispose() => _turn.Dispose();

    [LoggerMessage(Level = LogLevel.Information, Message = "Mirror of run {RunId}: seq {Seq} came after {LastSeq}; fetching the gap from the grain")]
    private static partial void LogGap(ILogger logger, string runId, long lastSeq, long seq);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mirror of run {RunId}: the gap could not be fetched")]
    private static partial void LogRepairFailed(ILogger logger, Exception exception, string runId);
}
