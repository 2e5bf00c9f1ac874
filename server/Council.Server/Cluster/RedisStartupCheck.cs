namespace Council.Server.Cluster;

/// <summary>
/// Connects to Redis before the silo starts (registered ahead of it), so a missing or unreachable Redis is a clear
/// startup error instead of Orleans retrying to join a cluster it cannot see.
/// </summary>
internal sealed class RedisStartupCheck(RedisConnection redis) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken) => await redis.GetAsync().WaitAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
