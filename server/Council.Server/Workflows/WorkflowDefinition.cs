namespace Council.Server.Workflows;

/// <summary>A workflow is data: an ordered list of stages the engine runs.</summary>
public sealed record WorkflowDefinition(string Name, string Description, IReadOnlyList<StageDefinition> Stages);

/// <summary>One stage of a workflow.</summary>
public sealed record StageDefinition(string Name, StageKind Kind);
