namespace Council.Server.Operations;

/// <summary>
/// Per-second rates of two quantities counted together (say events and characters) over the last few
/// seconds, from one-second slots: one clock read and one slot check per <see cref="Add"/>, lock-free but for
/// slot turnover.
/// </summary>
public sealed class RollingRate
{
    private readonly TimeProvider _time;
    private readonly long _started;
    private readonly Slot[] _slots;
    private readonly int _seconds;

    public RollingRate(TimeProvider time, int seconds)
    {
        _time = time;
        _seconds = seconds;
        _started = time.GetTimestamp();
        _slots = new Slot[seconds + 1];
        for (var i = 0; i < _slots.Length; i++)
        {
            _slots[i] = new Slot();
        }
    }

    /// <param name="timestamp">Now, from the same <see cref="TimeProvider"/> (callers usually have it already).</param>
    public void Add(long timestamp, long first, long second = 0)
    {
        var now = timestamp / _time.TimestampFrequency;
        var slot = _slots[now % _slots.Length];
        if (Volatile.Read(ref slot.Second) != now)
        {
            slot.Reset(now);
        }
        Interlocked.Add(ref slot.First, first);
        if (second != 0)
        {
            Interlocked.Add(ref slot.Sum2, second);
        }
    }

    /// <summary>
    /// Each quantity per second over the last <c>seconds</c>: the finished seconds and the current one so far
    /// (or since start, when younger than that).
    /// </summary>
    public (double First, double Second) PerSecond()
    {
        var now = _time.GetTimestamp();
        var second = now / _time.TimestampFrequency;
        long first = 0, sum2 = 0;
        foreach (var slot in _slots)
        {
            var s = Volatile.Read(ref slot.Second);
            if (s > second - _seconds && s <= second)
            {
                first += Volatile.Read(ref slot.First);
                sum2 += Volatile.Read(ref slot.Sum2);
            }
        }
        var intoCurrent = (double)(now % _time.TimestampFrequency) / _time.TimestampFrequency;
        var span = Math.Max(Math.Min(_seconds - 1 + intoCurrent, _time.GetElapsedTime(_started, now).TotalSeconds), 0.001);
        return (first / span, sum2 / span);
    }

    private sealed class Slot
    {
        public long Second = -1;
        public long First;
        public long Sum2;
        private readonly Lock _turnover = new();

        public void Reset(long second)
        {
            lock (_turnover)
            {
                if (Volatile.Read(ref Second) != second)
                {
                    Volatile.Write(ref First, 0);
                    Volatile.Write(ref Sum2, 0);
                    Volatile.Write(ref Second, second);
                }
            }
        }
    }
}
