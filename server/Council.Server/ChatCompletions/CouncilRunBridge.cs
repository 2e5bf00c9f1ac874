using System.Runtime.CompilerServices;
using Council.Contracts.Messages;
using Council.Server.Grains;
using Council.Server.Workflows;

namespace Council.Server.ChatCompletions;

/// <summary>
/// Everything <c>/v1/chat/completions</c> asks of run grains, in one place: start a planned run, read its event log
/// from seq 0 on (live), cancel it. The run is a normal one: stored, on the hub for anyone who owns it, in metrics.
/// </summary>
public sealed class CouncilRunBridge(IGrainFactory grains, RunStarter starter)
{
    private const int ReadBatch = 256;

    /// <summary>Starts the run at once; its events are in the returned log from the first one on.</summary>
    public Task<RunEventLog> StartAsync(RunPlan plan) => starter.StartAsync(plan);

    /// <summary>
    /// Every event of the log in seq order, waiting for new ones, until <c>run_complete</c> (the last). Ends only when
    /// the log is closed and this reader has every event up to its last seq, so no final event is missed.
    /// </summary>
    public async IAsyncEnumerable<RunEvent> ReadAsync(RunEventLog log, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var batch = new List<RunEvent>(ReadBatch);
        var waiter = new RunEventLog.Waiter();
        var cursor = 0L;
        // A cancellation wakes the reader's wait once; it is checked again after every read that armed the wait.
        await using var wake = cancellationToken.UnsafeRegister(static s => ((RunEventLog)s!).WakeReaders(), log);
        while (true)
        {
            batch.Clear();
            var appended = log.ReadAfter(cursor, batch, ReadBatch, waiter);
            if (batch.Count == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                await appended;
                if (log.IsCompleted && cursor >= log.LastSeq)
                {
                    yield break;
                }
                continue;
            }
            foreach (var runEvent in batch)
            {
                cursor = runEvent.Seq;
                yield return runEvent;
            }
        }
    }

    /// <summary>Cancels the run if it is still going; false when it had ended (or is not known here).</summary>
    public async Task<bool> CancelAsync(RunPlan plan) =>
        await grains.GetGrain<IRunGrain>(plan.RunId).CancelRun(plan.Owner) == RunReply.Accepted;
}
