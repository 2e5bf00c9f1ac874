namespace Council.Server.Providers.OpenAiCompatible.Wire;

/// <summary>Token counts of a completion; <see cref="Cost"/> (in US dollars / credits) is OpenRouter's addition.</summary>
public sealed record WireUsage
{
    public int PromptTokens { get; init; }

    public int CompletionTokens { get; init; }

    public int? TotalTokens { get; init; }

    public decimal? Cost { get; init; }
}
