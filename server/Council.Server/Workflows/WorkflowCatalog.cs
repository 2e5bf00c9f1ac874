using Microsoft.Extensions.Options;

namespace Council.Server.Workflows;

/// <summary>The workflows a run may name: the built-in ones, then those defined in configuration (same name wins).</summary>
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

    /// <summary>Answers side by side, then a master synthesis; no review.</summary>
    public static readonly WorkflowDefinition Grid = new(
        "grid",
        "Every model answers side by side; a master model synthesizes one answer from all of them.",
        [
            new StageDefinition("answers", StageKind.Answers),
            new StageDefinition("synthesis", StageKind.Synthesis),
        ]);

    /// <summary>Sequential roles with a review and refine loop.</summary>
    public static readonly WorkflowDefinition Pipeline = new(
        "pipeline",
        "Architect designs, coder writes the code, reviewer checks it (the refiner fixes what it finds, up to 3 rounds), documenter explains it.",
        [
            new StageDefinition("architect", StageKind.Role)
            {
                Required = true,
                SystemPrompt = "You are the architect. Design a solution to the task: components, data, interfaces and the key decisions with their reasons. No code yet.",
            },
            new StageDefinition("coder", StageKind.Role)
            {
                Required = true,
                SystemPrompt = "You are the coder. Implement the architect's design as complete, working code with brief comments on anything non-obvious.",
            },
            new StageDefinition("reviewer", StageKind.Role)
            {
                Verdict = true,
                RefineWith = "refiner",
                MaxRounds = 3,
                SystemPrompt = "You are the reviewer. Check the latest code against the task and the design: correctness, edge cases, clarity.",
            },
            new StageDefinition("refiner", StageKind.Role)
            {
                OnlyInLoop = true,
                Required = true,
                SystemPrompt = "You are the refiner. Fix every issue the reviewer listed in the latest code and give the whole corrected code.",
            },
            new StageDefinition("documenter", StageKind.Role)
            {
                SystemPrompt = "You are the documenter. Write concise documentation for the final code: what it does, how to use it, its limits.",
            },
        ]);

    private readonly Dictionary<string, WorkflowDefinition> _workflows = new(StringComparer.OrdinalIgnoreCase);

    public WorkflowCatalog(IOptions<WorkflowOptions> options)
    {
        foreach (var workflow in new[] { Council, Grid, Pipeline })
        {
            _workflows[workflow.Name] = workflow;
        }
        foreach (var (name, configured) in options.Value.Workflows)
        {
            _workflows[name] = configured.ToDefinition(name);
        }
    }

    public IReadOnlyCollection<WorkflowDefinition> All => _workflows.Values;

    public WorkflowDefinition? Find(string name) => _workflows.GetValueOrDefault(name);
}
