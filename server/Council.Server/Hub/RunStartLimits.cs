using System.Threading.RateLimiting;
using Council.Server.Auth;
using Council.Server.Grains;
using Microsoft.Extensions.Options;

namespace Council.Server.Hub;

/// <summary>
/// The per-user limits on starting runs, shared by the hub's <c>start_run</c> and <c>/v1/chat/completions</c>: runs
/// going at once (<see cref="CouncilOptions.MaxConcurrentRuns"/>) and runs started per minute
/// (<see cref="CouncilOptions.MaxRunsPerMinute"/>). They apply when there are users to tell apart (ApiKeys,
/// TrustedProxy); the single local user of None mode is the operator.
/// </summary>
public sealed class RunStartLimits : IDisposable
{
    private readonly IOptions<CouncilOptions> _options;
    private readonly LocalRunLogs _runs;
    private readonly bool _perUser;
    private readonly PartitionedRateLimiter<string> _runsPerUser;

    public RunStartLimits(IOptions<CouncilOptions> options, IOptions<AuthOptions> auth, LocalRunLogs runs)
    {
        _options = options;
        _runs = runs;
        _perUser = auth.Value.Mode != AuthMode.None;
        _runsPerUser = PartitionedRateLimiter.Create<string, string>(user => RateLimitPartition.GetFixedWindowLimiter(user, _ =>
            new FixedWindowRateLimiterOptions { PermitLimit = options.Value.MaxRunsPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
    }

    /// <summary>Null when <paramref name="user"/> may start a run now (it counts against the minute); else why not.</summary>
    public RunRefusal? TryAdmit(string user)
    {
        if (!_perUser)
        {
            return null;
        }
        var o = _options.Value;
        if (_runs.RunningCountOf(user) >= o.MaxConcurrentRuns)
        {
            return new RunRefusal($"You have {o.MaxConcurrentRuns} runs going, the most at once. Retry when one finishes, or cancel one.", null);
        }
        using var lease = _runsPerUser.AttemptAcquire(user);
        if (lease.IsAcquired)
        {
            return null;
        }
        TimeSpan? after = lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : null;
        var retry = after is { } a ? $"{Math.Ceiling(a.TotalSeconds)} s" : "a minute";
        return new RunRefusal($"You asked to start {o.MaxRunsPerMinute} runs in the last minute, the most allowed. Retry in {retry}.", after);
    }

    public void Dispose() => _runsPerUser.Dispose();
}

/// <summary>Why a run may not start now, and when a retry may succeed (unknown when null).</summary>
public sealed record RunRefusal(string Message, TimeSpan? RetryAfter);
