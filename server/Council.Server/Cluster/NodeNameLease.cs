using System.Net;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Council.Server.Cluster;

/// <summary>
/// Holds this node's <see cref="ClusterOptions.NodeName"/> in Redis for as long as it runs, so two live nodes never
/// share a name: stored runs are marked with the name, and a node starting closes the runs left going under it. The
/// claim is taken before any service starts (before storage closes those runs). A name held by a node at the same
/// silo endpoint is taken over at once (that node is this one's predecessor: two live processes cannot listen on one
/// endpoint); one held elsewhere is waited for until its lease runs out (a killed node's does within
/// <see cref="Lifetime"/>, and the survivors release it as soon as they declare that node dead), else the start fails
/// saying which node has the name.
/// </summary>
public sealed partial class NodeNameLease(
    RedisConnection redis,
    IOptions<ClusterOptions> options,
    TimeProvider time,
    ILogger<NodeNameLease> logger) : IHostedLifecycleService, IDisposable
{
    /// <summary>How long a claim lasts without being renewed.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan RenewEvery = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan RetryEvery = TimeSpan.FromMilliseconds(250);

    // Takes the name when it is free or held at our endpoint (ours included: a holder starts with its endpoint); else
    // answers the holder.
    private const string ClaimScript = """
        local holder = redis.call('GET', KEYS[1])
        if holder == false or string.sub(holder, 1, string.len(ARGV[3])) == ARGV[3] then
          redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
          return ''
        end
        return holder
        """;

    // Keeps the name while it is ours (taking it again if it ran out meanwhile, say during a Redis outage).
    private const string RenewScript = """
        local holder = redis.call('GET', KEYS[1])
        if holder == false or holder == ARGV[1] then
          redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
          return 1
        end
        return 0
        """;

    // Deletes the claim when its holder starts with ARGV[1]: a whole holder, or an endpoint and a space (anyone there).
    private const string ReleaseScript = """
        local holder = redis.call('GET', KEYS[1])
        if holder and string.sub(holder, 1, string.len(ARGV[1])) == ARGV[1] then
          redis.call('DEL', KEYS[1])
          return 1
        end
        return 0
        """;

    private readonly CancellationTokenSource _stopping = new();
    private Task? _renewing;
    private bool _held;

    private string Endpoint => EndpointOf(options.Value);

    /// <summary>Who this node is in its claim: its silo endpoint first (a holder at the same endpoint is its predecessor).</summary>
    private string Holder { get; } = $"{EndpointOf(options.Value)} pid {Environment.ProcessId} on {Environment.MachineName} {Guid.NewGuid():N}";

    private RedisKey Key => KeyOf(options.Value.ClusterId, options.Value.NodeName);

    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        var database = (await redis.GetAsync().WaitAsync(cancellationToken)).GetDatabase();
        var started = time.GetTimestamp();
        string? other = null;
        while (true)
        {
            var answer = (string?)await database.ScriptEvaluateAsync(ClaimScript, [Key], [Holder, (long)Lifetime.TotalMilliseconds, Endpoint + " "]);
            if (string.IsNullOrEmpty(answer))
            {
                _held = true;
                return;
            }
            if (other is null)
            {
                LogWaiting(logger, options.Value.NodeName, answer);
            }
            other = answer;
            if (time.GetElapsedTime(started) > Lifetime + RetryEvery)
            {
                throw new StartupException(
                    $"Council:Cluster:NodeName '{options.Value.NodeName}' is in use by a running node (silo {other.Split(' ')[0]}): give each node a name of its own.");
            }
            await Task.Delay(RetryEvery, time, cancellationToken);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        _renewing = RenewAsync(_stopping.Token);
        return Task.CompletedTask;
    }

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>After every other service has stopped (the runs drained, the silo gone): the name is free again.</summary>
    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        if (_renewing is not null)
        {
            await _renewing;
        }
        if (_held)
        {
            await ReleaseAsync(options.Value.NodeName, Holder);
        }
    }

    /// <summary>A node of the cluster was declared dead: its claim on <paramref name="nodeName"/> goes, if it still holds it.</summary>
    public Task ReleaseDeadAsync(string nodeName, IPEndPoint siloEndpoint) => ReleaseAsync(nodeName, siloEndpoint + " ");

    private async Task ReleaseAsync(string nodeName, string holder)
    {
        try
        {
            var database = (await redis.GetAsync()).GetDatabase();
            await database.ScriptEvaluateAsync(ReleaseScript, [KeyOf(options.Value.ClusterId, nodeName)], [holder]);
        }
        catch (RedisException ex)
        {
            LogReleaseFailed(logger, ex, nodeName); // it runs out by itself
        }
    }

    private async Task RenewAsync(CancellationToken stopping)
    {
        var failing = false;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(RenewEvery, time, stopping);
                var database = (await redis.GetAsync()).GetDatabase();
                var kept = (long)await database.ScriptEvaluateAsync(RenewScript, [Key], [Holder, (long)Lifetime.TotalMilliseconds]) == 1;
                if (!kept)
                {
                    LogTaken(logger, options.Value.NodeName);
                }
                failing = false;
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (RedisException ex) when (!failing)
            {
                failing = true; // said once per outage; /readyz reports Redis meanwhile
                LogRenewFailed(logger, ex, options.Value.NodeName);
            }
            catch (RedisException)
            {
            }
        }
    }

    private static string EndpointOf(ClusterOptions cluster) =>
        IPAddress.TryParse(cluster.AdvertisedAddress, out var address)
            ? new IPEndPoint(address, cluster.SiloPort is > 0 and var port ? port : ClusterOptions.DefaultSiloPort).ToString()
            : cluster.AdvertisedAddress;

    public void Dispose() => _stopping.Dispose(); // may be called twice (a singleton and a hosted service): harmless

    private static RedisKey KeyOf(string clusterId, string nodeName) => $"council/{clusterId}/node-name/{nodeName}";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Node name {Node} is held by {Holder}; waiting for it to be released")]
    private static partial void LogWaiting(ILogger logger, string node, string holder);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Node name {Node} was taken by another node: give each node a name of its own")]
    private static partial void LogTaken(ILogger logger, string node);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not renew the claim on node name {Node}; retrying")]
    private static partial void LogRenewFailed(ILogger logger, Exception exception, string node);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not release the claim on node name {Node}; it runs out by itself")]
    private static partial void LogReleaseFailed(ILogger logger, Exception exception, string node);
}
