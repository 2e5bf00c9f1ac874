using System.ComponentModel.DataAnnotations;

namespace Council.Server.Operations;

/// <summary>
/// <c>Council:Connections</c>: how many connections Kestrel takes. By default derived from the process's open-file
/// limit (one descriptor per connection), leaving <see cref="ReservedFiles"/> plus a tenth of the limit (at most half
/// of it) for everything else the process opens: the database and its journal, provider connections, cluster sockets,
/// the runtime's own. A flood past the limit is refused at the door instead of taking the process down.
/// </summary>
public sealed class ConnectionLimitOptions
{
    public const string Section = "Council:Connections";

    /// <summary>Descriptors kept out of the connection budget, besides a tenth of the open-file limit.</summary>
    [Range(0, 1_000_000)]
    public int ReservedFiles { get; set; } = 512;

    /// <summary>Most WebSocket (upgraded) connections at once; derived from the open-file limit when unset.</summary>
    [Range(1, 10_000_000)]
    public long? MaxUpgradedConnections { get; set; }

    /// <summary>Most other (HTTP) connections at once, which <c>/healthz</c>, the API and new hub connections use; derived when unset.</summary>
    [Range(1, 10_000_000)]
    public long? MaxConnections { get; set; }
}
