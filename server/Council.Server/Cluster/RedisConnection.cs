using System.Net;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Council.Server.Cluster;

/// <summary>
/// The node's one connection to Redis (<c>Council:Cluster:RedisConnectionString</c>), shared by Orleans' membership
/// table and the readiness check. Connecting fails with a <see cref="StartupException"/> naming the setting.
/// </summary>
public sealed class RedisConnection(IOptions<ClusterOptions> options) : IAsyncDisposable
{
    public const string Setting = "Council:Cluster:RedisConnectionString";
    private readonly Lazy<Task<IConnectionMultiplexer>> _connection = new(() => ConnectAsync(options.Value));

    /// <summary>Connects once; later calls share the connection (it reconnects by itself after an outage).</summary>
    public Task<IConnectionMultiplexer> GetAsync() => _connection.Value;

    /// <summary>Null when Redis answers, else why not (for <c>/readyz</c>).</summary>
    public string? Problem() =>
        _connection.IsValueCreated && _connection.Value.IsCompletedSuccessfully && !_connection.Value.Result.IsConnected
            ? $"Redis ({Setting}) is unreachable"
            : null;

    private static async Task<IConnectionMultiplexer> ConnectAsync(ClusterOptions options)
    {
        var configuration = Parse(options.RedisConnectionString);
        configuration.AbortOnConnectFail = true; // at start: fail now and say so, instead of retrying in the background
        try
        {
            var connection = await ConnectionMultiplexer.ConnectAsync(configuration);
            // From here on a lost connection is retried by StackExchange.Redis; /readyz reports it meanwhile.
            return connection;
        }
        catch (RedisConnectionException ex)
        {
            var at = string.Join(", ", configuration.EndPoints.Select(e => e is DnsEndPoint dns ? $"{dns.Host}:{dns.Port}" : e.ToString()));
            throw new StartupException($"Cannot reach Redis at {at} ({Setting}): {ex.Message.Split(". ")[0].TrimEnd('.')}.", ex);
        }
    }

    /// <summary>The setting parsed; a <see cref="StartupException"/> naming it when it is missing or malformed.</summary>
    public static ConfigurationOptions Parse(string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new StartupException($"Council:Cluster:Provider is redis, but {Setting} is not set (e.g. 127.0.0.1:6379).");
        }
        try
        {
            return ConfigurationOptions.Parse(connectionString);
        }
        catch (ArgumentException ex)
        {
            throw new StartupException($"{Setting} is not a Redis connection string: {ex.Message}", ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection.IsValueCreated && _connection.Value.IsCompletedSuccessfully)
        {
            await _connection.Value.Result.DisposeAsync();
        }
    }
}
