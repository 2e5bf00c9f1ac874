using Council.Server.Auth;
using Council.Server.Workflows;
using Microsoft.Extensions.Options;

namespace Council.Server.Grains;

/// <summary>
/// The per-user limits on starting runs, for the hub's <c>start_run</c> and <c>/v1/chat/completions</c> alike (both
/// start through <see cref="RunStarter"/>): runs going at once (<see cref="CouncilOptions.MaxConcurrentRuns"/>) and
/// runs started in the last minute (<see cref="CouncilOptions.MaxRunsPerMinute"/>), counted across the cluster by the
/// user's <see cref="IUserRunsGrain"/>. They apply when there are users to tell apart (ApiKeys, TrustedProxy); the
/// single local user of None mode is the operator. When that grain cannot answer at once (its node was just lost,
/// and the cluster has not said so yet), the run starts uncounted: a limit is briefly lenient, never an error.
/// </summary>
public sealed partial class RunStartLimits(IOptions<AuthOptions> auth, IGrainFactory grains, ILocalSiloDetails silo, ILogger<RunStartLimits> logger)
{
    /// <summary>How long a start waits for the user's grain.</summary>
    private static readonly TimeSpan AnswerWithin = TimeSpan.FromSeconds(2);

    private readonly bool _perUser = auth.Value.Mode != AuthMode.None;

    /// <summary>Null when the run may start (it counts from now on); else why not.</summary>
    public async Task<RunRefusal?> TryAdmitAsync(RunPlan plan)
    {
        if (!_perUser)
        {
            return null;
        }
        try
        {
            return await grains.GetGrain<IUserRunsGrain>(plan.Owner).Admit(plan.RunId, silo.SiloAddress).WaitAsync(AnswerWithin);
        }
        catch (Exception ex) when (ex is OrleansException or TimeoutException)
        {
            LogUncounted(logger, ex, plan.RunId);
            return null;
        }
    }

    /// <summary>The run ended, or did not start after all. Not heard when the grain's node was just lost (its count starts afresh elsewhere).</summary>
    public async Task EndedAsync(RunPlan plan)
    {
        if (!_perUser)
        {
            return;
        }
        try
        {
            await grains.GetGrain<IUserRunsGrain>(plan.Owner).Ended(plan.RunId);
        }
        catch (OrleansException)
        {
            // The user's grain is on a node that was lost: its count starts afresh where it comes back.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId} starts uncounted: its user's limits did not answer in time")]
    private static partial void LogUncounted(ILogger logger, Exception exception, string runId);
}
