namespace Council.Server.Cluster;

/// <summary>The values of <c>Council:Cluster:Provider</c>.</summary>
public static class ClusterProviders
{
    public const string Localhost = "localhost";

    public const string Redis = "redis";
}
