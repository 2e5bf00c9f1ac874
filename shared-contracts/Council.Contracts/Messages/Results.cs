namespace Council.Contracts.Messages;

/// <summary>Result of <c>start_run</c>: the run was accepted and its events will follow.</summary>
public sealed record StartRunResult(
    string RunId,
    string ConversationId,
    string Workflow,
    IReadOnlyList<StageInfo> Stages);

/// <summary>A stage of a run as planned when the run starts.</summary>
/// <param name="Kind">"answers", "review" or "synthesis".</param>
public sealed record StageInfo(int Index, string Name, string Kind, IReadOnlyList<string> Models);

/// <summary>Result of <c>cancel_model</c> and <c>cancel_run</c>.</summary>
/// <param name="Accepted">False when there was nothing left to cancel.</param>
public sealed record AcceptedResult(bool Accepted);

/// <summary>Result of <c>resume_run</c>; the replayed events follow it.</summary>
public sealed record ResumeRunResult(string RunId, long LastSeq, RunStatus Status);

/// <summary>An entry of <c>list_workflows</c>: a workflow and the stages of its first pass.</summary>
public sealed record WorkflowInfo(string Name, string Description, IReadOnlyList<WorkflowStageInfo> Stages);

/// <summary>A stage of a workflow: its name and kind ("answers", "review", "synthesis", "role").</summary>
/// <param name="Loop">True for a stage that runs only when a reviewer sends work back (a refiner).</param>
public sealed record WorkflowStageInfo(string Name, string Kind, bool Loop);

/// <summary>An entry of <c>list_models</c>.</summary>
public sealed record ModelInfo(string Id, string Provider);
