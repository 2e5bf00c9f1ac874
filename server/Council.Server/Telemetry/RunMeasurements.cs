using System.Collections.Concurrent;
using System.Diagnostics;
using Council.Contracts.Messages;
using Council.Server.Grains;
using Council.Server.Operations;
using Council.Server.Workflows;

namespace Council.Server.Telemetry;

/// <summary>
/// Turns what runs do into measurements: OpenTelemetry instruments (<see cref="CouncilMetrics"/>, recorded
/// only when something listens) and the in-process <see cref="LiveStats"/> behind <c>/api/stats</c> (always).
/// Also notes when each event is appended, for the send lag measured by <see cref="SubscriberTelemetry"/>.
/// </summary>
public sealed class RunMeasurements(CouncilMetrics metrics, LiveStats stats, EventTimes times, TimeProvider time) : IRunObserver
{
    /// <summary>Each live run's stage definitions by stage index (which is not the workflow position once a loop repeats a stage).</summary>
    private readonly ConcurrentDictionary<RunPlan, List<string?>> _stages = new(ReferenceEqualityComparer.Instance);

    public void RunStarted(RunPlan plan)
    {
        _stages[plan] = [];
        times.Start(plan);
        stats.RunStarted();
        metrics.ActiveRuns.Add(1, new KeyValuePair<string, object?>(TelemetryTags.Workflow, plan.Workflow.Name));
    }

    public void StageStarted(RunPlan plan, int stage, StageDefinition definition, IReadOnlyList<string> models)
    {
        if (_stages.TryGetValue(plan, out var names))
        {
            while (names.Count <= stage)
            {
                names.Add(null);
            }
            names[stage] = definition.Name;
        }
    }

    public void CallStarted(RunPlan plan, int stage, string model, string provider)
    {
        stats.CallStarted();
        metrics.ActiveModelCalls.Add(1, new KeyValuePair<string, object?>(TelemetryTags.ProviderName, provider));
    }

    public void FirstToken(RunPlan plan, int stage, string model, TimeSpan timeToFirstToken) =>
        stats.FirstToken(timeToFirstToken.TotalMilliseconds);

    public void CallEnded(RunPlan plan, ModelCompleteEvent complete, string provider, long? cancelRequestedAt)
    {
        double? cancelMs = cancelRequestedAt is { } at ? time.GetElapsedTime(at).TotalMilliseconds : null;
        stats.CallEnded(complete.Status, provider, complete.DurationMs, cancelMs);
        metrics.ActiveModelCalls.Add(-1, new KeyValuePair<string, object?>(TelemetryTags.ProviderName, provider));

        var tags = new TagList
        {
            { TelemetryTags.OperationName, TelemetryTags.Chat },
            { TelemetryTags.ProviderName, provider },
            { TelemetryTags.RequestModel, CouncilTelemetry.ModelForMetrics(complete.Model) },
            { TelemetryTags.StageName, _stages.TryGetValue(plan, out var names) ? names.ElementAtOrDefault(complete.Stage) : null },
        };
        if (metrics.TimeToFirstToken.Enabled && complete.TtftMs is { } ttft)
        {
            metrics.TimeToFirstToken.Record(ttft / 1000.0, tags);
        }
        if (metrics.Tokens.Enabled && complete.Usage is { } usage)
        {
            metrics.Tokens.Add(usage.PromptTokens, WithTokenType(tags, "input"));
            metrics.Tokens.Add(usage.CompletionTokens, WithTokenType(tags, "output"));
        }
        if (metrics.TokenUsage.Enabled && complete.Usage is { } used)
        {
            metrics.TokenUsage.Record(used.PromptTokens, WithTokenType(tags, "input"));
            metrics.TokenUsage.Record(used.CompletionTokens, WithTokenType(tags, "output"));
        }
        if (metrics.Cost.Enabled && complete.Usage?.Cost is { } cost)
        {
            metrics.Cost.Add((double)cost, tags);
        }
        if (cancelMs is { } cancelled && metrics.CancelLatency.Enabled)
        {
            metrics.CancelLatency.Record(cancelled / 1000.0, tags);
        }

        if (complete.Status == ModelStatus.Failed)
        {
            tags.Add(TelemetryTags.ErrorType, RunTracer.ErrorType(complete.Error));
        }
        if (metrics.OperationDuration.Enabled)
        {
            metrics.OperationDuration.Record(complete.DurationMs / 1000.0, tags);
        }
        if (metrics.ModelCalls.Enabled)
        {
            tags.Add(TelemetryTags.CallStatus, StatusName(complete.Status));
            metrics.ModelCalls.Add(1, tags);
        }
    }

    /// <summary>
    /// Per event: counted for the rates; its append time noted for send lag, for every event but tokens, of
    /// which one in <see cref="TokenSampling"/> (reading a precise clock costs more than all the rest here).
    /// </summary>
    public void EventAppended(RunPlan plan, RunEvent runEvent)
    {
        var token = runEvent as TokenEvent;
        if (token is null || runEvent.Seq % TokenSampling == 0)
        {
            times.Find(plan)?.Appended(runEvent.Seq, time.GetTimestamp());
        }
        stats.EventAppended(token?.Delta.Length ?? 0);
    }

    /// <summary>One token event in this many has its send lag measured.</summary>
    public const int TokenSampling = 8;

    public void RunEnded(RunPlan plan, RunCompleteEvent end)
    {
        _stages.TryRemove(plan, out _);
        times.End(plan);
        stats.RunEnded(end.Status);
        var workflow = new KeyValuePair<string, object?>(TelemetryTags.Workflow, plan.Workflow.Name);
        metrics.ActiveRuns.Add(-1, workflow);
        metrics.Runs.Add(1, workflow, new KeyValuePair<string, object?>(TelemetryTags.RunStatus, StatusName(end.Status)));
    }

    internal static string StatusName(ModelStatus status) => status switch
    {
        ModelStatus.Ok => "ok",
        ModelStatus.Cancelled => "cancelled",
        _ => "failed",
    };

    internal static string StatusName(RunStatus status) => status switch
    {
        RunStatus.Ok => "ok",
        RunStatus.Cancelled => "cancelled",
        RunStatus.Running => "running",
        RunStatus.Interrupted => "interrupted",
        _ => "failed",
    };

    private static TagList WithTokenType(TagList tags, string type)
    {
        tags.Add(TelemetryTags.TokenType, type);
        return tags;
    }
}
