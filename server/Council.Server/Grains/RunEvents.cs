using Council.Contracts.Messages;
using Council.Server.Workflows;

namespace Council.Server.Grains;

/// <summary>Turns a run's stages and calls into the events and figures clients see.</summary>
internal sealed class RunEvents(string runId, TimeProvider time)
{
    public StageProgressEvent Progress(long seq, StageRun stage, StageStatus status, int extraPending = 0)
    {
        var done = stage.Calls.Where(c => !c.IsRunning).ToArray();
        var pending = stage.Calls.Where(c => c.IsRunning).Select(c => c.Model).ToArray();
        var fastest = done.Where(c => c.Status == ModelStatus.Ok).MinBy(c => c.EndedAt!.Value - c.StartedAt);
        return new StageProgressEvent(runId, seq, stage.Index, stage.Name, status, done.Length,
            stage.Calls.Count + extraPending, Ms(stage.StartedAt, time.GetTimestamp()),
            done.Select(c => c.Model).ToArray(), pending,
            fastest?.Model, fastest is null ? null : Ms(fastest.StartedAt, fastest.EndedAt!.Value));
    }

    public StageProgressEvent Started(long seq, StageRun stage, IReadOnlyList<string> models) =>
        new(runId, seq, stage.Index, stage.Name, StageStatus.Started, 0, models.Count, 0, [], models);

    /// <param name="unreviewed">An answer that came in after a quorum started the reviews.</param>
    public ModelCompleteEvent Complete(long seq, ModelCall call, bool unreviewed) =>
        new(runId, seq, call.Stage, call.Model, call.Status!.Value, call.Text.ToString(), call.Error,
            call.FirstTokenAt is { } first ? Ms(call.StartedAt, first) : null,
            Ms(call.StartedAt, call.EndedAt!.Value),
            call.Usage(),
            call.Ranking,
            unreviewed ? false : null);

    public RunCompleteEvent End(long seq, RunStatus status, string? final, string? error, IReadOnlyList<StageRun> stages,
        IReadOnlyList<ModelCall> calls, long startedAt)
    {
        var metrics = calls.Select(c =>
        {
            var usage = c.Usage();
            return new ModelCallMetrics(c.Stage, c.Model, c.Status!.Value,
                c.FirstTokenAt is { } f ? Ms(c.StartedAt, f) : null, Ms(c.StartedAt, c.EndedAt!.Value),
                usage.PromptTokens, usage.CompletionTokens, usage.Cost);
        }).ToArray();
        var costs = metrics.Where(c => c.Cost is not null).Select(c => c.Cost!.Value).ToArray();
        var run = new RunMetrics(Ms(startedAt, time.GetTimestamp()), metrics.Sum(c => c.PromptTokens), metrics.Sum(c => c.CompletionTokens),
            costs.Length > 0 ? costs.Sum() : null, metrics);
        var rankings = StagePlanner.AggregateRankings(stages);
        return new RunCompleteEvent(runId, seq, status, final, error, rankings.Count > 0 ? rankings : null, run);
    }

    private long Ms(long from, long to) => (long)time.GetElapsedTime(from, to).TotalMilliseconds;
}
