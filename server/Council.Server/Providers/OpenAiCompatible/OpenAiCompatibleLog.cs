using Microsoft.Extensions.Logging;

namespace Council.Server.Providers.OpenAiCompatible;

/// <summary>Log messages of the OpenAI-compatible providers. Never a key: only names, hosts, statuses, codes.</summary>
internal static partial class OpenAiCompatibleLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Provider {Provider} streams from {Endpoint}; advertises {ModelCount} models")]
    public static partial void ProviderConfigured(this ILogger logger, string provider, string endpoint, int modelCount);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Provider {Provider} is inactive: environment variable {ApiKeyEnv} is not set")]
    public static partial void ProviderMissingKey(this ILogger logger, string provider, string apiKeyEnv);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning, Message = "Provider {Provider}: try {Attempt} failed ({Status}); retrying in {DelayMs} ms")]
    public static partial void Retrying(this ILogger logger, string provider, int attempt, string status, long delayMs);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "Provider {Provider} model {Model} failed before streaming: {Code} {Error}")]
    public static partial void RequestFailed(this ILogger logger, string provider, string model, string? code, string error);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Warning, Message = "Provider {Provider} model {Model} failed mid-stream: {Code} {Error}")]
    public static partial void StreamFailed(this ILogger logger, string provider, string model, string? code, string error);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Information, Message = "Council defaults switched to OpenRouter models ({Models}); chairman {Chairman}")]
    public static partial void OpenRouterDefaultsApplied(this ILogger logger, string models, string chairman);
}
