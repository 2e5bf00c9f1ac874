using Microsoft.Extensions.Options;

namespace Council.Server.Grains;

/// <summary>
/// Counts one user's runs going (until each run's grain says it ended) and the runs started in the last minute (a
/// sliding window, so the retry time it gives is exact). A run whose node was lost ends without saying so: it stops
/// counting once membership declares that node dead. The activation stays while runs are going, and a minute after,
/// for the window.
/// </summary>
internal sealed class UserRunsGrain(IOptions<CouncilOptions> options, IClusterMembershipService membership, TimeProvider time)
    : Grain, IUserRunsGrain
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly Dictionary<string, SiloAddress> _going = new(StringComparer.Ordinal);
    private readonly Queue<DateTimeOffset> _starts = new();

    public Task<RunRefusal?> Admit(string runId, SiloAddress node)
    {
        var o = options.Value;
        var now = time.GetUtcNow();
        foreach (var (lost, _) in _going.Where(r => membership.CurrentSnapshot.GetSiloStatus(r.Value) == SiloStatus.Dead).ToArray())
        {
            _going.Remove(lost);
        }
        if (_going.Count >= o.MaxConcurrentRuns)
        {
            return Refused($"You have {o.MaxConcurrentRuns} runs going, the most at once. Retry when one finishes, or cancel one.", null);
        }
        while (_starts.TryPeek(out var at) && now - at >= Window)
        {
            _starts.Dequeue();
        }
        if (_starts.Count >= o.MaxRunsPerMinute)
        {
            var after = _starts.Peek() + Window - now;
            return Refused($"You asked to start {o.MaxRunsPerMinute} runs in the last minute, the most allowed. Retry in {Math.Max(1, Math.Ceiling(after.TotalSeconds))} s.", after);
        }
        _starts.Enqueue(now);
        _going[runId] = node;
        DelayDeactivation(Timeout.InfiniteTimeSpan);
        return Task.FromResult<RunRefusal?>(null);
    }

    public Task Ended(string runId)
    {
        if (_going.Remove(runId) && _going.Count == 0)
        {
            DelayDeactivation(Window); // the minute's starts still count
        }
        return Task.CompletedTask;
    }

    private static Task<RunRefusal?> Refused(string message, TimeSpan? retryAfter) => Task.FromResult<RunRefusal?>(new RunRefusal(message, retryAfter));
}
