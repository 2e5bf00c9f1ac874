using System.Text;

namespace Council.Server.Grains;

/// <summary>
/// One model call's token batching: the first delta goes out at once, and later ones at most once per window,
/// merged, so a fast model sends fewer, larger deltas while a slow one is never held back (a delta after a quiet
/// window goes out at once too).
/// </summary>
internal sealed class TokenBatcher(int windowMs, TimeProvider time)
{
    private readonly StringBuilder _pending = new();
    private long _lastSentAt;
    private long _firstEmittedAt;
    private long _lastEmittedAt;
    private int _tokens;
    private bool _flushScheduled;

    /// <summary>
    /// Offers a delta received at <paramref name="now"/> (the model emitted it at <paramref name="emittedAt"/>).
    /// <see cref="Batching.SendNow"/>: send it alone now. <see cref="Batching.Held"/>: it joined the pending
    /// batch. <see cref="Batching.FlushAfter"/>: it started a batch, and the caller calls <see cref="Take"/>
    /// after <paramref name="flushIn"/>.
    /// </summary>
    public Batching Offer(string text, long now, long emittedAt, bool first, out TimeSpan flushIn)
    {
        flushIn = TimeSpan.Zero;
        if (first || windowMs == 0 || (_pending.Length == 0 && time.GetElapsedTime(_lastSentAt, now).TotalMilliseconds >= windowMs))
        {
            _lastSentAt = now;
            return Batching.SendNow;
        }
        if (_tokens == 0)
        {
            _firstEmittedAt = emittedAt;
        }
        _lastEmittedAt = emittedAt;
        _tokens++;
        _pending.Append(text);
        if (_flushScheduled)
        {
            return Batching.Held;
        }
        _flushScheduled = true;
        var due = TimeSpan.FromMilliseconds(windowMs) - time.GetElapsedTime(_lastSentAt, now);
        flushIn = due > TimeSpan.Zero ? due : TimeSpan.Zero;
        return Batching.FlushAfter;
    }

    /// <summary>The merged pending deltas with their emission times, or null when nothing is pending.</summary>
    public PendingDelta? Take()
    {
        _flushScheduled = false;
        if (_pending.Length == 0)
        {
            return null;
        }
        var delta = new PendingDelta(_pending.ToString(), _firstEmittedAt, _lastEmittedAt, _tokens);
        _pending.Clear();
        _tokens = 0;
        _lastSentAt = time.GetTimestamp();
        return delta;
    }
}

/// <summary>What <see cref="TokenBatcher.Offer"/> decided.</summary>
internal enum Batching
{
    SendNow,
    Held,
    FlushAfter,
}

/// <summary>Merged deltas: the model emitted them between the two timestamps.</summary>
internal readonly record struct PendingDelta(string Text, long FirstEmittedAt, long LastEmittedAt, int Tokens);
