namespace Council.Server.Workflows;

/// <summary>The workflows a run may name.</summary>
public sealed class WorkflowCatalog
{
    public const string CouncilName = "council";

    /// <summary>Answers in parallel, anonymous peer review, chairman synthesis.</summary>
    public static readonly WorkflowDefinition Council = new(
        CouncilName,
        "Every model answers, the models rank each other's answers anonymously, a chairman writes the final answer.",
        [
            new StageDefinition("answers", StageKind.Answers),
            new StageDefinition("reviews", StageKind.Review),
            new StageDefinition("synthesis", StageKind.Synthesis),
        ]);

    private readonly Dictionary<string, WorkflowDefinition> _workflows =
        new(StringComparer.OrdinalIgnoreCase) { [Council.Name] = Council };

    public IReadOnlyCollection<WorkflowDefinition> All => _workflows.Values;

    public WorkflowDefinition? Find(string name) => _workflows.GetValueOrDefault(name);
}
