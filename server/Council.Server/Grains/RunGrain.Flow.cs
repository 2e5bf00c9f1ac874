using Council.Contracts.Messages;
using Council.Server.Providers;
using Council.Server.Workflows;

namespace Council.Server.Grains;

/// <summary>The run as it goes: stages, model calls, tokens, the end. Every method runs inside the activation.</summary>
public sealed partial class RunGrain
{
    /// <summary>Runs the stage at <paramref name="next"/> (past the workflow's end: the run is complete).</summary>
    private void StartStage(NextStage next)
    {
        while (true)
        {
            if (next.Position < 0 || next.Position >= Plan.Workflow.Stages.Count)
            {
                // Answers that came in after a quorum are still shown: the run ends when the last one does.
                _waitingForLateAnswers = _calls.Any(c => c.IsRunning);
                if (!_waitingForLateAnswers)
                {
                    EndRun(RunStatus.Ok, null, StagePlanner.FinalAnswer(_stages));
                }
                return;
            }

            var definition = Plan.Workflow.Stages[next.Position];
            var stage = new StageRun(_stages.Count, next.Position, definition, next.Round, next.ReturnTo, time.GetTimestamp());
            _stages.Add(stage);
            _current = stage;

            if (StagePlanner.Plan(Plan, stage, _stages, _sources) is not { } work)
            {
                Emit(seq => _events!.Progress(seq, stage, StageStatus.Skipped));
                observers.StageEnded(Plan, stage.Index, StageStatus.Skipped);
                next = new NextStage(StagePlanner.NextPosition(Plan.Workflow, next.Position));
                continue;
            }

            foreach (var (label, model) in work.Labels)
            {
                stage.Labels[label] = model;
            }
            foreach (var fallback in work.Fallbacks)
            {
                stage.FallbackChairmen.Enqueue(fallback);
            }
            Emit(seq => _events!.Started(seq, stage, work.Models));
            observers.StageStarted(Plan, stage.Index, definition, work.Models);
            foreach (var model in work.Models)
            {
                StartCall(stage, model, work.Messages);
            }
            return;
        }
    }

    private void OnStageFinished(StageRun stage)
    {
        Emit(seq => _events!.Progress(seq, stage, StageStatus.Completed));
        observers.StageEnded(Plan, stage.Index, StageStatus.Completed);
        if (StagePlanner.Failure(stage) is { } failure)
        {
            EndRun(RunStatus.Failed, failure);
            return;
        }
        StartStage(StagePlanner.After(Plan, stage));
    }

    private void StartCall(StageRun stage, string model, IReadOnlyList<ChatMessage> messages)
    {
        var provider = router.Find(model) ?? new UnservedModelProvider(model); // fails the call: fallbacks take over
        var call = new ModelCall(_calls.Count, stage.Index, model, provider, new LlmRequest(model, messages), time.GetTimestamp(),
            new TokenBatcher(_options.TokenBatchWindowMs, time));
        _calls.Add(call);
        stage.Calls.Add(call);
        Emit(seq => new ModelStartEvent(RunId, seq, stage.Index, model));
        observers.CallStarted(Plan, stage.Index, model, provider.Name);
        _ = StreamCallAsync(call);
    }

