using System.Collections.Concurrent;
using Council.Contracts.Messages;
using Council.Server.Grains;
using Council.Server.Workflows;
using Microsoft.Extensions.Options;

namespace Council.Server.Telemetry;

/// <summary>
/// Logs what runs do, structured, with the run id, the model and the run's trace id in scope. Prompt text is
/// logged only when <see cref="TelemetryOptions.LogPrompts"/> is on; provider keys never reach this class.
/// </summary>
public sealed partial class RunLogger(ILogger<RunLogger> logger, IOptions<TelemetryOptions> options, RunTracer tracer) : IRunObserver
{
    /// <summary>Trace ids of traced runs, kept here too: the tracer lets go of a run before this logs its end.</summary>
    private readonly ConcurrentDictionary<string, string> _traceIds = new(StringComparer.Ordinal);

    public void RunStarted(RunPlan plan)
    {
        if (tracer.TraceIdOf(plan.RunId) is { } traceId)
        {
            _traceIds[plan.RunId] = traceId;
        }
        if (!logger.IsEnabled(LogLevel.Information))
        {
            return;
        }
        using var scope = logger.BeginScope(Scope(plan, null));
        LogRunStarted(logger, plan.RunId, plan.Workflow.Name, plan.Models.Count, plan.Models,
            plan.Chairmen.Count > 0 ? plan.Chairmen[0] : "", plan.Prompt.Length, plan.History.Count);
        if (options.Value.LogPrompts)
        {
            LogPrompt(logger, plan.RunId, plan.Prompt);
        }
    }

    public void CallEnded(RunPlan plan, ModelCompleteEvent complete, string provider, long? cancelRequestedAt)
    {
        var level = complete.Status switch
        {
            ModelStatus.Failed => LogLevel.Warning,
            ModelStatus.Cancelled when cancelRequestedAt is not null => LogLevel.Information,
            _ => LogLevel.Debug,
        };
        if (!logger.IsEnabled(level))
        {
            return;
        }
        using var scope = logger.BeginScope(Scope(plan, complete.Model));
        var usage = complete.Usage;
        switch (complete.Status)
        {
            case ModelStatus.Failed:
                LogCallFailed(logger, complete.Model, provider, complete.Stage, plan.RunId, complete.DurationMs, complete.Error ?? "");
                break;
            case ModelStatus.Cancelled when cancelRequestedAt is not null:
                LogCallSkipped(logger, complete.Model, complete.Stage, plan.RunId, complete.DurationMs);
                break;
            case ModelStatus.Cancelled:
                LogCallStopped(logger, complete.Model, complete.Stage, plan.RunId, complete.Error ?? "");
                break;
            default:
                LogCallOk(logger, complete.Model, provider, complete.Stage, plan.RunId, complete.TtftMs, complete.DurationMs,
                    usage?.PromptTokens ?? 0, usage?.CompletionTokens ?? 0);
                break;
        }
    }

    public void RunEnded(RunPlan plan, RunCompleteEvent end)
    {
        var level = end.Status == RunStatus.Failed ? LogLevel.Warning : LogLevel.Information;
        var runScope = Scope(plan, null);
        _traceIds.TryRemove(plan.RunId, out _);
        if (!logger.IsEnabled(level))
        {
            return;
        }
        using var scope = logger.BeginScope(runScope);
        var m = end.Metrics;
        if (end.Status == RunStatus.Failed)
        {
            LogRunFailed(logger, plan.RunId, m.DurationMs, end.Error ?? "");
        }
        else
        {
            LogRunEnded(logger, plan.RunId, end.Status, m.DurationMs, m.Calls.Count, m.PromptTokens,
                m.CompletionTokens, m.Cost);
        }
    }

    private RunLogScope Scope(RunPlan plan, string? model) => new(plan.RunId, _traceIds.GetValueOrDefault(plan.RunId), model);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Run {RunId} started: workflow {Workflow}, {ModelCount} models ({Models}), chairman {Chairman}, prompt of {PromptChars} characters, {HistoryTurns} earlier turns")]
    private static partial void LogRunStarted(ILogger logger, string runId, string workflow, int modelCount, IReadOnlyList<string> models, string chairman,
        int promptChars, int historyTurns);

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} prompt: {Prompt}")]
    private static partial void LogPrompt(ILogger logger, string runId, string prompt);

    [LoggerMessage(Level = LogLevel.Debug,
        Message = "Model {Model} ({Provider}) answered in stage {Stage} of run {RunId}: first token after {TtftMs} ms, done after {DurationMs} ms, {InputTokens} tokens in, {OutputTokens} out")]
    private static partial void LogCallOk(ILogger logger, string model, string provider, int stage, string runId, long? ttftMs, long durationMs,
        int inputTokens, int outputTokens);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model {Model} ({Provider}) failed in stage {Stage} of run {RunId} after {DurationMs} ms: {Error}")]
    private static partial void LogCallFailed(ILogger logger, string model, string provider, int stage, string runId, long durationMs, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Model} skipped by the user in stage {Stage} of run {RunId} after {DurationMs} ms")]
    private static partial void LogCallSkipped(ILogger logger, string model, int stage, string runId, long durationMs);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Model {Model} stopped in stage {Stage} of run {RunId}: {Reason}")]
    private static partial void LogCallStopped(ILogger logger, string model, int stage, string runId, string reason);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Run {RunId} ended {Status} after {DurationMs} ms: {Calls} model calls, {InputTokens} tokens in, {OutputTokens} out, cost {Cost}")]
    private static partial void LogRunEnded(ILogger logger, string runId, RunStatus status, long durationMs, int calls, int inputTokens, int outputTokens,
        decimal? cost);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId} failed after {DurationMs} ms: {Error}")]
    private static partial void LogRunFailed(ILogger logger, string runId, long durationMs, string error);
}
