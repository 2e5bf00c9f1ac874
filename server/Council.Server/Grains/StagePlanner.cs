using Council.Contracts.Messages;
using Council.Server.Providers;
using Council.Server.Workflows;

namespace Council.Server.Grains;

/// <summary>What a stage calls: its models, what each is sent, and for a review the labels hiding the authors.</summary>
/// <param name="Labels">Review: label ("A", "B", …) to the model whose answer it hides.</param>
/// <param name="Fallbacks">Synthesis: chairmen to try in turn if the first fails.</param>
internal sealed record StageWork(
    IReadOnlyList<string> Models,
    IReadOnlyList<ChatMessage> Messages,
    IReadOnlyDictionary<string, string> Labels,
    IReadOnlyList<string> Fallbacks);

/// <summary>Where a run goes next: a workflow position, the review round, and for a refiner the verdict stage to return to.</summary>
internal readonly record struct NextStage(int Position, int Round = 1, int? ReturnTo = null);

/// <summary>
/// The workflow's rules as pure functions of a run's plan and the stages it ran so far: what a stage calls, what
/// comes after it, whether it ends the run, and the run's results.
/// </summary>
internal static class StagePlanner
{
    private static readonly IReadOnlyDictionary<string, string> NoLabels = new Dictionary<string, string>();

    /// <summary>The work of <paramref name="stage"/>; null when it has nothing to do (a review of fewer than two answers).</summary>
    public static StageWork? Plan(RunPlan plan, StageRun stage, IReadOnlyList<StageRun> stages, IReadOnlyList<SearchResult>? sources)
    {
        switch (stage.Definition.Kind)
        {
            case StageKind.Answers:
                return new StageWork(plan.Models, CouncilPrompts.Answer(plan.Prompt, plan.History), NoLabels, []);
            case StageKind.Review:
            {
                var answers = LatestAnswers(stages);
                if (answers.Length < 2)
                {
                    return null;
                }
                // Labels in a per-run shuffled order, so "Response A" is not always the first model.
                var shuffled = answers.ToArray();
                new Random(unchecked((int)Providers.Simulated.StableHash.Of(plan.RunId))).Shuffle(shuffled);
                var labels = new Dictionary<string, string>();
                var labelled = new List<(string Label, string Text)>();
                for (var i = 0; i < shuffled.Length; i++)
                {
                    var label = RankingParser.Label(i);
                    labels[label] = shuffled[i].Model;
                    labelled.Add((label, shuffled[i].Text.ToString()));
                }
                return new StageWork(answers.Select(a => a.Model).ToArray(), CouncilPrompts.Review(plan.Prompt, labelled, sources), labels, []);
            }
            case StageKind.Synthesis:
            {
                var messages = CouncilPrompts.Synthesis(plan.Prompt,
                    LatestAnswers(stages).Select(a => (a.Model, a.Text.ToString())).ToArray(), AggregateRankings(stages), sources);
                return new StageWork([plan.Chairmen[0]], messages, NoLabels, plan.Chairmen.Skip(1).ToArray());
            }
            case StageKind.Role:
            {
                var workSoFar = stages.Where(s => s != stage)
                    .SelectMany(s => s.Calls.Where(c => c.Text.Length > 0).Select(c => (s.Name, c.Model, c.Text.ToString())))
                    .ToArray();
                var messages = RolePrompts.Role(plan.Prompt, plan.History, stage.Definition, workSoFar, sources);
                return new StageWork([plan.RoleModel(stage.Definition)], messages, NoLabels, []);
            }
            default:
                throw new InvalidOperationException($"Stage kind {stage.Definition.Kind} has no plan.");
        }
    }

    /// <summary>Why a finished stage ends the run (nothing to go on with), or null.</summary>
    public static string? Failure(StageRun stage) => stage.Definition.Kind switch
    {
        StageKind.Answers when stage.Calls.All(c => c.Status != ModelStatus.Ok) => "No model answered. " + Failures(stage),
        StageKind.Synthesis when stage.Calls.All(c => c.Status != ModelStatus.Ok) => "The chairman and every fallback failed. " + Failures(stage),
        StageKind.Role when stage.Definition.Required && stage.Calls.All(c => c.Text.Length == 0) =>
            $"The {stage.Definition.Name} produced nothing, and the rest needs it. " + Failures(stage),
        _ => null,
    };

    /// <summary>What runs after <paramref name="stage"/> finished: a review again after a refiner, a refiner after
    /// changes were asked for (within the rounds allowed), else the next stage of the first pass.</summary>
    public static NextStage After(RunPlan plan, StageRun stage)
    {
        if (stage.ReturnTo is { } verdictStage)
        {
            return new NextStage(verdictStage, stage.Round + 1);
        }
        if (stage.Definition is { Verdict: true, RefineWith: { } refiner } && stage.Round < stage.Definition.MaxRounds
            && VerdictParser.Parse(stage.Calls[^1].Text.ToString()) is { Approved: false })
        {
            return new NextStage(plan.Workflow.IndexOf(refiner), stage.Round, stage.Position);
        }
        return new NextStage(NextPosition(plan.Workflow, stage.Position));
    }

    /// <summary>The next stage of the first pass after <paramref name="position"/> (stages that run only in loops skipped).</summary>
    public static int NextPosition(WorkflowDefinition workflow, int position)
    {
        var stages = workflow.Stages;
        for (var i = position + 1; i < stages.Count; i++)
        {
            if (!stages[i].OnlyInLoop)
            {
                return i;
            }
        }
        return stages.Count;
    }

    /// <summary>The synthesis if there is one, else the last role's output (a pipeline's), else the first answer.</summary>
    public static string? FinalAnswer(IReadOnlyList<StageRun> stages)
    {
        var synthesis = stages.LastOrDefault(s => s.Definition.Kind == StageKind.Synthesis);
        return synthesis?.Calls.LastOrDefault(c => c.Status == ModelStatus.Ok)?.Text.ToString()
            ?? stages.LastOrDefault(s => s.Definition.Kind == StageKind.Role)?.Calls.LastOrDefault(c => c.Text.Length > 0)?.Text.ToString()
            ?? (LatestAnswers(stages) is [var first, ..] ? first.Text.ToString() : null);
    }

    /// <summary>The reviewers' rankings averaged (empty when no review ran).</summary>
    public static IReadOnlyList<AggregateRanking> AggregateRankings(IReadOnlyList<StageRun> stages)
    {
        var review = stages.LastOrDefault(s => s.Definition.Kind == StageKind.Review);
        return review is null
            ? []
            : AggregateRanker.Aggregate(review.Calls.Where(c => c.Ranking is { Count: > 0 }).Select(c => c.Ranking!));
    }

    /// <summary>The successful calls of the latest answers stage.</summary>
    private static ModelCall[] LatestAnswers(IReadOnlyList<StageRun> stages) =>
        stages.LastOrDefault(s => s.Definition.Kind == StageKind.Answers)?.Calls.Where(c => c.Status == ModelStatus.Ok).ToArray() ?? [];

    private static string Failures(StageRun stage) =>
        string.Join("; ", stage.Calls.Select(c => $"{c.Model}: {c.Error ?? c.Status?.ToString().ToLowerInvariant()}"));
}
