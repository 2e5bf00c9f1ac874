using System.Collections.Concurrent;
using System.Diagnostics;
using Council.Contracts.Messages;
using Council.Server.Grains;
using Council.Server.Workflows;

namespace Council.Server.Telemetry;

/// <summary>
/// Spans of <c>ActivitySource("Council")</c>: one per run (child of the hub invocation that started it), one per
/// stage, one per model call (GenAI <c>chat</c> spans, kind client). A call's span is made
/// <c>Activity.Current</c> on the call's own task, so the provider's HTTP request carries its W3C trace context.
/// Does nothing when no tracer provider listens.
/// </summary>
/// <remarks>
/// The grain calls this inside its activation, whose ambient context flows on into everything the grain does next;
/// starting or stopping an activity changes <c>Activity.Current</c>, so that is done inside an isolated
/// execution context and the grain's ambient context is left as it was. The run's span is a child of the
/// request that started the run (<see cref="Workflows.RunPlan.TraceParent"/>), wherever the grain runs.
/// </remarks>
public sealed class RunTracer(TimeProvider time) : IRunObserver
{
    private readonly ConcurrentDictionary<string, RunSpans> _runs = new(StringComparer.Ordinal);

    /// <summary>The trace id of a run being traced, for log scopes; null when it is not.</summary>
    public string? TraceIdOf(string runId) => _runs.GetValueOrDefault(runId)?.Run.TraceId.ToHexString();

    public void RunStarted(RunPlan plan)
    {
        if (!CouncilTelemetry.Source.HasListeners())
        {
            return;
        }
        // The grain's loop was started from the hub method, so its ambient activity is that invocation's.
        // The request that started the run, which may have been handled on another thread (or node) than the grain.
        var parent = ActivityContext.TryParse(plan.TraceParent, null, out var started) ? started : Activity.Current?.Context ?? default;
        var span = Start($"run {plan.Workflow.Name}", ActivityKind.Internal, parent);
        if (span is null)
        {
            return;
        }
        if (span.IsAllDataRequested)
        {
            span.SetTag(TelemetryTags.RunId, plan.RunId);
            span.SetTag(TelemetryTags.ConversationId, plan.ConversationId);
            span.SetTag(TelemetryTags.Workflow, plan.Workflow.Name);
            span.SetTag(TelemetryTags.Models, plan.Models.ToArray());
            span.SetTag(TelemetryTags.Chairman, plan.Chairmen.Count > 0 ? plan.Chairmen[0] : null);
        }
        _runs[plan.RunId] = new RunSpans(span);
    }

    public void StageStarted(RunPlan plan, int stage, StageDefinition definition, IReadOnlyList<string> models)
    {
        if (Find(plan) is not { } run)
        {
            return;
        }
        // The name clients see ("reviews (round 2)" in a loop), from the stage_progress appended just before.
        var name = run.StageNames.GetValueOrDefault(stage) ?? definition.Name;
        var span = Start($"stage {name}", ActivityKind.Internal, run.Run.Context);
        if (span is not null && span.IsAllDataRequested)
        {
            span.SetTag(TelemetryTags.RunId, plan.RunId);
            span.SetTag(TelemetryTags.StageIndex, stage);
            span.SetTag(TelemetryTags.StageName, name);
            span.SetTag(TelemetryTags.StageKind, definition.Kind.WireName());
            span.SetTag(TelemetryTags.Models, models.ToArray());
        }
        run.Stages[stage] = span;
    }

    public void StageEnded(RunPlan plan, int stage, StageStatus status)
    {
        if (Find(plan) is not { } run)
        {
            return;
        }
        if (run.Stages.Remove(stage, out var span))
        {
            EndStage(span, status == StageStatus.Skipped ? "skipped" : "completed");
        }
        else if (status == StageStatus.Skipped)
        {
            // A skipped stage never started: it gets an empty span, so the trace shows it was skipped.
            var name = run.StageNames.GetValueOrDefault(stage) ?? stage.ToString(System.Globalization.CultureInfo.InvariantCulture);
            span = Start($"stage {name}", ActivityKind.Internal, run.Run.Context);
            span?.SetTag(TelemetryTags.RunId, plan.RunId);
            span?.SetTag(TelemetryTags.StageIndex, stage);
            span?.SetTag(TelemetryTags.StageName, name);
            EndStage(span, "skipped");
        }
    }

