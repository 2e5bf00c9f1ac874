using System.Diagnostics;
using System.Text.Json;

namespace Council.Server.Tests.Telemetry;

/// <summary>Simulated models and helpers shared by the telemetry tests.</summary>
internal static class TracedCouncil
{
    public const string A = "sim/a?ttft=20&tps=300&tokens=20";
    public const string B = "sim/b?ttft=30&tps=300&tokens=20";
    public const string Chair = "sim/chair?ttft=20&tps=300&tokens=20";
    public const string Slow = "sim/slow?ttft=10&tps=20&tokens=500";

    /// <summary>Starts a run over the hub and returns its id.</summary>
    public static async Task<string> StartAsync(HubTestClient hub, string[] models, string chairman, CancellationToken cancellationToken,
        string prompt = "Why is the sky blue?")
    {
        var result = await hub.InvokeAsync("start_run", new { prompt, models, chairman }, cancellationToken);
        return result.GetProperty("runId").GetString()!;
    }

    public static Task<JsonElement> RunCompleteAsync(HubTestClient hub, string runId, CancellationToken cancellationToken) =>
        hub.WaitForAsync("run_complete", p => p.GetProperty("runId").GetString() == runId, cancellationToken);

    /// <summary>Waits until the collector holds the run's span (it ends just after <c>run_complete</c> is appended).</summary>
    public static async Task<Activity> RunSpanAsync(SpanCollector spans, string runId, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (spans.Spans.FirstOrDefault(s => s.Source.Name == "Council" && s.OperationName.StartsWith("run ", StringComparison.Ordinal)
                && (string?)s.GetTagItem("council.run.id") == runId) is { } run)
            {
                return run;
            }
            await Task.Delay(10, cancellationToken);
        }
    }

    public static Activity[] ChildrenOf(SpanCollector spans, Activity parent) =>
        spans.Spans.Where(s => s.ParentSpanId == parent.SpanId && s.TraceId == parent.TraceId).OrderBy(s => s.StartTimeUtc).ToArray();

    public static object? Tag(this Activity span, string name) => span.GetTagItem(name);
}
