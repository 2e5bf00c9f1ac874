using System.Diagnostics.Metrics;

namespace Council.Server.Operations;

/// <summary>
/// Open SignalR connections, read in-process from ASP.NET Core's own <c>signalr.server.active_connections</c>
/// instrument (meter <c>Microsoft.AspNetCore.Http.Connections</c>), so the hub needs no bookkeeping of its own.
/// Started with the host (by <see cref="LiveStats"/>), before the server listens.
/// </summary>
public sealed class ConnectionCounter : IDisposable
{
    private const string MeterName = "Microsoft.AspNetCore.Http.Connections";
    private const string InstrumentName = "signalr.server.active_connections";

    private readonly MeterListener _listener = new();
    private long _current;

    /// <param name="meters">This host's meter factory: only its meters count (not another host's in the same process).</param>
    public ConnectionCounter(IMeterFactory meters)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == MeterName && instrument.Name == InstrumentName && ReferenceEquals(instrument.Meter.Scope, meters))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _current, value));
    }

    /// <summary>Connections open now.</summary>
    public long Current => Math.Max(0, Interlocked.Read(ref _current));

    /// <summary>Starts counting; connections opened before are not seen (nor their closing).</summary>
    public void Start() => _listener.Start();

    public void Dispose() => _listener.Dispose();
}
