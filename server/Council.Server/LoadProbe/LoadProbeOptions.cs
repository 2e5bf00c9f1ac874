namespace Council.Server.LoadProbe;

/// <summary>
/// The <c>Council:LoadProbe</c> section: measurement aids for the load driver (<c>tests/load</c>), off by default.
/// When enabled, every <c>token</c> message carries a SignalR message header with the time its model emitted it
/// (message headers are part of the hub protocol and ignored by clients, so the v1 payloads are unchanged), and
/// <c>GET /api/load-probe</c> reports the runtime's figures (GC, thread pool, connections, runs).
/// </summary>
public sealed class LoadProbeOptions
{
    public const string Section = "Council:LoadProbe";

    public bool Enabled { get; set; }
}
