using System.Threading.RateLimiting;
using Council.Server.Auth;
using Council.Server.Grains;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Council.Server.Hub;

/// <summary>
/// Keeps one user or connection from exhausting the server: invocations per connection per second, runs per
/// user per minute, and runs going at once per user. A refusal says what the limit is and when to try again.
/// The per-user limits apply when there are users to tell apart (ApiKeys, TrustedProxy); the single local user of
/// None mode is the operator.
/// </summary>
public sealed class LimitsHubFilter : IHubFilter, IDisposable
{
    private const string ConnectionLimiterKey = "council.invocations";
    private readonly IOptions<CouncilOptions> _options;
    private readonly LocalRunLogs _runs;
    private readonly bool _perUser;
    private readonly PartitionedRateLimiter<string> _runsPerUser;

    public LimitsHubFilter(IOptions<CouncilOptions> options, IOptions<AuthOptions> auth, LocalRunLogs runs)
    {
        _options = options;
        _runs = runs;
        _perUser = auth.Value.Mode != AuthMode.None;
        _runsPerUser = PartitionedRateLimiter.Create<string, string>(user => RateLimitPartition.GetFixedWindowLimiter(user, _ =>
            new FixedWindowRateLimiterOptions { PermitLimit = options.Value.MaxRunsPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
    }

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var o = _options.Value;
        if (invocationContext.Context.Items[ConnectionLimiterKey] is RateLimiter perConnection)
        {
            using var lease = perConnection.AttemptAcquire();
            if (!lease.IsAcquired)
            {
                throw new HubException($"Too many calls on this connection: at most {o.MaxInvocationsPerSecond} per second. Retry in a second.");
            }
        }

        if (_perUser && invocationContext.HubMethod.Name == nameof(CouncilHub.StartRun))
        {
            var user = CouncilUser.Id(invocationContext.Context.User);
            if (_runs.RunningCountOf(user) >= o.MaxConcurrentRuns)
            {
                throw new HubException($"You have {o.MaxConcurrentRuns} runs going, the most at once. Retry when one finishes, or cancel one.");
            }
            using var lease = _runsPerUser.AttemptAcquire(user);
            if (!lease.IsAcquired)
            {
                var retry = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? $"{Math.Ceiling(after.TotalSeconds)} s" : "a minute";
                throw new HubException($"You asked to start {o.MaxRunsPerMinute} runs in the last minute, the most allowed. Retry in {retry}.");
            }
        }
        return await next(invocationContext);
    }

    public Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        var perSecond = _options.Value.MaxInvocationsPerSecond;
        context.Context.Items[ConnectionLimiterKey] = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = perSecond,
            TokensPerPeriod = perSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
        return next(context);
    }

    public async Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        if (context.Context.Items[ConnectionLimiterKey] is IDisposable limiter)
        {
            limiter.Dispose();
        }
        await next(context, exception);
    }

    public void Dispose() => _runsPerUser.Dispose();
}
