using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Council.Server.Grains;

/// <summary>
/// One timer for every running grain of a clock, instead of one timer per grain: the runtime's timer queue walks
/// all of its timers each time one fires, so a thousand grains ticking four times a second each cost more in that
/// walk than in their ticks. Every period this posts a tick to each grain that joined.
/// </summary>
internal sealed class RunTicker
{
    private static readonly ConditionalWeakTable<TimeProvider, RunTicker> ByClock = [];

    private readonly ConcurrentDictionary<RunGrain, byte> _grains = new();
    private readonly ITimer _timer;

    private RunTicker(TimeProvider time, TimeSpan period)
    {
        _timer = time.CreateTimer(static s => ((RunTicker)s!).Tick(), this, period, period);
    }

    /// <summary>The ticker of <paramref name="time"/> (created on first use, ticking every <paramref name="period"/>).</summary>
    public static RunTicker For(TimeProvider time, TimeSpan period) => ByClock.GetValue(time, t => new RunTicker(t, period));

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
