using Council.Contracts.Messages;

namespace Council.Server.Workflows;

/// <summary>A validated run request with every default resolved: what a grain runs.</summary>
/// <param name="Chairmen">The chairman first, then its fallbacks in order.</param>
/// <param name="History">Earlier turns of the conversation, oldest first.</param>
/// <param name="Search">Search the web alongside the first stage.</param>
/// <param name="Owner">The user the run belongs to; nobody else can see or touch it.</param>
[GenerateSerializer, Immutable]
public sealed record RunPlan(
    [property: Id(0)] string RunId,
    [property: Id(1)] string ConversationId,
    [property: Id(2)] string Prompt,
    [property: Id(3)] WorkflowDefinition Workflow,
    [property: Id(4)] IReadOnlyList<string> Models,
    [property: Id(5)] IReadOnlyList<string> Chairmen,
    [property: Id(6)] IReadOnlyList<ConversationTurn> History,
    [property: Id(7)] bool Search = false,
    [property: Id(8)] Quorum? Quorum = null,
    [property: Id(9)] string Owner = Auth.CouncilUser.LocalUser)
{
    /// <summary>The W3C trace context of the request that started the run: its spans are children of it.</summary>
    [Id(10)]
    public string? TraceParent { get; init; }

    /// <summary>The models a stage will call, as planned before anything ran.</summary>
    public IReadOnlyList<string> PlannedModels(StageDefinition stage) => stage.Kind switch
    {
        StageKind.Synthesis => [Chairmen[0]],
        StageKind.Role => [RoleModel(stage)],
        _ => Models,
    };

    /// <summary>
    /// Who plays a role: its configured model; else the run's models in turn, one per first-pass role; a role that
    /// runs only in a loop (a refiner) is played by whoever wrote the work its reviewer checks (the role before it).
    /// </summary>
    public string RoleModel(StageDefinition role)
    {
        if (role.Model is { } model)
        {
            return model;
        }
        var stages = Workflow.Stages;
        if (role.OnlyInLoop)
        {
            var reviewer = stages.ToList().FindIndex(s => s.RefineWith == role.Name);
            var author = stages.Take(Math.Max(reviewer, 0)).LastOrDefault(s => s.Kind == StageKind.Role && !s.OnlyInLoop);
            return author is null ? Models[0] : RoleModel(author);
        }
        var ordinal = stages.Where(s => s.Kind == StageKind.Role && !s.OnlyInLoop && s.Model is null).ToList().IndexOf(role);
        return Models[Math.Max(ordinal, 0) % Models.Count];
    }
}
