namespace Council.Server.Telemetry;

/// <summary>
/// Attribute names: the OpenTelemetry GenAI semantic conventions where they fit
/// (https://opentelemetry.io/docs/specs/semconv/gen-ai/), <c>council.*</c> for the rest.
/// </summary>
public static class TelemetryTags
{
    public const string OperationName = "gen_ai.operation.name";
    public const string ProviderName = "gen_ai.provider.name";

    /// <summary>The older name of <see cref="ProviderName"/>, still read by many backends.</summary>
    public const string System = "gen_ai.system";
    public const string RequestModel = "gen_ai.request.model";
    public const string InputTokens = "gen_ai.usage.input_tokens";
    public const string OutputTokens = "gen_ai.usage.output_tokens";
    public const string TokenType = "gen_ai.token.type";
    public const string ConversationId = "gen_ai.conversation.id";
    public const string ErrorType = "error.type";

    public const string RunId = "council.run.id";
    public const string Workflow = "council.workflow";
    public const string RunStatus = "council.run.status";
    public const string Models = "council.models";
    public const string Chairman = "council.chairman";
    public const string StageIndex = "council.stage.index";
    public const string StageName = "council.stage.name";
    public const string StageKind = "council.stage.kind";
    public const string StageStatus = "council.stage.status";
    public const string CallStatus = "council.call.status";
    public const string TimeToFirstTokenMs = "council.time_to_first_token_ms";
    public const string DurationMs = "council.duration_ms";
    public const string Cost = "council.usage.cost";
    public const string UsageEstimated = "council.usage.estimated";
    public const string CancelReason = "council.cancel.reason";
    public const string CancelLatencyMs = "council.cancel.latency_ms";

    /// <summary>The operation of a model call, per the conventions.</summary>
    public const string Chat = "chat";

    /// <summary><see cref="CancelReason"/>: the user skipped this model.</summary>
    public const string CancelledByUser = "user";

    /// <summary><see cref="CancelReason"/>: the user cancelled the whole run.</summary>
    public const string RunCancelledByUser = "run_cancelled";

    /// <summary><see cref="CancelReason"/>: the run ended (failed) while this call was going.</summary>
    public const string RunEnded = "run_ended";
}
