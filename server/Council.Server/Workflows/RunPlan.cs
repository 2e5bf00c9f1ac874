namespace Council.Server.Workflows;

/// <summary>A validated run request with every default resolved: what a grain runs.</summary>
/// <param name="Chairmen">The chairman first, then its fallbacks in order.</param>
/// <param name="History">Earlier turns of the conversation, oldest first.</param>
public sealed record RunPlan(
    string RunId,
    string ConversationId,
    string Prompt,
    WorkflowDefinition Workflow,
    IReadOnlyList<string> Models,
    IReadOnlyList<string> Chairmen,
    IReadOnlyList<ConversationTurn> History)
{
    /// <summary>The models a stage will call, as planned before anything ran.</summary>
    public IReadOnlyList<string> PlannedModels(StageDefinition stage) =>
        stage.Kind == StageKind.Synthesis ? [Chairmen[0]] : Models;
}
