using Microsoft.Extensions.Configuration;

namespace Council.Server.Providers.OpenAiCompatible;

/// <summary>
/// One OpenAI-compatible provider, bound from <c>Council:Providers:&lt;name&gt;</c> as named options
/// (the name is the options name and the model id prefix: <c>&lt;name&gt;/&lt;upstream model&gt;</c>).
/// </summary>
public sealed class OpenAiProviderOptions
{
    public const string Section = "Council:Providers";

    /// <summary>The API root, e.g. <c>https://openrouter.ai/api/v1</c>; requests go to <c>{BaseUrl}/chat/completions</c>.</summary>
    public string BaseUrl { get; set; } = "";

    /// <summary>Name of the environment variable that holds the API key (e.g. <c>OPENROUTER_API_KEY</c>).</summary>
    public string? ApiKeyEnv { get; set; }

    /// <summary>The key itself, for user secrets or a secret store; wins over <see cref="ApiKeyEnv"/>. Never from clients.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Extra request headers, e.g. OpenRouter's <c>HTTP-Referer</c> and <c>X-Title</c>.</summary>
    public Dictionary<string, string> Headers { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Upstream model ids to advertise in <c>list_models</c> (as <c>&lt;name&gt;/&lt;model&gt;</c>).</summary>
    public List<string> Models { get; set; } = [];

    /// <summary>When false, only <see cref="Models"/> (and council defaults) may be used; other upstream ids are refused.</summary>
    public bool AllowUnlistedModels { get; set; } = true;

    /// <summary>Sends <c>stream_options: {include_usage: true}</c>; turn off for servers that reject it.</summary>
    public bool IncludeUsage { get; set; } = true;

    /// <summary>Tries per call before the first byte of the answer (1 = no retry).</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>First retry delay; later ones back off exponentially, with jitter.</summary>
    public int RetryBaseDelayMs { get; set; } = 500;

    /// <summary>Longest wait between tries; a <c>Retry-After</c> beyond it ends the call at once.</summary>
    public int MaxRetryDelaySeconds { get; set; } = 30;

    /// <summary>Longest wait for the response headers of one try.</summary>
    public int ResponseTimeoutSeconds { get; set; } = 100;

    /// <summary>
    /// The API key: <see cref="ApiKey"/>, else the environment variable named by <see cref="ApiKeyEnv"/>, else a
    /// configuration value of that name. Null when the provider needs none or it is missing.
    /// </summary>
    internal string? ResolveApiKey(IConfiguration configuration)
    {
        if (!string.IsNullOrWhiteSpace(ApiKey))
        {
            return ApiKey.Trim();
        }
        if (string.IsNullOrWhiteSpace(ApiKeyEnv))
        {
            return null;
        }
        var key = Environment.GetEnvironmentVariable(ApiKeyEnv);
        if (string.IsNullOrWhiteSpace(key))
        {
            key = configuration[ApiKeyEnv];
        }
        return string.IsNullOrWhiteSpace(key) ? null : key.Trim();
    }

    /// <summary>Whether the provider needs a key (it names one) but none is set.</summary>
    internal bool IsMissingKey(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(ApiKeyEnv) && ResolveApiKey(configuration) is null;
}
