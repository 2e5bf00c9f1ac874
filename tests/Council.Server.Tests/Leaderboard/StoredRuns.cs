using Council.Contracts.Messages;
using Council.Server.Storage;
using Council.Server.Workflows;

namespace Council.Server.Tests.Leaderboard;

/// <summary>Writes finished council runs through the real run store, event by event, as a grain would.</summary>
internal static class StoredRuns
{
    /// <param name="reviews">Per reviewer, its ranking best first.</param>
    public static void Council(RunStore store, string runId, string owner, IReadOnlyList<string> answers,
        IReadOnlyDictionary<string, string[]> reviews, string workflow = WorkflowCatalog.CouncilName, string? failed = null)
    {
        var definition = workflow == WorkflowCatalog.CouncilName ? WorkflowCatalog.Council : WorkflowCatalog.Grid;
        store.RunStarted(new RunPlan(runId, $"conv-{runId}", $"question of {runId}", definition, answers, ["chair"], [], Owner: owner));
        var seq = 0L;
        store.Append(new StageProgressEvent(runId, ++seq, 0, "answers", StageStatus.Started, 0, answers.Count, 0, [], answers));
        var calls = new List<ModelCallMetrics>();
        foreach (var model in answers)
        {
            var status = model == failed ? ModelStatus.Failed : ModelStatus.Ok;
            store.Append(new ModelCompleteEvent(runId, ++seq, 0, model, status, status == ModelStatus.Ok ? $"Answer of {model}." : "", status == ModelStatus.Ok ? null : "boom",
                status == ModelStatus.Ok ? 100 : null, 1100, new Usage(10, 50, 0.001m)));
            calls.Add(new ModelCallMetrics(0, model, status, 100, 1100, 10, 50, 0.001m));
        }
        if (reviews.Count > 0)
        {
            store.Append(new StageProgressEvent(runId, ++seq, 1, "reviews", StageStatus.Started, 0, reviews.Count, 0, [], reviews.Keys.ToArray()));
        }
        foreach (var (reviewer, ranking) in reviews)
        {
            store.Append(new ModelCompleteEvent(runId, ++seq, 1, reviewer, ModelStatus.Ok, "FINAL RANKING:", null, 10, 200, new Usage(10, 20), ranking));
        }
        var aggregate = reviews.Count > 0 ? AggregateRanker.Aggregate(reviews.Values) : null;
        store.Append(new RunCompleteEvent(runId, ++seq, RunStatus.Ok, $"Final of {runId}.", null, aggregate,
            new RunMetrics(1500, 10 * answers.Count, 50 * answers.Count, 0.001m * answers.Count, calls)));
    }
}
