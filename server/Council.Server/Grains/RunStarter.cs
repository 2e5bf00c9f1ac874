using Council.Server.Workflows;

namespace Council.Server.Grains;

/// <summary>
/// Starts a planned run's grain and hands back its event log, once the user's limits admit it. The grain is placed
/// on this node (prefer-local), so whoever starts a run reads its log in-process: the hub's connection, or a
/// <c>/v1</c> stream.
/// </summary>
public sealed class RunStarter(IGrainFactory grains, LocalRunLogs logs, RunStartLimits limits)
{
    /// <summary>Enough to outlast a lost node's death declaration (2–3 s with the cluster's membership settings).</summary>
    private const int StartAttempts = 12;

    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(500);

    /// <exception cref="RunRefusedException">A per-user limit refuses the run now.</exception>
    public async Task<RunEventLog> StartAsync(RunPlan plan)
    {
        if (await limits.TryAdmitAsync(plan) is { } refusal)
        {
            throw new RunRefusedException(refusal);
        }
        RunAttachment started;
        try
        {
            started = await StartGrainAsync(plan);
        }
        catch
        {
            await limits.EndedAsync(plan); // refused by the grain (storage away, say): it does not count
            throw;
        }
        return logs.Collect(started.Handoff) ?? throw new InvalidOperationException($"Run {plan.RunId} started, but its log is not on this node.");
    }

    /// <summary>
    /// Starts the grain, sending again a start that was never delivered: just after a node is lost, and before the
    /// cluster has declared it dead, placing a new grain can still need that node (its part of the grain directory).
    /// </summary>
    private async Task<RunAttachment> StartGrainAsync(RunPlan plan)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await grains.GetGrain<IRunGrain>(plan.RunId).Start(plan);
            }
            catch (OrleansMessageRejectionException) when (attempt < StartAttempts)
            {
                await Task.Delay(RetryDelay);
            }
        }
    }
}
