namespace Council.Server.Operations;

/// <summary>A per-second rate over the last few seconds, from one-second slots (lock-free but for slot turnover).</summary>
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

    public void Add(long amount)
    {
        var second = _time.GetTimestamp() / _time.TimestampFrequency;
        var slot = _slots[second % _slots.Length];
        if (Volatile.Read(ref slot.Second) != second)
        {
            slot.Reset(second);
        }
        Interlocked.Add(ref slot.Sum, amount);
    }

    /// <summary>
    /// Amount per second over the last <c>seconds</c>: the finished seconds and the current one so far
    /// (or since start, when the process is younger than that).
    /// </summary>
    public double PerSecond()
    {
        var now = _time.GetTimestamp();
        var second = now / _time.TimestampFrequency;
        var sum = 0L;
        foreach (var slot in _slots)
        {
            var s = Volatile.Read(ref slot.Second);
            if (s > second - _seconds && s <= second)
            {
                sum += Volatile.Read(ref slot.Sum);
            }
        }
        var intoCurrent = (double)(now % _time.TimestampFrequency) / _time.TimestampFrequency;
        var span = Math.Min(_seconds - 1 + intoCurrent, _time.GetElapsedTime(_started, now).TotalSeconds);
        return sum / Math.Max(span, 0.001);
    }

    private sealed class Slot
    {
        public long Second = -1;
        public long Sum;
        private readonly Lock _turnover = new();

        public void Reset(long second)
        {
            lock (_turnover)
            {
                if (Volatile.Read(ref Second) != second)
                {
                    Volatile.Write(ref Sum, 0);
                    Volatile.Write(ref Second, second);
                }
            }
        }
    }
}