    public void CallStarted(RunPlan plan, int stage, string model, string provider)
    {
        if (Find(plan) is not { } run)
        {
            return;
        }
        var parent = run.Stages.GetValueOrDefault(stage)?.Context ?? run.Run.Context;
        var span = Start($"{TelemetryTags.Chat} {model}", ActivityKind.Client, parent);
        if (span is null)
        {
            return;
        }
        if (span.IsAllDataRequested)
        {
            span.SetTag(TelemetryTags.OperationName, TelemetryTags.Chat);
            span.SetTag(TelemetryTags.RequestModel, model);
            span.SetTag(TelemetryTags.ProviderName, provider);
            span.SetTag(TelemetryTags.System, provider);
            span.SetTag(TelemetryTags.ConversationId, plan.ConversationId);
            span.SetTag(TelemetryTags.RunId, plan.RunId);
            span.SetTag(TelemetryTags.StageIndex, stage);
            span.SetTag(TelemetryTags.StageName, run.StageNames.GetValueOrDefault(stage));
        }
        run.Calls[(stage, model)] = span;
    }

    /// <summary>On the call's task: from here on its span is the ambient one, so HttpClient propagates it.</summary>
    public void CallStreaming(RunPlan plan, int stage, string model)
    {
        if (Find(plan) is { } run && run.Calls.TryGetValue((stage, model), out var span))
        {
            Activity.Current = span;
        }
    }

    public void FirstToken(RunPlan plan, int stage, string model, TimeSpan timeToFirstToken)
    {
        if (Find(plan) is { } run && run.Calls.TryGetValue((stage, model), out var span) && span.IsAllDataRequested)
        {
            span.AddEvent(new ActivityEvent("gen_ai.first_token", tags: new ActivityTagsCollection
            {
                [TelemetryTags.TimeToFirstTokenMs] = timeToFirstToken.TotalMilliseconds,
            }));
        }
    }

    /// <summary>
    /// Notes each stage's name as clients see it, and ends a stage's span at its <c>completed</c> progress even
    /// when no StageEnded follows (an answers stage whose late answers came in after a quorum). Nothing else per event.
    /// </summary>
    public void EventAppended(RunPlan plan, RunEvent runEvent)
    {
        if (runEvent is not StageProgressEvent progress || Find(plan) is not { } run)
        {
            return;
        }
        switch (progress.Status)
        {
            case StageStatus.Started or StageStatus.Skipped:
                run.StageNames[progress.Stage] = progress.Name;
                break;
            case StageStatus.Completed when run.Stages.Remove(progress.Stage, out var span):
                EndStage(span, "completed");
                break;
        }
    }

    public void CallEnded(RunPlan plan, ModelCompleteEvent complete, string provider, long? cancelRequestedAt)
    {
        if (Find(plan) is not { } run || !run.Calls.TryRemove((complete.Stage, complete.Model), out var span))
        {
            return;
        }
        span.SetTag(TelemetryTags.CallStatus, RunMeasurements.StatusName(complete.Status));
        span.SetTag(TelemetryTags.DurationMs, complete.DurationMs);
        if (complete.TtftMs is { } ttft)
        {
            span.SetTag(TelemetryTags.TimeToFirstTokenMs, ttft);
        }
        if (complete.Usage is { } usage)
        {
            span.SetTag(TelemetryTags.InputTokens, usage.PromptTokens);
            span.SetTag(TelemetryTags.OutputTokens, usage.CompletionTokens);
            if (usage.Cost is { } cost)
            {
                span.SetTag(TelemetryTags.Cost, (double)cost);
            }
            if (usage.Partial == true)
            {
                span.SetTag(TelemetryTags.UsageEstimated, true);
            }
        }

        switch (complete.Status)
        {
            case ModelStatus.Failed:
                span.SetTag(TelemetryTags.ErrorType, ErrorType(complete.Error));
                span.SetStatus(ActivityStatusCode.Error, complete.Error);
                break;
            case ModelStatus.Cancelled when cancelRequestedAt is not null:
                // Skipped by the user: not an error, so the status stays unset; the attributes say what happened.
                span.SetTag(TelemetryTags.CancelReason, TelemetryTags.CancelledByUser);
                span.SetTag(TelemetryTags.CancelLatencyMs, time.GetElapsedTime(cancelRequestedAt.Value).TotalMilliseconds);
                break;
            case ModelStatus.Cancelled:
                // Stopped because the run ended: why (the user's cancel_run, or a failure) is known at RunEnded, next.
                run.EndedWithRun.Add(span);
                return;
        }
        Stop(span);
    }

