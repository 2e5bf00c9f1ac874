using System.Diagnostics.Metrics;

namespace Council.LoadProbe;

/// <summary>
/// Live SignalR and Kestrel connection counts, read from the framework's own meters
/// (<c>signalr.server.active_connections</c>, <c>kestrel.active_connections</c>) so the hub needs no counting code.
/// </summary>
public sealed class ConnectionGauge : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _hubConnections;
    private long _kestrelConnections;

    public ConnectionGauge()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Name is "signalr.server.active_connections" or "kestrel.active_connections")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, delta, _, _) =>
        {
            if (instrument.Name == "signalr.server.active_connections")
            {
                Interlocked.Add(ref _hubConnections, delta);
            }
            else
            {
                Interlocked.Add(ref _kestrelConnections, delta);
            }
        });
        _listener.Start();
    }

    public long HubConnections => Interlocked.Read(ref _hubConnections);

    public long KestrelConnections => Interlocked.Read(ref _kestrelConnections);

    public void Dispose() => _listener.Dispose();
}
