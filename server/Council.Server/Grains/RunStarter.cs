using Council.Server.Workflows;

namespace Council.Server.Grains;

/// <summary>
/// Starts a planned run's grain and hands back its event log. The grain is placed on this node (prefer-local), so
/// whoever starts a run reads its log in-process: the hub's connection, or a <c>/v1</c> stream.
/// </summary>
public sealed class RunStarter(IGrainFactory grains, LocalRunLogs logs)
{
    public async Task<RunEventLog> StartAsync(RunPlan plan)
    {
        var started = await grains.GetGrain<IRunGrain>(plan.RunId).Start(plan);
        return logs.Collect(started.Handoff) ?? throw new InvalidOperationException($"Run {plan.RunId} started, but its log is not on this node.");
    }
}
