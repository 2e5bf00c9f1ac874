using System.ComponentModel.DataAnnotations;

namespace Council.Server.Cluster;

/// <summary>
/// The <c>Council:Cluster</c> section: one node on its own (<c>localhost</c>, the default) or one of several nodes
/// that find each other through Redis (<c>redis</c>). Several nodes on one host differ only in <c>--urls</c>,
/// <see cref="NodeName"/> and <see cref="SiloPort"/>.
/// </summary>
public sealed class ClusterOptions
{
    public const string Section = "Council:Cluster";

    /// <summary><c>localhost</c> (one node, nothing else to run) or <c>redis</c> (membership in Redis).</summary>
    public string Provider { get; set; } = ClusterProviders.Localhost;

    /// <summary>StackExchange.Redis form, e.g. <c>127.0.0.1:6379</c>; required with the <c>redis</c> provider.</summary>
    public string? RedisConnectionString { get; set; }

    /// <summary>Nodes with the same id (and the same Redis) form one cluster.</summary>
    [Required]
    public string ClusterId { get; set; } = "council";

    /// <summary>Shown in logs, <c>/readyz</c> and <c>/api/stats</c>.</summary>
    [Required]
    public string NodeName { get; set; } = Environment.MachineName;

    /// <summary>
    /// The silo-to-silo port: 11111 with the <c>redis</c> provider; with <c>localhost</c>, where nothing else connects
    /// to it, a free loopback port unless set (so many servers can run on one machine at once).
    /// </summary>
    [Range(0, 65535)]
    public int? SiloPort { get; set; }

    /// <summary>The address other silos reach this one on (the silo listens there).</summary>
    public string AdvertisedAddress { get; set; } = "127.0.0.1";

    /// <summary>Orleans' client gateway: the hub's clients are co-hosted, so none is needed (0).</summary>
    [Range(0, 65535)]
    public int GatewayPort { get; set; }

    /// <summary>
    /// On a graceful stop, how long the runs going on this node may finish before they end as interrupted. Default 30
    /// with the <c>redis</c> provider; a single node (<c>localhost</c>) stops at once unless it is set.
    /// </summary>
    [Range(0, 3600)]
    public int? DrainSeconds { get; set; }

    public int EffectiveDrainSeconds => DrainSeconds ?? (IsRedis ? 30 : 0);

    /// <summary>The silo port with the <c>redis</c> provider when none is set.</summary>
    public const int DefaultSiloPort = 11111;

    public bool IsRedis => string.Equals(Provider, ClusterProviders.Redis, StringComparison.OrdinalIgnoreCase);
}
