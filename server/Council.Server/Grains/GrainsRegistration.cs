using System.Net;
using System.Net.Sockets;

namespace Council.Server.Grains;

/// <summary>
/// Registers the run grains and the Orleans silo that hosts them: by default one silo inside the server
/// (localhost clustering), so <c>npm start</c> needs no other service.
/// </summary>
public static class GrainsRegistration
{
    /// <summary>The silo-to-silo port; unset on one node, where nothing else connects to it, a free one is taken.</summary>
    public const string SiloPortKey = "Council:Cluster:SiloPort";

    public static IHostApplicationBuilder AddCouncilGrains(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<LocalRunLogs>();
        builder.Services.AddSingleton<RunObservers>();
        var siloPort = builder.Configuration.GetValue<int?>(SiloPortKey) is { } port and > 0 ? port : FreeLoopbackPort();
        builder.UseOrleans(silo => silo
            .UseLocalhostClustering(siloPort: siloPort, gatewayPort: 0, serviceId: "council", clusterId: "council"));
        // Orleans narrates its own start and stop at Information; Council's log keeps to what users act on.
        builder.Logging.AddFilter("Orleans", LogLevel.Warning);
        return builder;
    }

    private static int FreeLoopbackPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
