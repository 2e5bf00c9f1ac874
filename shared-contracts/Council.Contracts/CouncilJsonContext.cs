using System.Text.Json.Serialization;
using Council.Contracts.Api;
using Council.Contracts.Messages;

namespace Council.Contracts;

/// <summary>Source-generated JSON metadata for every contract type (camelCase, nulls omitted).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(StartRunRequest))]
[JsonSerializable(typeof(CancelModelRequest))]
[JsonSerializable(typeof(CancelRunRequest))]
[JsonSerializable(typeof(ResumeRunRequest))]
[JsonSerializable(typeof(StartRunResult))]
[JsonSerializable(typeof(AcceptedResult))]
[JsonSerializable(typeof(ResumeRunResult))]
[JsonSerializable(typeof(IReadOnlyList<ModelInfo>))]
[JsonSerializable(typeof(IReadOnlyList<WorkflowInfo>))]
[JsonSerializable(typeof(StageProgressEvent))]
[JsonSerializable(typeof(ModelStartEvent))]
[JsonSerializable(typeof(TokenEvent))]
[JsonSerializable(typeof(ModelCompleteEvent))]
[JsonSerializable(typeof(SearchResultsEvent))]
[JsonSerializable(typeof(RunCompleteEvent))]
[JsonSerializable(typeof(IReadOnlyList<ConversationSummary>))]
[JsonSerializable(typeof(ConversationDetail))]
[JsonSerializable(typeof(RenameConversationRequest))]
[JsonSerializable(typeof(StoredRun))]
[JsonSerializable(typeof(ServerLimits))]
[JsonSerializable(typeof(LeaderboardReport))]
[JsonSerializable(typeof(BestAnswerRequest))]
[JsonSerializable(typeof(IReadOnlyList<AggregateRanking>))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
public sealed partial class CouncilJsonContext : JsonSerializerContext;