    /// <summary>Feeds the provider's stream into the run; its awaits resume on the activation, one chunk at a time.</summary>
    private async Task StreamCallAsync(ModelCall call)
    {
        // After the turn that started the call, so a stage has all its calls before any of them can end.
        await Task.Yield();
        var token = call.Cancellation.Token;
        Exception? error = null;
        try
        {
            observers.CallStreaming(Plan, call.Stage, call.Model);
            await foreach (var chunk in call.Provider.StreamAsync(call.Request, token).WithCancellation(token))
            {
                if (!call.IsRunning)
                {
                    return;
                }
                await store.WaitForRoomAsync(token); // backpressure: read the provider no faster than storage writes
                try
                {
                    OnChunk(call, chunk);
                }
                catch (Exception ex)
                {
                    await Guarded(() => throw new InvalidOperationException($"Handling output of {call.Model} failed.", ex));
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            return; // The run cancelled this call and has already ended it.
        }
        catch (Exception ex)
        {
            error = ex;
        }
        await Guarded(() => OnCallEnded(call, error));
    }

    private void OnChunk(ModelCall call, LlmChunk chunk)
    {
        var now = time.GetTimestamp();
        call.LastActivityAt = now;
        switch (chunk)
        {
            case TextChunk { Text.Length: > 0 } text:
                OnText(call, text.Text, null, now, text.EmittedAt != 0 ? text.EmittedAt : now);
                break;
            case ReasoningChunk { Text.Length: > 0 } reasoning:
                OnText(call, "", reasoning.Text, now, now);
                break;
            case UsageChunk usage:
                call.ReportedUsage = usage;
                _budget!.Report(call.Id, usage.CompletionTokens);
                if (_budget.Exceeded)
                {
                    EndRun(RunStatus.Failed, TokenLimitReached());
                }
                break;
            case FinishChunk finish:
                call.FinishReason = finish.Reason;
                break;
        }
    }

    /// <summary>A chunk of answer text, or of reasoning (then <paramref name="text"/> is empty): counted, kept, batched.</summary>
    private void OnText(ModelCall call, string text, string? reasoning, long now, long emittedAt)
    {
        // Checked before the text is kept: a chunk past the budget is neither sent nor part of model_complete.text.
        if (!_budget!.TryAdd(call.Id, reasoning ?? text))
        {
            EndRun(RunStatus.Failed, TokenLimitReached());
            return;
        }
        call.Text.Append(text);
        if (reasoning is null)
        {
            call.TextChunks++;
        }
        var first = call.FirstTokenAt is null;
        if (first)
        {
            OnFirstToken(call, now);
        }
        switch (call.Batcher.Offer(text, reasoning, now, emittedAt, first, out var flushIn))
        {
            case Batching.SendNow:
                EmitToken(call, text, reasoning, emittedAt, emittedAt, 1);
                break;
            case Batching.FlushAfter:
                _ = FlushAfterAsync(call, flushIn);
                break;
        }
    }

    private string TokenLimitReached() =>
        $"The run reached its limit of {_budget!.Max} tokens (Council:MaxTokensPerRun; counted from the providers' usage, estimated while a model streams).";

    // Apart from OnText, so its closure is allocated once per call, not once per token.
    private void OnFirstToken(ModelCall call, long now)
    {
        call.FirstTokenAt = now;
        observers.FirstToken(Plan, call.Stage, call.Model, time.GetElapsedTime(call.StartedAt, now));
    }

    private async Task FlushAfterAsync(ModelCall call, TimeSpan due)
    {
        await Task.Delay(due, time);
        if (call.IsRunning)
        {
            await Guarded(() => FlushPending(call));
        }
    }

    private void FlushPending(ModelCall call)
    {
        if (call.Batcher.Take() is { } pending)
        {
            EmitToken(call, pending.Text, pending.Reasoning, pending.FirstEmittedAt, pending.LastEmittedAt, pending.Tokens);
        }
    }

    private void EmitToken(ModelCall call, string delta, string? reasoning, long firstEmittedAt, long lastEmittedAt, int tokens)
    {
        var token = new TokenEvent(RunId, Log.NextSeq, call.Stage, call.Model, delta, reasoning);
        observers.BeforeTokenAppended(Plan, token, firstEmittedAt, lastEmittedAt, tokens);
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

    /// <summary>Ends a call: stops its provider stream, sends what was pending, then its <c>model_complete</c>.</summary>
    private void FinishCall(ModelCall call, ModelStatus status, string? error, long? cancelRequestedAt = null)
    {
        call.Status = status;
        call.Error = error;
        call.EndedAt = time.GetTimestamp();
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
        var unreviewed = stage.QuorumReached && stage.Definition.Kind == StageKind.Answers;
        var complete = (ModelCompleteEvent)Emit(seq => _events!.Complete(seq, call, unreviewed));
        observers.CallEnded(Plan, complete, call.Provider.Name, cancelRequestedAt);
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
                Emit(seq => _events!.Progress(seq, stage, StageStatus.Completed));
            }
            if (_waitingForLateAnswers && !_calls.Any(c => c.IsRunning))
            {
                EndRun(RunStatus.Ok, null, StagePlanner.FinalAnswer(_stages));
            }
            return;
        }
        var last = stage.Calls[^1];
        if (stage.Definition.Kind == StageKind.Synthesis && !last.IsRunning && last.Status != ModelStatus.Ok
            && stage.FallbackChairmen.TryDequeue(out var fallback))
        {
            // The user sees why in the failed chairman's model_complete, then the fallback's model_start.
            Emit(seq => _events!.Progress(seq, stage, StageStatus.Running, extraPending: 1));
            StartCall(stage, fallback, last.Request.Messages);
            return;
        }
        if (stage.IsFinished)
        {
            OnStageFinished(stage);
        }
        else
        {
            Emit(seq => _events!.Progress(seq, stage, StageStatus.Running));
            if (QuorumMet(stage, deadlinePassed: false))
            {
                StartAfterQuorum(stage);
            }
        }
    }

    /// <summary>Whether the answers in are enough to start the next stage without waiting for the rest.</summary>
    private bool QuorumMet(StageRun stage, bool deadlinePassed)
    {
        if (Plan.Quorum is not { } quorum || stage.Definition.Kind != StageKind.Answers || stage.QuorumReached || stage.IsFinished)
        {
            return false;
        }
        var answered = stage.Calls.Count(c => c.Status == ModelStatus.Ok);
        return (quorum.Answers is { } k && answered >= k) || (deadlinePassed && answered >= 1);
    }

    private void StartAfterQuorum(StageRun stage)
    {
        stage.QuorumReached = true;
        StartStage(new NextStage(StagePlanner.NextPosition(Plan.Workflow, stage.Position)));
    }

    /// <summary>The grain timer's tick: the quorum deadline, first-token and stall timeouts, and the heartbeat.</summary>
    private void OnTick()
    {
        if (_status != RunStatus.Running)
        {
            return;
        }
        var now = time.GetTimestamp();
        if (_current is { } answers && Plan.Quorum?.DeadlineMs is { } deadline
            && time.GetElapsedTime(answers.StartedAt, now).TotalMilliseconds >= deadline && QuorumMet(answers, deadlinePassed: true))
        {
            StartAfterQuorum(answers);
        }
        foreach (var call in _calls.Where(c => c.IsRunning).ToArray())
        {
            if (!call.IsRunning)
            {
                continue; // ended by an earlier iteration (a failure that ended the run)
            }
            if (call.FirstTokenAt is null && time.GetElapsedTime(call.StartedAt, now).TotalSeconds >= _options.FirstTokenTimeoutSeconds)
            {
                FinishCall(call, ModelStatus.Failed, $"No first token after {_options.FirstTokenTimeoutSeconds} s.");
                AfterCallFinished(_stages[call.Stage]);
            }
            else if (call.FirstTokenAt is not null && time.GetElapsedTime(call.LastActivityAt, now).TotalSeconds >= _options.IdleTimeoutSeconds)
            {
                FinishCall(call, ModelStatus.Failed, $"No data for {_options.IdleTimeoutSeconds} s: the model stalled.");
                AfterCallFinished(_stages[call.Stage]);
            }
        }

        // The heartbeat speaks for the stage with models pending: the current one, or answers still coming after a quorum.
        var pending = _current is { IsFinished: false } ? _current : _stages.FirstOrDefault(s => !s.IsFinished);
        if (_status == RunStatus.Running && pending is not null && time.GetElapsedTime(_lastEventAt, now) >= HeartbeatAfter)
        {
            Emit(seq => _events!.Progress(seq, pending, StageStatus.Running));
        }
    }

    /// <summary>Stops everything in flight and sends <c>run_complete</c>, the log's last event.</summary>
    private void EndRun(RunStatus status, string? error, string? final = null)
    {
        foreach (var call in _calls.Where(c => c.IsRunning))
        {
            FinishCall(call, ModelStatus.Cancelled, status == RunStatus.Cancelled ? "The run was cancelled." : "The run ended.");
        }
        _status = status;
        // Before run_complete goes out: a user who sees the run end and starts another at once finds room for it.
        limits.EndedAsync(Plan).Ignore();
        var end = (RunCompleteEvent)Emit(seq => _events!.End(seq, status, final, error, _stages, _calls, _startedAt), last: true);
        observers.RunEnded(Plan, end);
        _ticker?.Dispose();
        _searchCancellation.Cancel();
        logs.Ended(RunId);
        if (!_deactivating)
        {
            DelayDeactivation(TimeSpan.Zero);
            ReleaseLater();
        }
    }

    private RunEvent Emit(Func<long, RunEvent> create, bool last = false) => Append(create(Log.NextSeq), last);

    /// <summary>Appends an event that has the log's next seq, writes it, and tells the observers.</summary>
    private RunEvent Append(RunEvent runEvent, bool last = false)
    {
        Log.Append(runEvent, last);
        store.Append(runEvent);
        _lastEventAt = time.GetTimestamp();
        observers.EventAppended(Plan, runEvent);
        _relay?.Wake();
        return runEvent;
    }
}
