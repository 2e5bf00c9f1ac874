using MessagePack;

namespace Council.Contracts.Messages;

/// <summary>Result of <c>start_run</c>: the run was accepted and its events will follow.</summary>
[MessagePackObject]
public sealed record StartRunResult(
    [property: Key("runId")] string RunId,
    [property: Key("conversationId")] string ConversationId,
    [property: Key("workflow")] string Workflow,
    [property: Key("stages")] IReadOnlyList<StageInfo> Stages);

/// <summary>A stage of a run as planned when the run starts.</summary>
/// <param name="Kind">"answers", "review" or "synthesis".</param>
[MessagePackObject]
public sealed record StageInfo(
    [property: Key("index")] int Index,
    [property: Key("name")] string Name,
    [property: Key("kind")] string Kind,
    [property: Key("models")] IReadOnlyList<string> Models);

/// <summary>Result of <c>cancel_model</c> and <c>cancel_run</c>.</summary>
/// <param name="Accepted">False when there was nothing left to cancel.</param>
[MessagePackObject]
public sealed record AcceptedResult([property: Key("accepted")] bool Accepted);

/// <summary>Result of <c>resume_run</c>; the replayed events follow it.</summary>
[MessagePackObject]
public sealed record ResumeRunResult(
    [property: Key("runId")] string RunId,
    [property: Key("lastSeq")] long LastSeq,
    [property: Key("status")] RunStatus Status);

/// <summary>An entry of <c>list_workflows</c>: a workflow and the stages of its first pass.</summary>
[MessagePackObject]
public sealed record WorkflowInfo(
    [property: Key("name")] string Name,
    [property: Key("description")] string Description,
    [property: Key("stages")] IReadOnlyList<WorkflowStageInfo> Stages);

/// <summary>A stage of a workflow: its name and kind ("answers", "review", "synthesis", "role").</summary>
/// <param name="Loop">True for a stage that runs only when a reviewer sends work back (a refiner).</param>
[MessagePackObject]
public sealed record WorkflowStageInfo(
    [property: Key("name")] string Name,
    [property: Key("kind")] string Kind,
    [property: Key("loop")] bool Loop);

/// <summary>An entry of <c>list_models</c>.</summary>
[MessagePackObject]
public sealed record ModelInfo(
    [property: Key("id")] string Id,
    [property: Key("provider")] string Provider);
