namespace Council.Contracts.Messages;

/// <summary>Tokens and cost of one model call.</summary>
/// <param name="Cost">In US dollars, where the provider reports it.</param>
/// <param name="Partial">True when the call was cancelled or failed and the counts are what was known then.</param>
public sealed record Usage(int PromptTokens, int CompletionTokens, decimal? Cost = null, bool? Partial = null);

/// <summary>One entry of the aggregate ranking: lower <paramref name="AverageRank"/> is better.</summary>
public sealed record AggregateRanking(string Model, double AverageRank, int Votes);

/// <summary>A web search hit.</summary>
public sealed record SearchResult(string Title, string Url, string Snippet);

/// <summary>What a run cost and how long it took, in total and per model call.</summary>
public sealed record RunMetrics(
    long DurationMs,
    int PromptTokens,
    int CompletionTokens,
    decimal? Cost,
    IReadOnlyList<ModelCallMetrics> Calls);

/// <summary>Figures of one model call in one stage, cancelled and failed calls included.</summary>
public sealed record ModelCallMetrics(
    int Stage,
    string Model,
    ModelStatus Status,
    long? TtftMs,
    long DurationMs,
    int PromptTokens,
    int CompletionTokens,
    decimal? Cost);
