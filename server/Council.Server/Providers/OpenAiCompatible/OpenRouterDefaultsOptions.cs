namespace Council.Server.Providers.OpenAiCompatible;

/// <summary>
/// <c>Council:OpenRouterDefaults</c>: the council used instead of the simulated one when an OpenRouter key is set
/// and the operator left the council at simulated models. See <see cref="OpenRouterDefaultsPostConfigure"/>.
/// </summary>
public sealed class OpenRouterDefaultsOptions
{
    public const string Section = "Council:OpenRouterDefaults";

    /// <summary>The built-in council, used when <see cref="Models"/> is left empty.</summary>
    public static readonly IReadOnlyList<string> BuiltInModels =
    [
        "openrouter/openai/gpt-5.1",
        "openrouter/google/gemini-3-pro-preview",
        "openrouter/anthropic/claude-sonnet-4.5",
        "openrouter/x-ai/grok-4",
    ];

    public const string BuiltInChairman = "openrouter/google/gemini-3-pro-preview";

    public static readonly IReadOnlyList<string> BuiltInFallbackChairmen =
    [
        "openrouter/anthropic/claude-sonnet-4.5",
        "openrouter/openai/gpt-5.1",
    ];

    /// <summary>False keeps the configured (simulated) council even with a key set.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The provider whose key switches the defaults on.</summary>
    public string Provider { get; set; } = "openrouter";

    /// <summary>Council models; empty means <see cref="BuiltInModels"/>.</summary>
    public List<string> Models { get; set; } = [];

    /// <summary>Empty means <see cref="BuiltInChairman"/>.</summary>
    public string? Chairman { get; set; }

    /// <summary>Empty means <see cref="BuiltInFallbackChairmen"/>.</summary>
    public List<string> FallbackChairmen { get; set; } = [];
}
