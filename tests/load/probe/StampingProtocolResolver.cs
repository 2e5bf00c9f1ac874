using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Council.LoadProbe;

/// <summary>SignalR's protocol lookup by name, over the stamping wrappers of the server's protocols.</summary>
internal sealed class StampingProtocolResolver(IEnumerable<IHubProtocol> protocols) : IHubProtocolResolver
{
    private readonly IHubProtocol[] _protocols = protocols.ToArray();

    public IReadOnlyList<IHubProtocol> AllProtocols => _protocols;

    public IHubProtocol? GetProtocol(string protocolName, IReadOnlyList<string>? supportedProtocols) =>
        (supportedProtocols is null || supportedProtocols.Contains(protocolName, StringComparer.OrdinalIgnoreCase))
            ? _protocols.FirstOrDefault(p => string.Equals(p.Name, protocolName, StringComparison.OrdinalIgnoreCase))
            : null;
}
