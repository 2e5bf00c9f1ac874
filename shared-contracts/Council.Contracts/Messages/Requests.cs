namespace Council.Contracts.Messages;

/// <summary>Argument of <c>start_run</c>.</summary>
/// <param name="Prompt">The user's question.</param>
/// <param name="Workflow">Workflow name; the server's default ("council") when absent.</param>
/// <param name="Models">Model ids of the council; the configured default council when absent.</param>
/// <param name="Chairman">Model id that writes the final answer; the configured chairman when absent.</param>
/// <param name="ConversationId">Continue this conversation; a new one when absent.</param>
/// <param name="Search">Search the web alongside the first stage; results reach clients at once and later stages as context.</param>
/// <param name="Quorum">Start the reviews before every answer is in; off when absent.</param>
public sealed record StartRunRequest(
    string Prompt,
    string? Workflow = null,
    IReadOnlyList<string>? Models = null,
    string? Chairman = null,
    string? ConversationId = null,
    bool? Search = null,
    Quorum? Quorum = null);

/// <summary>When the stage after the answers may start without waiting for every answer; answers that come
/// later are shown, marked not reviewed.</summary>
/// <param name="Answers">Start once this many answers are in.</param>
/// <param name="DeadlineMs">Start after this long, once at least one answer is in.</param>
public sealed record Quorum(int? Answers = null, int? DeadlineMs = null);

/// <summary>Argument of <c>cancel_model</c>.</summary>
/// <param name="Stage">Stage index; the current stage when absent.</param>
public sealed record CancelModelRequest(string RunId, string Model, int? Stage = null);

/// <summary>Argument of <c>cancel_run</c>.</summary>
public sealed record CancelRunRequest(string RunId);

/// <summary>Argument of <c>resume_run</c>.</summary>
/// <param name="AfterSeq">The last seq the client saw; 0 to replay everything.</param>
public sealed record ResumeRunRequest(string RunId, long AfterSeq);
