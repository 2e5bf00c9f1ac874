using Council.Contracts.MessagePack;
using MessagePack;

namespace Council.Contracts.Messages;

/// <summary>Tokens and cost of one model call.</summary>
/// <param name="Cost">In US dollars, where the provider reports it.</param>
/// <param name="Partial">True when the call was cancelled or failed and the counts are what was known then.</param>
[MessagePackObject]
public sealed record Usage(
    [property: Key("promptTokens")] int PromptTokens,
    [property: Key("completionTokens")] int CompletionTokens,
    [property: Key("cost"), MessagePackFormatter(typeof(DecimalAsNumberFormatter))] decimal? Cost = null,
    [property: Key("partial")] bool? Partial = null);

/// <summary>One entry of the aggregate ranking: lower <paramref name="AverageRank"/> is better.</summary>
[MessagePackObject]
public sealed record AggregateRanking(
    [property: Key("model")] string Model,
    [property: Key("averageRank")] double AverageRank,
    [property: Key("votes")] int Votes);

/// <summary>A web search hit.</summary>
[MessagePackObject]
public sealed record SearchResult(
    [property: Key("title")] string Title,
    [property: Key("url")] string Url,
    [property: Key("snippet")] string Snippet);

/// <summary>What a run cost and how long it took, in total and per model call.</summary>
[MessagePackObject]
public sealed record RunMetrics(
    [property: Key("durationMs")] long DurationMs,
    [property: Key("promptTokens")] int PromptTokens,
    [property: Key("completionTokens")] int CompletionTokens,
    [property: Key("cost"), MessagePackFormatter(typeof(DecimalAsNumberFormatter))] decimal? Cost,
    [property: Key("calls")] IReadOnlyList<ModelCallMetrics> Calls);

/// <summary>Figures of one model call in one stage, cancelled and failed calls included.</summary>
[MessagePackObject]
public sealed record ModelCallMetrics(
    [property: Key("stage")] int Stage,
    [property: Key("model")] string Model,
    [property: Key("status")] ModelStatus Status,
    [property: Key("ttftMs")] long? TtftMs,
    [property: Key("durationMs")] long DurationMs,
    [property: Key("promptTokens")] int PromptTokens,
    [property: Key("completionTokens")] int CompletionTokens,
    [property: Key("cost"), MessagePackFormatter(typeof(DecimalAsNumberFormatter))] decimal? Cost);