    public void RunEnded(RunPlan plan, RunCompleteEvent end)
    {
        if (!CouncilTelemetry.Source.HasListeners() && _runs.IsEmpty)
        {
            return;
        }
        if (!_runs.TryRemove(plan.RunId, out var run))
        {
            return;
        }
        var reason = end.Status == RunStatus.Cancelled ? TelemetryTags.RunCancelledByUser : TelemetryTags.RunEnded;
        foreach (var span in run.EndedWithRun.Concat(run.Calls.Values))
        {
            span.SetTag(TelemetryTags.CallStatus, "cancelled");
            span.SetTag(TelemetryTags.CancelReason, reason);
            Stop(span);
        }
        foreach (var span in run.Stages.Values)
        {
            EndStage(span, RunMeasurements.StatusName(end.Status));
        }

        var root = run.Run;
        root.SetTag(TelemetryTags.RunStatus, RunMeasurements.StatusName(end.Status));
        root.SetTag(TelemetryTags.DurationMs, end.Metrics.DurationMs);
        root.SetTag(TelemetryTags.InputTokens, end.Metrics.PromptTokens);
        root.SetTag(TelemetryTags.OutputTokens, end.Metrics.CompletionTokens);
        if (end.Metrics.Cost is { } cost)
        {
            root.SetTag(TelemetryTags.Cost, (double)cost);
        }
        switch (end.Status)
        {
            case RunStatus.Failed:
                root.SetTag(TelemetryTags.ErrorType, "run_failed");
                root.SetStatus(ActivityStatusCode.Error, end.Error);
                break;
            case RunStatus.Cancelled:
                root.SetTag(TelemetryTags.CancelReason, TelemetryTags.CancelledByUser);
                break;
        }
        Stop(root);
    }

    /// <summary>
    /// A low-cardinality <c>error.type</c> for a failed call, from the grain's message (the provider's own
    /// error code does not reach observers).
    /// </summary>
    internal static string ErrorType(string? error) => error switch
    {
        null => "_OTHER",
        _ when error.StartsWith("No first token", StringComparison.Ordinal) => "first_token_timeout",
        _ when error.StartsWith("No data for", StringComparison.Ordinal) => "stalled",
        _ => "provider_error",
    };

    private static void EndStage(Activity? span, string status)
    {
        if (span is not null)
        {
            span.SetTag(TelemetryTags.StageStatus, status);
            Stop(span);
        }
    }

    private RunSpans? Find(RunPlan plan) =>
        CouncilTelemetry.Source.HasListeners() || !_runs.IsEmpty ? _runs.GetValueOrDefault(plan.RunId) : null;

    private static Activity? Start(string name, ActivityKind kind, ActivityContext parent)
    {
        var context = ExecutionContext.Capture();
        if (context is null)
        {
            return CouncilTelemetry.Source.StartActivity(name, kind, parent);
        }
        var start = new StartRequest(name, kind, parent);
        ExecutionContext.Run(context, static state =>
        {
            var request = (StartRequest)state!;
            request.Started = CouncilTelemetry.Source.StartActivity(request.Name, request.Kind, request.Parent);
        }, start);
        return start.Started;
    }

    private static void Stop(Activity span)
    {
        var context = ExecutionContext.Capture();
        if (context is null)
        {
            span.Stop();
            return;
        }
        ExecutionContext.Run(context, static state => ((Activity)state!).Stop(), span);
    }

    private sealed class StartRequest(string name, ActivityKind kind, ActivityContext parent)
    {
        public string Name { get; } = name;
        public ActivityKind Kind { get; } = kind;
        public ActivityContext Parent { get; } = parent;
        public Activity? Started { get; set; }
    }

    /// <summary>A run's open spans. Stages are touched by the grain's loop only; calls are also read by call tasks.</summary>
    private sealed class RunSpans(Activity run)
    {
        public Activity Run { get; } = run;
        public Dictionary<int, Activity?> Stages { get; } = [];
        public Dictionary<int, string> StageNames { get; } = [];
        public ConcurrentDictionary<(int Stage, string Model), Activity> Calls { get; } = new();
        public List<Activity> EndedWithRun { get; } = [];
    }
}
