using System.Collections.Concurrent;
using Council.Contracts.Hub;
using Council.Contracts.Messages;
using Council.Server.Grains;
using Council.Server.Telemetry;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Council.Server.Hub;

/// <summary>
/// Which connection watches which run. Each subscription is a cursor over the run's event log with its own
/// send loop that awaits the transport: a slow client lags behind in the log without a private copy of events,
/// never holds up the run or other clients, and past <see cref="CouncilOptions.SlowClientTimeoutSeconds"/>
/// on one send it is disconnected (it can resume later).
/// </summary>
public sealed partial class RunSubscriptions(
    IHubContext<CouncilHub, ICouncilClient> hub,
    IOptions<CouncilOptions> options,
    ILogger<RunSubscriptions> logger,
    SubscriberTelemetry? telemetry = null)
{
    private const int ReadBatch = 256;

    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, CancellationTokenSource>> _byConnection = new(StringComparer.Ordinal);

    /// <summary>
    /// Test seam: runs in a send loop after a read found nothing new and before it decides whether the log is done,
    /// the moment at which the grain may append a run's last events.
    /// </summary>
    internal Action<RunEventLog>? AfterEmptyRead { get; set; }

    /// <summary>Number of live subscriptions.</summary>
    public int Count => _byConnection.Values.Sum(runs => runs.Count);

    /// <summary>Sends <paramref name="caller"/> every event of the log after <paramref name="afterSeq"/>, then live ones.</summary>
    public void Subscribe(HubCallerContext caller, RunEventLog log, long afterSeq)
    {
        var runs = _byConnection.GetOrAdd(caller.ConnectionId, _ => new(StringComparer.Ordinal));
        var cancellation = CancellationTokenSource.CreateLinkedTokenSource(caller.ConnectionAborted);
        if (runs.TryGetValue(log.RunId, out var previous))
        {
            previous.Cancel(); // A resume on the same connection replaces the earlier cursor.
        }
        runs[log.RunId] = cancellation;
        _ = PumpAsync(caller, log, afterSeq, cancellation);
    }

    /// <summary>Stops every send loop of a connection that went away.</summary>
    public void Drop(string connectionId)
    {
        if (_byConnection.TryRemove(connectionId, out var runs))
        {
            foreach (var cancellation in runs.Values)
            {
                cancellation.Cancel();
            }
        }
    }

    private async Task PumpAsync(HubCallerContext caller, RunEventLog log, long afterSeq, CancellationTokenSource cancellation)
    {
        var token = cancellation.Token;
        var client = hub.Clients.Client(caller.ConnectionId);
        var slowAfter = TimeSpan.FromSeconds(options.Value.SlowClientTimeoutSeconds);
        var batch = new List<RunEvent>(ReadBatch);
        var waiter = new RunEventLog.Waiter();
        var cursor = afterSeq;
        using var probe = telemetry?.Subscribed(log.RunId);
        // Cancellation wakes the log's readers once, instead of every wait for the next event carrying its own
        // cancellable wrapper (an allocation per event per subscriber).
        var wakeOnCancel = token.UnsafeRegister(static s => ((RunEventLog)s!).WakeReaders(), log);
        try
        {
            while (!token.IsCancellationRequested)
            {
                batch.Clear();
                var appended = log.ReadAfter(cursor, batch, ReadBatch, waiter);
                if (batch.Count == 0)
                {
                    AfterEmptyRead?.Invoke(log);
                    // Done only when the log is closed and this cursor has its last event: the grain may have
                    // appended the last events (and closed the log) since the read came back empty.
                    if (log.IsCompletedThrough(cursor))
                    {
                        return;
                    }
                    // Checked after ReadAfter armed the wait a cancellation would complete, so none is missed. An
                    // append since the read (closing or not) has completed the wait already.
                    token.ThrowIfCancellationRequested();
                    await appended.ConfigureAwait(false);
                    continue;
                }
                foreach (var runEvent in batch)
                {
                    var send = client.SendAsync(runEvent);
                    if (!send.IsCompleted)
                    {
                        try
                        {
                            await send.WaitAsync(slowAfter, token).ConfigureAwait(false);
                        }
                        catch (TimeoutException)
                        {
                            LogSlowClient(logger, caller.ConnectionId, log.RunId, runEvent.Seq, log.LastSeq);
                            caller.Abort();
                            return;
                        }
                    }
                    await send.ConfigureAwait(false);
                    probe?.Sent(runEvent.Seq);
                    cursor = runEvent.Seq;
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            LogSendFailed(logger, ex, caller.ConnectionId, log.RunId);
        }
        finally
        {
            await wakeOnCancel.DisposeAsync().ConfigureAwait(false);
            if (_byConnection.TryGetValue(caller.ConnectionId, out var runs))
            {
                runs.TryRemove(new KeyValuePair<string, CancellationTokenSource>(log.RunId, cancellation));
            }
            cancellation.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Connection {ConnectionId} fell behind on run {RunId} (seq {Seq} of {LastSeq}); disconnected, it can resume")]
    private static partial void LogSlowClient(ILogger logger, string connectionId, string runId, long seq, long lastSeq);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Sending run {RunId} to connection {ConnectionId} stopped")]
    private static partial void LogSendFailed(ILogger logger, Exception exception, string connectionId, string runId);
}
