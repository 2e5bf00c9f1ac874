using System.Net;
using System.Net.Sockets;
using Council.Server.Cluster;
using Orleans.Clustering.Redis;
using Orleans.Configuration;
using ClusterOptions = Council.Server.Cluster.ClusterOptions;

namespace Council.Server.Grains;

/// <summary>
/// Registers the run grains and the Orleans silo that hosts them: by default one silo inside the server
/// (localhost clustering), so <c>npm start</c> needs nothing else; with <c>Council:Cluster:Provider=redis</c> one
/// node of a cluster whose membership is kept in Redis.
/// </summary>
public static class GrainsRegistration
{
    /// <summary>The silo-to-silo port; unset on one node, where nothing else connects to it, a free one is taken.</summary>
    public const string SiloPortKey = "Council:Cluster:SiloPort";

    public static IHostApplicationBuilder AddCouncilGrains(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<LocalRunLogs>();
        builder.Services.AddSingleton<RunStartLimits>();
        builder.Services.AddSingleton<RunStarter>();
        builder.Services.AddSingleton<RunObservers>();
        builder.Services.AddSingleton<RunMirrors>();
        builder.Services.AddOptions<ClusterOptions>().BindConfiguration(ClusterOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var cluster = builder.Configuration.GetSection(ClusterOptions.Section).Get<ClusterOptions>() ?? new ClusterOptions();
        builder.Services.AddSingleton<NodeAvailability>();
        builder.Services.AddHostedService<RunDrain>();
        // Room for the drain, then for the silo to stop (its runs' grains deactivate and are stored).
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(cluster.EffectiveDrainSeconds + 30));
        if (cluster.IsRedis)
        {
            var redisConfiguration = RedisConnection.Parse(cluster.RedisConnectionString); // missing or malformed: said now
            // Before the silo: hosted services start in order, and this one fails the start with the setting's name.
            builder.Services.AddSingleton<RedisConnection>();
            builder.Services.AddHostedService<RedisStartupCheck>();
            // Claimed before any service starts: storage closes the runs left going under this node's name.
            builder.Services.AddSingleton<NodeNameLease>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<NodeNameLease>());
            builder.UseOrleans(silo => ConfigureRedisCluster(silo, cluster, redisConfiguration));
            builder.Services.AddHostedService<LostNodes>();
            builder.Services.AddHostedService<MirrorWatch>();
        }
        else if (string.Equals(cluster.Provider, ClusterProviders.Localhost, StringComparison.OrdinalIgnoreCase))
        {
            var siloPort = cluster.SiloPort is > 0 and var port ? port : FreeLoopbackPort();
            builder.UseOrleans(silo => silo
                .UseLocalhostClustering(siloPort: siloPort, gatewayPort: 0, serviceId: "council", clusterId: cluster.ClusterId));
        }
        else
        {
            throw new StartupException($"Council:Cluster:Provider is '{cluster.Provider}': use localhost (one node) or redis.");
        }
        // Orleans narrates its own start and stop at Information; Council's log keeps to what users act on.
        builder.Logging.AddFilter("Orleans", LogLevel.Warning);
        return builder;
    }

    private static void ConfigureRedisCluster(ISiloBuilder silo, ClusterOptions cluster, StackExchange.Redis.ConfigurationOptions redisConfiguration)
    {
        if (!IPAddress.TryParse(cluster.AdvertisedAddress, out var advertised))
        {
            throw new StartupException($"Council:Cluster:AdvertisedAddress '{cluster.AdvertisedAddress}' is not an IP address.");
        }
        silo.Configure<Orleans.Configuration.ClusterOptions>(o => (o.ServiceId, o.ClusterId) = ("council", cluster.ClusterId));
        silo.Configure<EndpointOptions>(o =>
        {
            o.AdvertisedIPAddress = advertised;
            o.SiloPort = cluster.SiloPort is > 0 and var port ? port : ClusterOptions.DefaultSiloPort;
            o.GatewayPort = cluster.GatewayPort;
        });
        silo.Configure<SiloOptions>(o => o.SiloName = cluster.NodeName);
        silo.Configure<ClusterMembershipOptions>(o =>
        {
            // A node that stops answering is declared dead within about 5 s (3 missed probes of 1 s, then 2 votes)
            // instead of Orleans' default of about half a minute, so its runs end as interrupted soon; a node under
            // load gets longer probe timeouts (Orleans extends them while the local silo is degraded).
            o.ProbeTimeout = TimeSpan.FromSeconds(1);
            o.NumMissedProbesLimit = 3;
            o.NumVotesForDeathDeclaration = 2;
            o.TableRefreshTimeout = TimeSpan.FromSeconds(5);
            o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(10);
        });
        silo.UseRedisClustering(_ => { });
        // The membership table shares the node's one connection, made (or refused, with the setting's name) at start.
        silo.Services.AddOptions<RedisClusteringOptions>().Configure<RedisConnection>((o, redis) =>
        {
            o.ConfigurationOptions = redisConfiguration;
            o.CreateMultiplexer = async _ => (await redis.GetAsync(), true);
        });
    }

    /// <summary>
    /// A free loopback port below the ephemeral range (32768 and up on Linux), where the system hands out the ports
    /// of <c>--urls http://127.0.0.1:0</c> and of other programs' "free port" probes: one taken there could be handed
    /// to someone else between this check and the silo's bind, or be the one a caller just chose for Kestrel.
    /// </summary>
    private static int FreeLoopbackPort()
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var port = Random.Shared.Next(20_000, 32_000);
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException)
            {
                // Taken: try another.
            }
        }
        throw new InvalidOperationException($"No free loopback port for the silo between 20000 and 32000: set {SiloPortKey}.");
    }
}
