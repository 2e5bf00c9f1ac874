using Council.Contracts.Messages;

namespace Council.Server.Storage;

/// <summary>
/// The events that end a run that stopped without its grain ending it (the server stopped, or the node running it
/// was lost): a <c>model_complete</c> (cancelled, with its partial text) for each call still going, then
/// <c>run_complete</c> failed with the reason.
/// </summary>
public static class InterruptedRun
{
    /// <summary>Why a run ends that was going when its server stopped.</summary>
    public const string ServerStopped = "Interrupted: the server stopped during this run. Completed outputs are kept; run it again.";

    /// <summary>Why a run ends whose node was lost (<paramref name="node"/> null when its name is not known).</summary>
    public static string NodeLost(string? node) =>
        $"Interrupted: the node running this run{(node is null ? "" : $" ({node})")} was lost. Completed outputs are kept; run it again.";

    /// <summary>True for the error of a run that ended this way: stored as <c>interrupted</c>, not <c>failed</c>.</summary>
    public static bool IsInterruption(string? error) => error is not null && error.StartsWith("Interrupted: ", StringComparison.Ordinal);

    public static List<RunEvent> Closing(string runId, IReadOnlyList<RunEvent> events, string error)
    {
        var seq = events.Count == 0 ? 0 : events[^1].Seq;
        var closing = new List<RunEvent>();
        var completed = events.OfType<ModelCompleteEvent>().Select(c => (c.Stage, c.Model)).ToHashSet();
        foreach (var start in events.OfType<ModelStartEvent>().Where(s => !completed.Contains((s.Stage, s.Model))))
        {
            var text = string.Concat(events.OfType<TokenEvent>().Where(t => t.Stage == start.Stage && t.Model == start.Model).Select(t => t.Delta));
            closing.Add(new ModelCompleteEvent(runId, ++seq, start.Stage, start.Model, ModelStatus.Cancelled, text, error, null, 0, null));
        }
        var calls = events.OfType<ModelCompleteEvent>().Concat(closing.OfType<ModelCompleteEvent>())
            .Select(c => new ModelCallMetrics(c.Stage, c.Model, c.Status, c.TtftMs, c.DurationMs, c.Usage?.PromptTokens ?? 0, c.Usage?.CompletionTokens ?? 0, c.Usage?.Cost))
            .ToArray();
        closing.Add(new RunCompleteEvent(runId, ++seq, RunStatus.Failed, null, error, null,
            new RunMetrics(0, calls.Sum(c => c.PromptTokens), calls.Sum(c => c.CompletionTokens), null, calls)));
        return closing;
    }
}
