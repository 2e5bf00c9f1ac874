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
