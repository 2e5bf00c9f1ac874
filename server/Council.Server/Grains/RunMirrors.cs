using System.Collections.Concurrent;
using Council.Contracts.Messages;
using Microsoft.Extensions.Options;

namespace Council.Server.Grains;

/// <summary>
/// Gives the hub a run's event log on this node, wherever the run's grain is: the grain's own log when it is here
/// (handed over through <see cref="LocalRunLogs"/>), else this node's mirror of it, one per live run shared by every
/// viewer here, fed by the grain in batches. Commands still go to the grain itself.
/// </summary>
public sealed partial class RunMirrors(
    IGrainFactory grains,
    LocalRunLogs logs,
    ILocalSiloDetails silo,
    IOptions<CouncilOptions> options,
    IOptions<Cluster.ClusterOptions> cluster,
    TimeProvider time,
    ILogger<RunMirrors> logger)
{
    private static readonly TimeSpan ForgetAfter = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A live run sends at least a heartbeat a second; a mirror that heard nothing for this long attaches again, so
    /// a grain that gave up on it after failed calls (or a lost last batch) does not leave its viewers waiting.
    /// </summary>
    internal static readonly TimeSpan SilentAfter = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, Entry> _mirrors = new(StringComparer.Ordinal);

    /// <summary>Live runs mirrored here from other nodes.</summary>
    public int Count => _mirrors.Count;

    /// <summary>The run's log for <paramref name="user"/>, its status and newest seq; null for an unknown run.</summary>
    public async Task<AttachedLog?> AttachAsync(string runId, string user)
    {
        if (_mirrors.TryGetValue(runId, out var existing) && existing.Mirror.Owner == user
            && (!existing.Mirror.Log.IsCompleted || existing.Mirror.Interrupted))
        {
            // Another viewer here mirrors it already; or its node was lost, and this node closed it as interrupted.
            var status = existing.Mirror.Interrupted ? RunStatus.Interrupted : RunStatus.Running;
            return new AttachedLog(existing.Mirror.Log, status, existing.Mirror.Log.LastSeq);
        }
        var grain = grains.GetGrain<IRunGrain>(runId);
        if (!cluster.Value.IsRedis)
        {
            // One node: every grain is here.
            var local = await grain.Attach(user);
            return local.Known && logs.Collect(local.Handoff) is { } own ? new AttachedLog(own, local.Status, local.LastSeq) : null;
        }
        var mirror = new RunMirror(runId, user, async afterSeq => (await grain.EventsAfter(user, afterSeq))?.ToEvents(), logger, time);
        // Made before the call: the grain may relay a batch before its reply is in (the mirror keeps it for later).
        var reference = grains.CreateObjectReference<IRunMirror>(mirror);
        var kept = false;
        try
        {
            var attached = await grain.AttachFrom(user, new RunViewerNode(silo.SiloAddress, reference));
            if (!attached.Known)
            {
                return null;
            }
            if (attached.Events is null)
            {
                // The grain is on this node: its own log.
                var log = logs.Collect(attached.Handoff) ?? throw new InvalidOperationException($"Run {runId} is not on this node.");
                return new AttachedLog(log, attached.Status, attached.LastSeq);
            }
            if (attached.Status != RunStatus.Running)
            {
                // A finished run: its whole log came with the reply.
                return new AttachedLog(RunEventLog.Closed(runId, attached.Events.ToEvents()), attached.Status, attached.LastSeq);
            }
            var entry = new Entry(mirror, reference);
            // After the call that brought the last event has answered, so the grain sees it delivered; a run whose
            // node was lost is kept as long as a finished run's grain would be, to answer resume_run as interrupted.
            mirror.Completed += _ => Task.Delay(mirror.Interrupted ? TimeSpan.FromSeconds(options.Value.FinishedRunIdleSeconds) : ForgetAfter, time)
                .ContinueWith(_ => Forget(entry), TaskScheduler.Default);
            mirror.Node = attached.Node;
            _mirrors[runId] = entry;
            kept = true;
            await mirror.StartAsync(attached.Events.ToEvents());
            return new AttachedLog(mirror.Log, attached.Status, attached.LastSeq);
        }
        finally
        {
            if (!kept)
            {
                grains.DeleteObjectReference<IRunMirror>(reference);
                mirror.Dispose();
            }
        }
    }

    /// <summary>
    /// Attaches the live mirrors that heard nothing for <see cref="SilentAfter"/> again, catching up on what they
    /// missed; each on its own (a call to a node that hangs holds up no other mirror), one attempt at a time.
    /// </summary>
    public void CatchUpSilent()
    {
        foreach (var entry in _mirrors.Values)
        {
            if (!entry.Mirror.Log.IsCompleted && entry.Mirror.Silence >= SilentAfter && Interlocked.Exchange(ref entry.CatchingUp, 1) == 0)
            {
                _ = CatchUpAsync(entry);
            }
        }
    }

    private async Task CatchUpAsync(Entry entry)
    {
        var mirror = entry.Mirror;
        try
        {
            var attached = await grains.GetGrain<IRunGrain>(mirror.Log.RunId)
                .AttachFrom(mirror.Owner, new RunViewerNode(silo.SiloAddress, entry.Reference));
            if (attached.Events is { } events)
            {
                LogCaughtUp(logger, mirror.Log.RunId, mirror.Log.LastSeq, attached.LastSeq);
                await mirror.CatchUpAsync(events.ToEvents());
            }
            else
            {
                // The run is unknown to its grain now, or its grain came back on this node: its node went away (say, while
                // this mirror was attaching, before membership was told). The run ends here as interrupted.
                logs.Collect(attached.Handoff);
                await mirror.NodeLostAsync(null);
            }
        }
        catch (Exception ex)
        {
            LogCatchUpFailed(logger, ex, mirror.Log.RunId); // its node may be going: membership will say
        }
        finally
        {
            Volatile.Write(ref entry.CatchingUp, 0);
        }
    }

    /// <summary>
    /// A node left the cluster for good: the runs mirrored here from it end as interrupted. Returns their logs as they
    /// end here (what this node's viewers saw), by run id.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<RunEvent>>> NodeLostAsync(SiloAddress node, string name)
    {
        var lost = _mirrors.Values.Where(e => node.Equals(e.Mirror.Node) && !e.Mirror.Log.IsCompleted).ToArray();
        if (lost.Length > 0)
        {
            LogNodeLost(logger, name, lost.Length);
        }
        var ended = new Dictionary<string, IReadOnlyList<RunEvent>>(StringComparer.Ordinal);
        foreach (var entry in lost)
        {
            await entry.Mirror.NodeLostAsync(name);
            ended[entry.Mirror.Log.RunId] = entry.Mirror.Log.Snapshot();
        }
        return ended;
    }

    /// <summary>The mirror has the whole run: the grain sends it nothing more, and later viewers attach afresh.</summary>
    private void Forget(Entry entry)
    {
        _mirrors.TryRemove(new KeyValuePair<string, Entry>(entry.Mirror.Log.RunId, entry));
        grains.DeleteObjectReference<IRunMirror>(entry.Reference);
        entry.Mirror.Dispose();
        LogMirrorDone(logger, entry.Mirror.Log.RunId, entry.Mirror.Log.LastSeq);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Mirror of run {RunId} complete at seq {Seq}")]
    private static partial void LogMirrorDone(ILogger logger, string runId, long seq);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mirror of run {RunId} heard nothing for a while at seq {Seq}; attached again (the grain is at {LastSeq})")]
    private static partial void LogCaughtUp(ILogger logger, string runId, long seq, long lastSeq);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mirror of run {RunId} could not attach again")]
    private static partial void LogCatchUpFailed(ILogger logger, Exception exception, string runId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Node {Node} was lost: {Runs} runs mirrored here from it end as interrupted")]
    private static partial void LogNodeLost(ILogger logger, string node, int runs);

    private sealed class Entry(RunMirror mirror, IRunMirror reference)
    {
        /// <summary>1 while an attach again is in flight.</summary>
        public int CatchingUp;

        public RunMirror Mirror { get; } = mirror;

        public IRunMirror Reference { get; } = reference;
    }
}
