namespace Council.Floor;

/// <summary>The two counts the load driver's probe reads that the runtime does not know: connections and runs.</summary>
public sealed class FloorCounters
{
    private long _connections;
    private int _runsRunning;

    public long Connections => Interlocked.Read(ref _connections);

    public int RunsRunning => Volatile.Read(ref _runsRunning);

    public void Connected() => Interlocked.Increment(ref _connections);

    public void Disconnected() => Interlocked.Decrement(ref _connections);

    public void RunStarted() => Interlocked.Increment(ref _runsRunning);

    public void RunEnded() => Interlocked.Decrement(ref _runsRunning);
}
