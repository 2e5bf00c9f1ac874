using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Council.Server.Grains;

/// <summary>
/// One timer for every running grain of a clock, instead of one timer per grain: the runtime's timer queue walks
/// all of its timers each time one fires, so a thousand grains ticking four times a second each cost more in that
/// walk than in their ticks. Every <see cref="Period"/> this posts a tick to each grain that joined.
/// </summary>
internal sealed class RunTicker
{
    /// <summary>How often a running grain is ticked (heartbeats and timeouts are checked on ticks).</summary>
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(250);

    private static readonly ConditionalWeakTable<TimeProvider, RunTicker> ByClock = [];

    private readonly ConcurrentDictionary<RunGrain, byte> _grains = new();

    // Held so the timer lives as long as the ticker.
    private readonly ITimer _timer;

    private RunTicker(TimeProvider time)
    {
        _timer = time.CreateTimer(static s => ((RunTicker)s!).Tick(), this, Period, Period);
    }

    /// <summary>The ticker of <paramref name="time"/>, created on first use.</summary>
    public static RunTicker For(TimeProvider time) => ByClock.GetValue(time, static t => new RunTicker(t));

    /// <summary>Ticks <paramref name="grain"/> from now until the returned handle is disposed.</summary>
    public IDisposable Join(RunGrain grain)
    {
        _grains.TryAdd(grain, 0);
        return new Membership(this, grain);
    }

    private void Tick()
    {
        foreach (var grain in _grains.Keys)
        {
            grain.OnTickDue();
        }
    }

    private sealed class Membership(RunTicker ticker, RunGrain grain) : IDisposable
    {
        public void Dispose() => ticker._grains.TryRemove(grain, out _);
    }
}
