using System.Threading.RateLimiting;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Council.Server.Hub;

/// <summary>
/// Keeps one user or connection from exhausting the server: invocations per connection per second, runs per
/// user per minute, and runs going at once per user. A refusal says what the limit is and when to try again.
/// The per-user limits are <see cref="RunStartLimits"/>, which <c>start_run</c> meets when it starts the run (as
/// <c>/v1/chat/completions</c> does); <see cref="CouncilHubFilter"/> says their refusal.
/// </summary>
public sealed class LimitsHubFilter(IOptions<CouncilOptions> options) : IHubFilter
{
    private const string ConnectionLimiterKey = "council.invocations";
    private readonly IOptions<CouncilOptions> _options = options;

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
}
