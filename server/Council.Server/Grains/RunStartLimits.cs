using Council.Server.Auth;
using Council.Server.Workflows;
using Microsoft.Extensions.Options;

namespace Council.Server.Grains;

/// <summary>
/// The per-user limits on starting runs, for the hub's <c>start_run</c> and <c>/v1/chat/completions</c> alike (both
/// start through <see cref="RunStarter"/>): runs going at once (<see cref="CouncilOptions.MaxConcurrentRuns"/>) and
/// runs started in the last minute (<see cref="CouncilOptions.MaxRunsPerMinute"/>), counted across the cluster by the
/// user's <see cref="IUserRunsGrain"/>. They apply when there are users to tell apart (ApiKeys, TrustedProxy); the
/// single local user of None mode is the operator.
/// </summary>
public sealed class RunStartLimits(IOptions<AuthOptions> auth, IGrainFactory grains, ILocalSiloDetails silo)
{
    private readonly bool _perUser = auth.Value.Mode != AuthMode.None;

    /// <summary>Null when the run may start (it counts from now on); else why not.</summary>
    public async Task<RunRefusal?> TryAdmitAsync(RunPlan plan) =>
        _perUser ? await grains.GetGrain<IUserRunsGrain>(plan.Owner).Admit(plan.RunId, silo.SiloAddress) : null;

    /// <summary>The run ended, or did not start after all.</summary>
    public Task EndedAsync(RunPlan plan) => _perUser ? grains.GetGrain<IUserRunsGrain>(plan.Owner).Ended(plan.RunId) : Task.CompletedTask;
}
