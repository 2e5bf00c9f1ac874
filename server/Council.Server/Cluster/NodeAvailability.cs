namespace Council.Server.Cluster;

/// <summary>
/// Whether this node takes new runs as a member of its cluster: not while it drains before stopping, nor while the
/// cluster's Redis is unreachable. (Storage has its own <see cref="Storage.StorageHealth"/>.)
/// </summary>
public sealed class NodeAvailability(RedisConnection? redis = null)
{
    private volatile bool _draining;

    /// <summary>Set once the node has begun to stop: running runs may finish, new ones go to other nodes.</summary>
    public bool Draining => _draining;

    /// <summary>Null while the node takes runs, else why not.</summary>
    public string? UnavailableReason => _draining ? "this node is shutting down" : redis?.Problem();

    internal void StartDraining() => _draining = true;
}
