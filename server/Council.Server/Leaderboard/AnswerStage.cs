using Council.Server.Workflows;

namespace Council.Server.Leaderboard;

/// <summary>Which stage of a run holds the answers the council ranks and the user picks from.</summary>
public static class AnswerStage
{
    /// <summary>0 for a workflow that starts with an answers stage (council, grid); null for one that does not, or is unknown.</summary>
    public static int? Of(WorkflowDefinition? workflow) => workflow is { Stages: [{ Kind: StageKind.Answers }, ..] } ? 0 : null;
}
