namespace Council.Server.Operations;

/// <summary>
/// Percentiles of a latency over a sliding window, cheap enough to record on every token: values go into
/// log-scale bins (each about 4 % wide, so a percentile is within about 2 % of the true value) kept per time
/// slot; a slot is cleared when it is reused a window later. Recording is lock-free except on the first
/// sample of a new slot.
/// </summary>
public sealed class RollingHistogram
{
    private const double Smallest = 0.001; // 1 µs, in milliseconds
    private const double Growth = 1.04;
    private static readonly double LogGrowth = Math.Log(Growth);
    private static readonly int BinCount = (int)(Math.Log(10_000_000 / Smallest) / LogGrowth) + 2; // up to about 2.8 hours

    private readonly TimeProvider _time;
    private readonly long _ticksPerSlot;
    private readonly Slot[] _slots;

    /// <param name="window">How far back percentiles look.</param>
    /// <param name="slot">Granularity: the window really covers between <paramref name="window"/> and one slot more.</param>
    public RollingHistogram(TimeProvider time, TimeSpan window, TimeSpan slot)
    {
        _time = time;
        _ticksPerSlot = Math.Max(1, (long)(slot.TotalSeconds * time.TimestampFrequency));
        _slots = new Slot[(int)Math.Ceiling(window / slot) + 1];
        for (var i = 0; i < _slots.Length; i++)
        {
            _slots[i] = new Slot(BinCount);
        }
    }

    /// <summary>Records one value, in milliseconds, observed at <paramref name="timestamp"/> (of the same <see cref="TimeProvider"/>).</summary>
    public void Record(double milliseconds, long timestamp)
    {
        var epoch = timestamp / _ticksPerSlot;
        var slot = _slots[epoch % _slots.Length];
        if (Volatile.Read(ref slot.Epoch) != epoch)
        {
            slot.Reset(epoch);
        }
        Interlocked.Increment(ref slot.Bins[BinOf(milliseconds)]);
    }

    /// <summary>How many values the window holds, and its 50th and 99th percentiles (null when empty).</summary>
    public LatencySummary Summarize()
    {
        var counts = new long[BinCount];
        var total = 0L;
        var epoch = _time.GetTimestamp() / _ticksPerSlot;
        foreach (var slot in _slots)
        {
            var slotEpoch = Volatile.Read(ref slot.Epoch);
            if (slotEpoch > epoch - _slots.Length && slotEpoch <= epoch)
            {
                for (var b = 0; b < BinCount; b++)
                {
                    var n = Volatile.Read(ref slot.Bins[b]);
                    counts[b] += n;
                    total += n;
                }
            }
        }
        return total == 0
            ? new LatencySummary(0, null, null)
            : new LatencySummary(total, Percentile(counts, total, 0.50), Percentile(counts, total, 0.99));
    }

    private static double Percentile(long[] counts, long total, double p)
    {
        var rank = Math.Max(1, (long)Math.Ceiling(p * total));
        var seen = 0L;
        for (var b = 0; b < counts.Length; b++)
        {
            seen += counts[b];
            if (seen >= rank)
            {
                return ValueOf(b);
            }
        }
        return ValueOf(counts.Length - 1);
    }

    private static int BinOf(double milliseconds) =>
        milliseconds <= Smallest ? 0 : Math.Min(BinCount - 1, 1 + (int)(Math.Log(milliseconds / Smallest) / LogGrowth));

    /// <summary>The middle of a bin (geometric), rounded to 3 significant digits.</summary>
    private static double ValueOf(int bin) =>
        bin == 0 ? 0 : RoundSignificant(Smallest * Math.Pow(Growth, bin - 0.5));

    private static double RoundSignificant(double value)
    {
        var scale = Math.Pow(10, Math.Floor(Math.Log10(value)) - 2);
        return Math.Round(value / scale) * scale;
    }

    private sealed class Slot(int bins)
    {
        public long Epoch = -1;
        public readonly long[] Bins = new long[bins];
        private readonly Lock _turnover = new();

        public void Reset(long epoch)
        {
            lock (_turnover)
            {
                if (Volatile.Read(ref Epoch) != epoch)
                {
                    Array.Clear(Bins);
                    Volatile.Write(ref Epoch, epoch);
                }
            }
        }
    }
}
