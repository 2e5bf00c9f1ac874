using MessagePack;

namespace Council.Contracts.Messages;

/// <summary>Argument of <c>start_run</c>.</summary>
/// <param name="Prompt">The user's question.</param>
/// <param name="Workflow">Workflow name; the server's default ("council") when absent.</param>
/// <param name="Models">Model ids of the council; the configured default council when absent.</param>
/// <param name="Chairman">Model id that writes the final answer; the configured chairman when absent.</param>
/// <param name="ConversationId">Continue this conversation; a new one when absent.</param>
/// <param name="Search">Search the web alongside the first stage; results reach clients at once and later stages as context.</param>
/// <param name="Quorum">Start the reviews before every answer is in; off when absent.</param>
[MessagePackObject]
public sealed record StartRunRequest(
    [property: Key("prompt")] string Prompt,
    [property: Key("workflow")] string? Workflow = null,
    [property: Key("models")] IReadOnlyList<string>? Models = null,
    [property: Key("chairman")] string? Chairman = null,
    [property: Key("conversationId")] string? ConversationId = null,
    [property: Key("search")] bool? Search = null,
    [property: Key("quorum")] Quorum? Quorum = null);

/// <summary>When the stage after the answers may start without waiting for every answer; answers that come
/// later are shown, marked not reviewed.</summary>
/// <param name="Answers">Start once this many answers are in.</param>
/// <param name="DeadlineMs">Start after this long, once at least one answer is in.</param>
[MessagePackObject]
public sealed record Quorum(
    [property: Key("answers")] int? Answers = null,
    [property: Key("deadlineMs")] int? DeadlineMs = null);

/// <summary>Argument of <c>cancel_model</c>.</summary>
/// <param name="Stage">Stage index; the current stage when absent.</param>
[MessagePackObject]
public sealed record CancelModelRequest(
    [property: Key("runId")] string RunId,
    [property: Key("model")] string Model,
    [property: Key("stage")] int? Stage = null);

/// <summary>Argument of <c>cancel_run</c>.</summary>
[MessagePackObject]
public sealed record CancelRunRequest([property: Key("runId")] string RunId);

/// <summary>Argument of <c>resume_run</c>.</summary>
/// <param name="AfterSeq">The last seq the client saw; 0 to replay everything.</param>
[MessagePackObject]
public sealed record ResumeRunRequest(
    [property: Key("runId")] string RunId,
    [property: Key("afterSeq")] long AfterSeq);
