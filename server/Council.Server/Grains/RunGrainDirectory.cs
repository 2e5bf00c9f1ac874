using System.Collections.Concurrent;
using Council.Server.Conversations;
using Council.Server.Storage;
using Council.Server.Providers;
using Council.Server.Workflows;
using Microsoft.Extensions.Options;

namespace Council.Server.Grains;

/// <summary>
/// Where run grains live: one per run id, activated when a run starts and released a while after it ends,
/// so memory does not grow with the number of finished runs.
/// </summary>
public sealed class RunGrainDirectory(
    ModelRouter router,
    RunStore store,
    ConversationStore conversations,
    IOptions<CouncilOptions> options,
    TimeProvider time,
    ILoggerFactory loggers,
    IEnumerable<IRunObserver>? observers = null,
    Search.ISearchProvider? search = null)
{
    private readonly ConcurrentDictionary<string, RunGrain> _grains = new(StringComparer.Ordinal);
    private readonly ILogger _logger = loggers.CreateLogger<RunGrain>();
    private readonly IRunObserver[] _observers = observers?.ToArray() ?? [];

    /// <summary>Grains in memory: running, or finished and not yet released.</summary>
    public int Count => _grains.Count;

    /// <summary>Runs still going.</summary>
    public int RunningCount => _grains.Values.Count(g => g.Status == Contracts.Messages.RunStatus.Running);

    /// <summary>Activates the grain for a new run; it starts at once.</summary>
    public RunGrain Start(RunPlan plan)
    {
        store.RunStarted(plan); // refuses the run when storage is unavailable or its conversation was just deleted
        var grain = new RunGrain(plan, router, store, options.Value, time, _logger, _observers, search);
        if (!_grains.TryAdd(plan.RunId, grain))
        {
            throw new InvalidOperationException($"Run {plan.RunId} exists already.");
        }
        grain.Activate();
        _ = ReleaseWhenIdleAsync(grain);
        return grain;
    }

    /// <summary>The grain of a run, or null when the run is unknown or was released.</summary>
    public RunGrain? Find(string runId) => _grains.GetValueOrDefault(runId);

    /// <summary>The grain of a run of <paramref name="owner"/>; another user's run is not found.</summary>
    public RunGrain? Find(string runId, string owner) => Find(runId) is { } grain && grain.Plan.Owner == owner ? grain : null;

    /// <summary>Runs of <paramref name="owner"/> still going.</summary>
    public int RunningCountOf(string owner) => _grains.Values.Count(g => g.Plan.Owner == owner && g.Status == Contracts.Messages.RunStatus.Running);

    /// <summary>
    /// The event log of a run: the live one while its grain is in memory, else the stored one (closed, for
    /// replay); null when the run is unknown.
    /// </summary>
    public RunEventLog? FindLog(string runId, string owner, out Contracts.Messages.RunStatus status)
    {
        if (Find(runId, owner) is { } grain)
        {
            status = grain.Status;
            return grain.Log;
        }
        var events = conversations.Events(runId, owner);
        if (events.Count == 0)
        {
            status = default;
            return null;
        }
        var end = events[^1] as Contracts.Messages.RunCompleteEvent;
        status = end is null ? Contracts.Messages.RunStatus.Interrupted
            : end.Error == RunStore.InterruptedError ? Contracts.Messages.RunStatus.Interrupted : end.Status;
        return RunEventLog.Closed(runId, events);
    }

    private async Task ReleaseWhenIdleAsync(RunGrain grain)
    {
        await grain.Completion.ConfigureAwait(false);
        await Task.Delay(TimeSpan.FromSeconds(options.Value.FinishedRunIdleSeconds), time).ConfigureAwait(false);
        if (_grains.TryRemove(grain.RunId, out _))
        {
            grain.Dispose();
        }
    }
}
