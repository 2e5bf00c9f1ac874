using System.Threading.Channels;
using Council.Contracts.Messages;
using Council.Server.Storage;
using Council.Server.Providers;
using Council.Server.Search;
using Council.Server.Workflows;

namespace Council.Server.Grains;

/// <summary>
/// One run, as a virtual actor: a single-threaded mailbox owns the run's state and event log, runs the
/// workflow's stages, starts one provider call per model, and applies cancellations between any two events.
/// Nothing here takes a lock: only the mailbox loop touches the state.
/// </summary>
public sealed partial class RunGrain : IDisposable
{
    private static readonly TimeSpan HeartbeatAfter = TimeSpan.FromSeconds(1);

    // Synchronous continuations: a message posted while the mailbox loop waits is handled on the poster's thread
    // (a provider's stream, mostly) instead of in one more thread-pool hop per token. Still one message at a time:
    // there is one reader, and a post from inside the loop finds it busy and only queues.
    private readonly Channel<RunMessage> _mailbox = Channel.CreateUnbounded<RunMessage>(
        new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = true });
    private readonly RunPlan _plan;
    private readonly ModelRouter _router;
    private readonly RunStore _store;
    private readonly IRunObserver[] _observers;
    private readonly ISearchProvider? _search;
    private readonly CancellationTokenSource _searchCancellation = new();
    private IReadOnlyList<SearchResult>? _sources;
    private readonly CouncilOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly List<StageRun> _stages = [];
    private readonly List<ModelCall> _calls = [];
    private IDisposable? _ticker;
    private StageRun? _current;
    private long _startedAt;
    private long _lastEventAt;
    private bool _waitingForLateAnswers;
    private int _tokens;
    private volatile RunStatus _status = RunStatus.Running;

    internal RunGrain(RunPlan plan, ModelRouter router, RunStore store, CouncilOptions options, TimeProvider time, ILogger logger,
        IRunObserver[]? observers = null, ISearchProvider? search = null)
    {
        _plan = plan;
        _router = router;
        _store = store;
        _observers = observers ?? [];
        _search = search;
        _options = options;
        _time = time;
        _logger = logger;
        Log = new RunEventLog(plan.RunId);
    }

    public string RunId => _plan.RunId;

    public RunPlan Plan => _plan;

    public RunEventLog Log { get; }

    public RunStatus Status => _status;

    /// <summary>Completes when the run has ended and its mailbox is closed.</summary>
    public Task Completion { get; private set; } = Task.CompletedTask;

    /// <summary>Starts the mailbox loop and the run.</summary>
    internal void Activate()
    {
        Completion = Task.Run(ProcessMailboxAsync);
        _ticker = RunTicker.For(_time).Join(this);
        Post(new StartMessage());
    }

    /// <summary>Skips one model; false when it had already finished (or never ran).</summary>
    public Task<bool> CancelModelAsync(string model, int? stage)
    {
        var reply = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        return Post(new CancelModelMessage(model, stage, reply, _time.GetTimestamp())) ? reply.Task : Task.FromResult(false);
    }

    /// <summary>Ends everything in flight; false when the run had already ended.</summary>
    public Task<bool> CancelRunAsync()
    {
        var reply = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        return Post(new CancelRunMessage(reply)) ? reply.Task : Task.FromResult(false);
    }

    /// <summary>Releases the timers and the search's cancellation once the run is over and released.</summary>
    public void Dispose()
    {
        _ticker?.Dispose();
        _searchCancellation.Dispose();
    }

    private bool Post(RunMessage message) => _mailbox.Writer.TryWrite(message);

    /// <summary>Called by <see cref="RunTicker"/> every tick period.</summary>
    internal void OnTickDue() => Post(TickMessage.Instance);

    private async Task ProcessMailboxAsync()
    {
        await foreach (var message in _mailbox.Reader.ReadAllAsync())
        {
            try
            {
                Handle(message);
            }
            catch (Exception ex)
            {
                LogRunFault(_logger, ex, RunId);
                if (_status == RunStatus.Running)
                {
                    EndRun(RunStatus.Failed, "The server hit an internal error running this run.");
                }
            }
            finally
            {
                // A command that arrived after the run ended still gets its answer.
                switch (message)
                {
                    case CancelModelMessage m: m.Reply.TrySetResult(false); break;
                    case CancelRunMessage m: m.Reply.TrySetResult(false); break;
                }
            }
        }
    }

    private void Handle(RunMessage message)
    {
        if (_status != RunStatus.Running)
        {
            return;
        }
        switch (message)
        {
            case StartMessage:
                _startedAt = _time.GetTimestamp();
                Observe(o => o.RunStarted(_plan));
                if (_plan.Search)
                {
                    StartSearch();
                }
                StartStage(NextPosition(-1));
                break;
            case ChunkMessage m:
                OnChunk(_calls[m.CallId], m.Chunk);
                break;
            case CallEndedMessage m:
                OnCallEnded(_calls[m.CallId], m.Error);
                break;
            case FlushMessage m:
                var call = _calls[m.CallId];
                call.FlushScheduled = false;
                if (call.IsRunning)
                {
                    FlushPending(call);
                }
                break;
            case CancelModelMessage m:
                m.Reply.TrySetResult(CancelModel(m.Model, m.Stage, m.RequestedAt));
                break;
            case CancelRunMessage m:
                EndRun(RunStatus.Cancelled, "Cancelled by the user.");
                m.Reply.TrySetResult(true);
                break;
            case TickMessage:
                OnTick();
                break;
            case SearchDoneMessage m:
                _sources = m.Results;
                Emit(seq => new SearchResultsEvent(RunId, seq, _current?.Index ?? 0, m.Results, m.Error));
                break;
        }
    }

    // ---- stages ----

    /// <summary>Runs the stage at <paramref name="position"/> of the workflow (past the end: the run is complete).</summary>
    private void StartStage(int position, int round = 1, int? returnTo = null)
    {
        while (true)
        {
            if (position < 0 || position >= _plan.Workflow.Stages.Count)
            {
                // Answers that came in after a quorum are still shown: the run ends when the last one does.
                _waitingForLateAnswers = _calls.Any(c => c.IsRunning);
                if (!_waitingForLateAnswers)
                {
                    CompleteRun();
                }
                return;
            }

            var definition = _plan.Workflow.Stages[position];
            var stage = new StageRun(_stages.Count, position, definition, round, returnTo, _time.GetTimestamp());
            _stages.Add(stage);
            _current = stage;

            var work = PlanStage(stage);
            if (work is null)
            {
                Emit(seq => Progress(seq, stage, StageStatus.Skipped));
                Observe(o => o.StageEnded(_plan, stage.Index, StageStatus.Skipped));
                (position, round, returnTo) = (NextPosition(position), 1, null);
                continue;
            }

            Emit(seq => new StageProgressEvent(RunId, seq, stage.Index, stage.Name, StageStatus.Started, 0, work.Value.Models.Count,
                0, [], work.Value.Models));
            Observe(o => o.StageStarted(_plan, stage.Index, definition, work.Value.Models));
            foreach (var model in work.Value.Models)
            {
                StartCall(stage, model, work.Value.Messages(model));
            }
            return;
        }
    }

    /// <summary>The models a stage calls and what each is sent; null when the stage has nothing to do.</summary>
    private (IReadOnlyList<string> Models, Func<string, IReadOnlyList<ChatMessage>> Messages)? PlanStage(StageRun stage)
    {
        switch (stage.Definition.Kind)
        {
            case StageKind.Answers:
            {
                var messages = CouncilPrompts.Answer(_plan.Prompt, _plan.History);
                return (_plan.Models, _ => messages);
            }
            case StageKind.Review:
            {
                var answers = LatestAnswers();
                if (answers.Length < 2)
                {
                    return null; // Nothing to compare.
                }
                // Labels in a per-run shuffled order, so "Response A" is not always the first model.
                var shuffled = answers.ToArray();
                new Random(unchecked((int)Providers.Simulated.StableHash.Of(RunId))).Shuffle(shuffled);
                var labelled = new List<(string Label, string Text)>();
                for (var i = 0; i < shuffled.Length; i++)
                {
                    var label = RankingParser.Label(i);
                    stage.Labels[label] = shuffled[i].Model;
                    labelled.Add((label, shuffled[i].Text.ToString()));
                }
                var messages = CouncilPrompts.Review(_plan.Prompt, labelled, _sources);
                return (answers.Select(a => a.Model).ToArray(), _ => messages);
            }
            case StageKind.Synthesis:
            {
                foreach (var fallback in _plan.Chairmen.Skip(1))
                {
                    stage.FallbackChairmen.Enqueue(fallback);
                }
                var messages = CouncilPrompts.Synthesis(
                    _plan.Prompt,
                    LatestAnswers().Select(a => (a.Model, a.Text.ToString())).ToArray(),
                    AggregateRankings(),
                    _sources);
                return ([_plan.Chairmen[0]], _ => messages);
            }
            case StageKind.Role:
            {
                var workSoFar = _stages.Where(s => s != stage)
                    .SelectMany(s => s.Calls.Where(c => c.Text.Length > 0).Select(c => (s.Name, c.Model, c.Text.ToString())))
                    .ToArray();
                var messages = RolePrompts.Role(_plan.Prompt, _plan.History, stage.Definition, workSoFar, _sources);
                return ([_plan.RoleModel(stage.Definition)], _ => messages);
            }
            default:
                throw new InvalidOperationException($"Stage kind {stage.Definition.Kind} has no plan.");
        }
    }

    private void OnStageFinished(StageRun stage)
    {
        Emit(seq => Progress(seq, stage, StageStatus.Completed));
        Observe(o => o.StageEnded(_plan, stage.Index, StageStatus.Completed));
        switch (stage.Definition.Kind)
        {
            case StageKind.Answers when stage.Calls.All(c => c.Status != ModelStatus.Ok):
                EndRun(RunStatus.Failed, "No model answered. " + Failures(stage));
                return;
            case StageKind.Synthesis when stage.Calls.All(c => c.Status != ModelStatus.Ok):
                EndRun(RunStatus.Failed, "The chairman and every fallback failed. " + Failures(stage));
                return;
            case StageKind.Role when stage.Definition.Required && stage.Calls.All(c => c.Text.Length == 0):
                EndRun(RunStatus.Failed, $"The {stage.Definition.Name} produced nothing, and the rest needs it. " + Failures(stage));
                return;
        }

        if (stage.ReturnTo is { } verdictStage)
        {
            StartStage(verdictStage, stage.Round + 1); // the refiner fixed the issues: review again
        }
        else if (stage.Definition is { Verdict: true, RefineWith: { } refiner } && stage.Round < stage.Definition.MaxRounds
                 && VerdictParser.Parse(stage.Calls[^1].Text.ToString()) is { Approved: false })
        {
            StartStage(_plan.Workflow.IndexOf(refiner), stage.Round, returnTo: stage.Position);
        }
        else
        {
            StartStage(NextPosition(stage.Position));
        }
    }

    /// <summary>The next stage of the first pass after <paramref name="position"/> (stages that run only in loops skipped).</summary>
    private int NextPosition(int position)
    {
        var stages = _plan.Workflow.Stages;
        for (var i = position + 1; i < stages.Count; i++)
        {
            if (!stages[i].OnlyInLoop)
            {
                return i;
            }
        }
        return stages.Count;
    }

    private static string Failures(StageRun stage) =>
        string.Join("; ", stage.Calls.Select(c => $"{c.Model}: {c.Error ?? c.Status?.ToString().ToLowerInvariant()}"));

    /// <summary>Searches beside the first stage; never waited for: later stages get the results if they are in.</summary>
    private void StartSearch()
    {
        var search = _search;
        var token = _searchCancellation.Token;
        _ = Task.Run(async () =>
        {
            try
            {
                Post(new SearchDoneMessage(search is null ? [] : await search.SearchAsync(_plan.Prompt, token),
                    search is null ? "Web search is not configured on this server." : null));
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
            }
            catch (SearchException ex)
            {
                Post(new SearchDoneMessage([], ex.Message));
            }
            catch (Exception ex)
            {
                LogSearchFault(_logger, ex, RunId);
                Post(new SearchDoneMessage([], "Web search failed."));
            }
        }, CancellationToken.None);
    }

    // ---- model calls ----

    private void StartCall(StageRun stage, string model, IReadOnlyList<ChatMessage> messages)
    {
        var provider = _router.Find(model) ?? throw new InvalidOperationException($"No provider serves {model}.");
        var call = new ModelCall(_calls.Count, stage.Index, model, provider, new LlmRequest(model, messages), _time.GetTimestamp());
        _calls.Add(call);
        stage.Calls.Add(call);
        Emit(seq => new ModelStartEvent(RunId, seq, stage.Index, model));
        Observe(o => o.CallStarted(_plan, stage.Index, model, provider.Name));
        _ = Task.Run(() => StreamCallAsync(call));
    }

    /// <summary>Runs outside the mailbox: forwards the provider's stream into it.</summary>
    private async Task StreamCallAsync(ModelCall call)
    {
        var token = call.Cancellation.Token;
        try
        {
            Observe(o => o.CallStreaming(_plan, call.Stage, call.Model));
            await foreach (var chunk in call.Provider.StreamAsync(call.Request, token).WithCancellation(token))
            {
                Post(new ChunkMessage(call.Id, chunk));
            }
            Post(new CallEndedMessage(call.Id, null));
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // The grain cancelled this call and has already ended it.
        }
        catch (Exception ex)
        {
            Post(new CallEndedMessage(call.Id, ex));
        }
    }

    private void OnChunk(ModelCall call, LlmChunk chunk)
    {
        if (!call.IsRunning)
        {
            return; // Late output of a call already ended (cancelled or timed out).
        }
        var now = _time.GetTimestamp();
        call.LastActivityAt = now;
        switch (chunk)
        {
            case TextChunk { Text.Length: > 0 } text:
                OnText(call, text.Text, now, text.EmittedAt != 0 ? text.EmittedAt : now);
                break;
            case ReasoningChunk { Text.Length: > 0 } reasoning:
                OnText(call, "", now, now, reasoning.Text);
                break;
            case UsageChunk usage:
                call.ReportedUsage = usage;
                break;
            case FinishChunk finish:
                call.FinishReason = finish.Reason;
                break;
        }
    }

    /// <summary>
    /// The first delta of a model goes out at once; later ones go out at most once per batching window,
    /// merged, so a fast model sends fewer, larger deltas and a slow one is never held back.
    /// </summary>
    private void OnText(ModelCall call, string text, long now, long emittedAt, string? reasoning = null)
    {
        // Checked before the text is kept: a chunk past the budget is neither sent nor part of model_complete.text.
        if (++_tokens > _options.MaxTokensPerRun)
        {
            EndRun(RunStatus.Failed, $"The run reached its limit of {_options.MaxTokensPerRun} tokens (Council:MaxTokensPerRun).");
            return;
        }
        call.Text.Append(text);
        if (reasoning is null)
        {
            call.TextChunks++;
        }
        var window = _options.TokenBatchWindowMs;
        if (call.FirstTokenAt is null || window == 0 ||
            (call.Pending.Length == 0 && call.PendingReasoning.Length == 0 && _time.GetElapsedTime(call.LastFlushAt, now).TotalMilliseconds >= window))
        {
            if (call.FirstTokenAt is null)
            {
                OnFirstToken(call, now);
            }
            call.LastFlushAt = now;
            EmitToken(call, text, emittedAt, emittedAt, 1, reasoning);
            return;
        }

        if (call.PendingTokens == 0)
        {
            call.PendingFirstEmittedAt = emittedAt;
        }
        call.PendingLastEmittedAt = emittedAt;
        call.PendingTokens++;
        call.Pending.Append(text);
        call.PendingReasoning.Append(reasoning);
        if (!call.FlushScheduled)
        {
            call.FlushScheduled = true;
            var due = TimeSpan.FromMilliseconds(window) - _time.GetElapsedTime(call.LastFlushAt, now);
            var id = call.Id;
            _ = Task.Delay(due > TimeSpan.Zero ? due : TimeSpan.Zero, _time).ContinueWith(
                _ => Post(new FlushMessage(id)), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    // Apart from OnText, so its closure is allocated once per call, not once per token.
    private void OnFirstToken(ModelCall call, long now)
    {
        call.FirstTokenAt = now;
        Observe(o => o.FirstToken(_plan, call.Stage, call.Model, _time.GetElapsedTime(call.StartedAt, now)));
    }

    private void FlushPending(ModelCall call)
    {
        if (call.Pending.Length == 0 && call.PendingReasoning.Length == 0)
        {
            return;
        }
        var delta = call.Pending.ToString();
        var reasoning = call.PendingReasoning.Length > 0 ? call.PendingReasoning.ToString() : null;
        call.Pending.Clear();
        call.PendingReasoning.Clear();
        call.LastFlushAt = _time.GetTimestamp();
        EmitToken(call, delta, call.PendingFirstEmittedAt, call.PendingLastEmittedAt, call.PendingTokens, reasoning);
        call.PendingTokens = 0;
    }

    private void EmitToken(ModelCall call, string delta, long firstEmittedAt, long lastEmittedAt, int tokens, string? reasoning = null)
    {
        var token = new TokenEvent(RunId, Log.NextSeq, call.Stage, call.Model, delta, reasoning);
        foreach (var observer in _observers)
        {
            try
            {
                observer.BeforeTokenAppended(_plan, token, firstEmittedAt, lastEmittedAt, tokens);
            }
            catch (Exception ex)
            {
                LogObserverFault(_logger, ex, observer.GetType().Name, RunId);
            }
        }
        Append(token);
    }

    private void OnCallEnded(ModelCall call, Exception? error)
    {
        if (!call.IsRunning)
        {
            return;
        }
        if (error is not null)
        {
            FinishCall(call, ModelStatus.Failed, error is ProviderException ? error.Message : $"{error.GetType().Name}: {error.Message}");
        }
        else if (call.FinishReason == "error")
        {
            FinishCall(call, ModelStatus.Failed, "The provider ended the answer with an error.");
        }
        else
        {
            FinishCall(call, ModelStatus.Ok, call.FinishReason switch
            {
                "length" => "Cut short: the answer reached the provider's token limit.",
                "content_filter" => "Cut short by the provider's content filter.",
                _ => null,
            });
        }
        AfterCallFinished(_stages[call.Stage]);
    }

    private bool CancelModel(string model, int? stageIndex, long requestedAt)
    {
        var stage = stageIndex is { } i ? _stages.ElementAtOrDefault(i) : _current;
        var call = stage?.Calls.LastOrDefault(c => c.Model == model);
        if (call is null || !call.IsRunning)
        {
            return false;
        }
        FinishCall(call, ModelStatus.Cancelled, "Skipped by the user.", cancelRequestedAt: requestedAt);
        AfterCallFinished(stage!);
        return true;
    }

    /// <summary>Ends a call: stops its provider stream, sends what was pending, then its <c>model_complete</c>.</summary>
    private void FinishCall(ModelCall call, ModelStatus status, string? error, long? cancelRequestedAt = null)
    {
        call.Status = status;
        call.Error = error;
        call.EndedAt = _time.GetTimestamp();
        if (status != ModelStatus.Ok)
        {
            call.Cancellation.Cancel();
        }
        FlushPending(call);

        var stage = _stages[call.Stage];
        if (status == ModelStatus.Ok && stage.Definition.Kind == StageKind.Review)
        {
            call.Ranking = RankingParser.Parse(call.Text.ToString(), stage.Labels.Keys).Select(l => stage.Labels[l]).ToArray();
        }

        var complete = Emit(seq => new ModelCompleteEvent(RunId, seq, call.Stage, call.Model, status, call.Text.ToString(), error,
            call.FirstTokenAt is { } first ? Ms(call.StartedAt, first) : null,
            Ms(call.StartedAt, call.EndedAt.Value),
            call.Usage(),
            call.Ranking,
            stage.QuorumReached && stage.Definition.Kind == StageKind.Answers ? false : null));
        Observe(o => o.CallEnded(_plan, (ModelCompleteEvent)complete, call.Provider.Name, cancelRequestedAt));
    }

    private void AfterCallFinished(StageRun stage)
    {
        if (_status != RunStatus.Running)
        {
            return;
        }
        if (stage != _current)
        {
            // A late answer after a quorum: the answers stage completes when its last model does.
            if (stage.QuorumReached && stage.IsFinished)
            {
                Emit(seq => Progress(seq, stage, StageStatus.Completed));
            }
            if (_waitingForLateAnswers && !_calls.Any(c => c.IsRunning))
            {
                CompleteRun();
            }
            return;
        }
        var last = stage.Calls[^1];
        if (stage.Definition.Kind == StageKind.Synthesis && !last.IsRunning && last.Status != ModelStatus.Ok
            && stage.FallbackChairmen.TryDequeue(out var fallback))
        {
            // The user sees why in the failed chairman's model_complete, then the fallback's model_start.
            Emit(seq => Progress(seq, stage, StageStatus.Running, extraPending: 1));
            StartCall(stage, fallback, last.Request.Messages);
            return;
        }
        if (stage.IsFinished)
        {
            OnStageFinished(stage);
        }
        else
        {
            Emit(seq => Progress(seq, stage, StageStatus.Running));
            if (QuorumMet(stage, deadlinePassed: false))
            {
                StartAfterQuorum(stage);
            }
        }
    }

    /// <summary>Whether the answers in are enough to start the next stage without waiting for the rest.</summary>
    private bool QuorumMet(StageRun stage, bool deadlinePassed)
    {
        if (_plan.Quorum is not { } quorum || stage.Definition.Kind != StageKind.Answers || stage.QuorumReached || stage.IsFinished)
        {
            return false;
        }
        var answered = stage.Calls.Count(c => c.Status == ModelStatus.Ok);
        return (quorum.Answers is { } k && answered >= k) || (deadlinePassed && answered >= 1);
    }

    private void StartAfterQuorum(StageRun stage)
    {
        stage.QuorumReached = true;
        StartStage(NextPosition(stage.Position));
    }

    private void OnTick()
    {
        var now = _time.GetTimestamp();
        if (_current is { } answers && _plan.Quorum?.DeadlineMs is { } deadline
            && _time.GetElapsedTime(answers.StartedAt, now).TotalMilliseconds >= deadline && QuorumMet(answers, deadlinePassed: true))
        {
            StartAfterQuorum(answers);
        }
        foreach (var call in _calls.Where(c => c.IsRunning).ToArray())
        {
            if (!call.IsRunning)
            {
                continue; // ended by an earlier iteration (a failure that ended the run)
            }
            if (call.FirstTokenAt is null && _time.GetElapsedTime(call.StartedAt, now).TotalSeconds >= _options.FirstTokenTimeoutSeconds)
            {
                FinishCall(call, ModelStatus.Failed, $"No first token after {_options.FirstTokenTimeoutSeconds} s.");
                AfterCallFinished(_stages[call.Stage]);
            }
            else if (call.FirstTokenAt is not null && _time.GetElapsedTime(call.LastActivityAt, now).TotalSeconds >= _options.IdleTimeoutSeconds)
            {
                FinishCall(call, ModelStatus.Failed, $"No data for {_options.IdleTimeoutSeconds} s: the model stalled.");
                AfterCallFinished(_stages[call.Stage]);
            }
        }

        // The heartbeat speaks for the stage with models pending: the current one, or answers still coming after a quorum.
        var pending = _current is { IsFinished: false } ? _current : _stages.FirstOrDefault(s => !s.IsFinished);
        if (_status == RunStatus.Running && pending is not null && _time.GetElapsedTime(_lastEventAt, now) >= HeartbeatAfter)
        {
            Emit(seq => Progress(seq, pending, StageStatus.Running));
        }
    }

    // ---- run end ----

    private void CompleteRun()
    {
        // The synthesis if there is one, else the last stage's output (a pipeline's last role), else the first answer.
        var synthesis = _stages.LastOrDefault(s => s.Definition.Kind == StageKind.Synthesis);
        var final = synthesis?.Calls.LastOrDefault(c => c.Status == ModelStatus.Ok)?.Text.ToString()
            ?? _stages.LastOrDefault(s => s.Definition.Kind == StageKind.Role)?.Calls.LastOrDefault(c => c.Text.Length > 0)?.Text.ToString()
            ?? (LatestAnswers() is [var first, ..] ? first.Text.ToString() : null);
        EndRun(RunStatus.Ok, null, final);
    }

    /// <summary>Stops everything in flight and sends <c>run_complete</c>, the log's last event.</summary>
    private void EndRun(RunStatus status, string? error, string? final = null)
    {
        foreach (var call in _calls.Where(c => c.IsRunning))
        {
            FinishCall(call, ModelStatus.Cancelled, status == RunStatus.Cancelled ? "The run was cancelled." : "The run ended.");
        }

        var calls = _calls.Select(c =>
        {
            var usage = c.Usage();
            return new ModelCallMetrics(c.Stage, c.Model, c.Status!.Value,
                c.FirstTokenAt is { } f ? Ms(c.StartedAt, f) : null, Ms(c.StartedAt, c.EndedAt!.Value),
                usage.PromptTokens, usage.CompletionTokens, usage.Cost);
        }).ToArray();
        var costs = calls.Where(c => c.Cost is not null).Select(c => c.Cost!.Value).ToArray();
        var metrics = new RunMetrics(Ms(_startedAt, _time.GetTimestamp()), calls.Sum(c => c.PromptTokens), calls.Sum(c => c.CompletionTokens),
            costs.Length > 0 ? costs.Sum() : null, calls);
        var rankings = AggregateRankings();

        _status = status;
        var end = Emit(seq => new RunCompleteEvent(RunId, seq, status, final, error, rankings.Count > 0 ? rankings : null, metrics), last: true);
        Observe(o => o.RunEnded(_plan, (RunCompleteEvent)end));
        _ticker?.Dispose();
        _searchCancellation.Cancel();
        _mailbox.Writer.TryComplete();
    }

    // ---- helpers ----

    /// <summary>The successful calls of the latest answers stage.</summary>
    private ModelCall[] LatestAnswers() =>
        _stages.LastOrDefault(s => s.Definition.Kind == StageKind.Answers)?.Calls.Where(c => c.Status == ModelStatus.Ok).ToArray() ?? [];

    private IReadOnlyList<AggregateRanking> AggregateRankings()
    {
        var review = _stages.LastOrDefault(s => s.Definition.Kind == StageKind.Review);
        return review is null
            ? []
            : AggregateRanker.Aggregate(review.Calls.Where(c => c.Ranking is { Count: > 0 }).Select(c => c.Ranking!));
    }

    private StageProgressEvent Progress(long seq, StageRun stage, StageStatus status, int extraPending = 0)
    {
        var done = stage.Calls.Where(c => !c.IsRunning).ToArray();
        var pending = stage.Calls.Where(c => c.IsRunning).Select(c => c.Model).ToArray();
        var fastest = done.Where(c => c.Status == ModelStatus.Ok).MinBy(c => c.EndedAt!.Value - c.StartedAt);
        return new StageProgressEvent(RunId, seq, stage.Index, stage.Name, status, done.Length,
            stage.Calls.Count + extraPending, Ms(stage.StartedAt, _time.GetTimestamp()),
            done.Select(c => c.Model).ToArray(), pending,
            fastest?.Model, fastest is null ? null : Ms(fastest.StartedAt, fastest.EndedAt!.Value));
    }

    private RunEvent Emit(Func<long, RunEvent> create, bool last = false) => Append(create(Log.NextSeq), last);

    /// <summary>Appends an event that has the log's next seq, writes it, and tells the observers.</summary>
    private RunEvent Append(RunEvent runEvent, bool last = false)
    {
        Log.Append(runEvent, last);
        _store.Append(runEvent);
        _lastEventAt = _time.GetTimestamp();
        foreach (var observer in _observers)
        {
            try
            {
                observer.EventAppended(_plan, runEvent);
            }
            catch (Exception ex)
            {
                LogObserverFault(_logger, ex, observer.GetType().Name, RunId);
            }
        }
        return runEvent;
    }

    /// <summary>Tells every observer; an observer's fault is logged, never the run's problem.</summary>
    private void Observe(Action<IRunObserver> notify)
    {
        foreach (var observer in _observers)
        {
            try
            {
                notify(observer);
            }
            catch (Exception ex)
            {
                LogObserverFault(_logger, ex, observer.GetType().Name, RunId);
            }
        }
    }

    private long Ms(long from, long to) => (long)_time.GetElapsedTime(from, to).TotalMilliseconds;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Observer {Observer} failed on run {RunId}")]
    private static partial void LogObserverFault(ILogger logger, Exception exception, string observer, string runId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Web search of run {RunId} failed unexpectedly")]
    private static partial void LogSearchFault(ILogger logger, Exception exception, string runId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Run {RunId} failed inside the grain")]
    private static partial void LogRunFault(ILogger logger, Exception exception, string runId);
}
