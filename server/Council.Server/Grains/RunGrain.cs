using Council.Contracts.Messages;
using Council.Server.Conversations;
using Council.Server.Providers;
using Council.Server.Search;
using Council.Server.Storage;
using Council.Server.Workflows;
using Microsoft.Extensions.Options;

namespace Council.Server.Grains;

/// <summary>
/// One run, as an Orleans grain placed on the node whose connection started it. Its activation owns the run's
/// state and event log: commands, grain timers (heartbeats, timeouts) and the provider streams it starts all run on
/// the activation's scheduler, one at a time, so nothing here takes a lock and a token goes from the provider's
/// stream to the log without a grain call. A finished run stays active for <see cref="CouncilOptions.FinishedRunIdleSeconds"/>,
/// then deactivates; attaching to it later replays it from storage.
/// </summary>
[Orleans.Placement.PreferLocalPlacement]
public sealed partial class RunGrain(
    ModelRouter router,
    RunStore store,
    ConversationStore conversations,
    LocalRunLogs logs,
    RunObservers observers,
    RunStartLimits limits,
    IOptions<CouncilOptions> options,
    TimeProvider time,
    ILogger<RunGrain> logger,
    ISearchProvider? search = null) : Grain, IRunGrain, IDisposable
{
    /// <summary>How often a running run checks its heartbeat and timeouts.</summary>
    internal static readonly TimeSpan TickPeriod = TimeSpan.FromMilliseconds(250);

    private static readonly TimeSpan HeartbeatAfter = TimeSpan.FromSeconds(1);

    private readonly CouncilOptions _options = options.Value;
    private readonly List<StageRun> _stages = [];
    private readonly List<ModelCall> _calls = [];
    private readonly CancellationTokenSource _searchCancellation = new();
    private RunPlan? _plan;
    private RunEventLog? _log;
    private RunRelay? _relay;
    private RunEvents? _events;
    private string? _owner;
    private IReadOnlyList<SearchResult>? _sources;
    private IGrainTimer? _ticker;
    private IGrainTimer? _release;
    private IDisposable? _storageWatch;
    private TokenBudget? _budget;
    private StageRun? _current;
    private long _startedAt;
    private long _lastEventAt;
    private bool _waitingForLateAnswers;
    private RunStatus _status = RunStatus.Running;
    private bool _deactivating;

    private string RunId => this.GetPrimaryKeyString();

    private RunPlan Plan => _plan!;

    private RunEventLog Log => _log!;

    public Task<RunAttachment> Start(RunPlan plan)
    {
        if (_log is not null || plan.RunId != RunId)
        {
            throw new InvalidOperationException($"Run {plan.RunId} exists already.");
        }
        store.RunStarted(plan); // refuses the run when storage is unavailable or its conversation was just deleted
        (_plan, _owner, _log, _events) = (plan, plan.Owner, new RunEventLog(plan.RunId), new RunEvents(plan.RunId, time));
        _budget = new TokenBudget(_options.MaxTokensPerRun);
        logs.Register(_log, plan.Owner, running: true);
        DelayDeactivation(Timeout.InfiniteTimeSpan); // a running run is never collected, however long it is quiet
        _ticker = this.RegisterGrainTimer(static (grain, _) => grain.Guarded(grain.OnTick), this,
            new GrainTimerCreationOptions(TickPeriod, TickPeriod) { Interleave = true });
        _startedAt = time.GetTimestamp();
        // Storage says so from its writer's thread: the run ends inside the activation.
        var activation = TaskScheduler.Current;
        _storageWatch = store.Health.WhenUnavailable(reason => Task.Factory.StartNew(
            () => Guarded(() => EndRun(RunStatus.Failed, $"Storage is unavailable ({reason}): the run was stopped. Its events up to here are kept; run it again later.")),
            CancellationToken.None, TaskCreationOptions.None, activation));
        Guarded(() =>
        {
            observers.RunStarted(plan);
            if (plan.Search)
            {
                _ = SearchAsync(plan);
            }
            StartStage(new NextStage(StagePlanner.NextPosition(plan.Workflow, -1)));
        });
        return Task.FromResult(new RunAttachment(true, _status, _log.LastSeq, logs.HandOver(_log)));
    }

    public Task<RunReply> CancelModel(string user, string model, int? stage)
    {
        if (!Owns(user))
        {
            return Task.FromResult(Unknown());
        }
        var requestedAt = time.GetTimestamp();
        var run = stage is { } i ? _stages.ElementAtOrDefault(i) : _current;
        var call = run?.Calls.LastOrDefault(c => c.Model == model);
        if (_status != RunStatus.Running || call is not { IsRunning: true })
        {
            return Task.FromResult(RunReply.NotAccepted);
        }
        Guarded(() =>
        {
            FinishCall(call, ModelStatus.Cancelled, "Skipped by the user.", cancelRequestedAt: requestedAt);
            AfterCallFinished(run!);
        });
        return Task.FromResult(RunReply.Accepted);
    }

    public Task<RunReply> CancelRun(string user)
    {
        if (!Owns(user))
        {
            return Task.FromResult(Unknown());
        }
        if (_status != RunStatus.Running)
        {
            return Task.FromResult(RunReply.NotAccepted);
        }
        Guarded(() => EndRun(RunStatus.Cancelled, "Cancelled by the user."));
        return Task.FromResult(RunReply.Accepted);
    }

    public async Task<RunAttachment> Attach(string user)
    {
        if (!await KnownTo(user))
        {
            return RunAttachment.None;
        }
        logs.Register(_log!, _owner!, running: _status == RunStatus.Running);
        if (_status != RunStatus.Running)
        {
            ReleaseLater(); // counted from the last viewer's arrival
        }
        return new RunAttachment(true, _status, _log!.LastSeq, logs.HandOver(_log));
    }

    public async Task<RunAttachment> AttachFrom(string user, RunViewerNode viewer)
    {
        if (viewer.Silo.Equals(GrainContext.Address.SiloAddress))
        {
            return await Attach(user);
        }
        if (!await KnownTo(user))
        {
            return RunAttachment.None;
        }
        if (_status == RunStatus.Running)
        {
            (_relay ??= new RunRelay(_log!, logger)).Add(viewer.Mirror, _log!.LastSeq);
        }
        else
        {
            ReleaseLater();
        }
        return new RunAttachment(true, _status, _log!.LastSeq, Events: RelayedEvents.From(_log.Snapshot()), Node: GrainContext.Address.SiloAddress);
    }

    /// <summary>Whether this is a run of <paramref name="user"/>: the live one, or a stored one (loaded for replay).</summary>
    private async Task<bool> KnownTo(string user)
    {
        if (_log is null)
        {
            await LoadStoredAsync();
        }
        if (_log is null)
        {
            DeactivateOnIdle();
            return false;
        }
        return _owner == user;
    }

    public Task<RelayedEvents?> EventsAfter(string user, long afterSeq)
    {
        // Interleaved with the run's own turns (it only reads); a mirror asks only while its run is live here.
        if (_log is null || _owner != user)
        {
            return Task.FromResult<RelayedEvents?>(null);
        }
        var events = new List<RunEvent>();
        _log.CopyAfter(afterSeq, events, int.MaxValue);
        return Task.FromResult<RelayedEvents?>(RelayedEvents.From(events));
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _deactivating = true;
        if (_plan is not null && _status == RunStatus.Running)
        {
            // The node is stopping: the run ends as interrupted, with every event up to here stored.
            await Guarded(() => EndRun(RunStatus.Failed, InterruptedRun.ServerStopped));
        }
        logs.Remove(RunId);
        _ticker?.Dispose();
        _release?.Dispose();
        _storageWatch?.Dispose();
        if (_relay is not null)
        {
            await _relay.DeliveredAsync(cancellationToken); // viewers on other nodes get the end too
        }
    }

    /// <summary>Orleans disposes the grain once its activation is gone.</summary>
    public void Dispose() => _searchCancellation.Dispose();

    private bool Owns(string user) => _owner is not null && _owner == user;

    /// <summary>A command to a run this activation does not hold: nothing to keep it in memory for.</summary>
    private RunReply Unknown()
    {
        if (_log is null)
        {
            DeactivateOnIdle();
        }
        return RunReply.Unknown;
    }

    /// <summary>A finished run's stored events as a closed log, so every viewer replays one shared copy.</summary>
    private async Task LoadStoredAsync()
    {
        if (await conversations.StoredRunAsync(RunId, CancellationToken.None) is not { Events.Count: > 0 } stored)
        {
            return;
        }
        var end = stored.Events[^1] as RunCompleteEvent;
        _status = end is null || InterruptedRun.IsInterruption(end.Error) ? RunStatus.Interrupted : end.Status;
        (_owner, _log) = (stored.Owner, RunEventLog.Closed(RunId, stored.Events));
    }

    /// <summary>Deactivates this activation once a finished run has been idle for the configured time.</summary>
    private void ReleaseLater()
    {
        _release?.Dispose();
        _release = this.RegisterGrainTimer(static (grain, _) =>
        {
            grain.DeactivateOnIdle();
            return Task.CompletedTask;
        }, this, new GrainTimerCreationOptions(TimeSpan.FromSeconds(_options.FinishedRunIdleSeconds), Timeout.InfiniteTimeSpan) { Interleave = true });
    }

    /// <summary>Runs a step of the run; a fault in it ends the run as failed instead of leaving it hanging.</summary>
    private Task Guarded(Action step)
    {
        try
        {
            step();
        }
        catch (Exception ex)
        {
            LogRunFault(logger, ex, RunId);
            if (_status == RunStatus.Running)
            {
                EndRun(RunStatus.Failed, "The server hit an internal error running this run.");
            }
        }
        return Task.CompletedTask;
    }

    /// <summary>Searches beside the first stage; never waited for: later stages get the results if they are in.</summary>
    private async Task SearchAsync(RunPlan plan)
    {
        var token = _searchCancellation.Token;
        (IReadOnlyList<SearchResult> Results, string? Error) outcome;
        try
        {
            outcome = search is null ? ([], "Web search is not configured on this server.") : (await search.SearchAsync(plan.Prompt, token), null);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            return;
        }
        catch (SearchException ex)
        {
            outcome = ([], ex.Message);
        }
        catch (Exception ex)
        {
            LogSearchFault(logger, ex, RunId);
            outcome = ([], "Web search failed.");
        }
        if (_status == RunStatus.Running)
        {
            _sources = outcome.Results;
            await Guarded(() => Emit(seq => new SearchResultsEvent(RunId, seq, _current?.Index ?? 0, outcome.Results, outcome.Error)));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Web search of run {RunId} failed unexpectedly")]
    private static partial void LogSearchFault(ILogger logger, Exception exception, string runId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Run {RunId} failed inside the grain")]
    private static partial void LogRunFault(ILogger logger, Exception exception, string runId);
}
