using Council.Server.Providers.Simulated;
using Microsoft.Extensions.Options;

namespace Council.Server.Providers.OpenAiCompatible;

/// <summary>Checks every configured provider at start, with messages that name the setting to fix.</summary>
internal sealed class OpenAiProviderOptionsValidator : IValidateOptions<OpenAiProviderOptions>
{
    public ValidateOptionsResult Validate(string? name, OpenAiProviderOptions options)
    {
        var at = $"{OpenAiProviderOptions.Section}:{name}";
        var errors = new List<string>();

        if (string.IsNullOrEmpty(name) || !IsValidName(name))
        {
            errors.Add($"{at}: a provider name must be 1-32 letters, digits, '-' or '_', and not '{SimulatedModelSpec.Prefix.TrimEnd('/')}'");
        }
        if (!Uri.TryCreate(options.BaseUrl, UriKind.Absolute, out var baseUrl) || baseUrl.Scheme is not ("http" or "https"))
        {
            errors.Add($"{at}:BaseUrl must be an absolute http(s) URL such as https://openrouter.ai/api/v1 (got '{options.BaseUrl}')");
        }
        else if (!string.IsNullOrEmpty(baseUrl.UserInfo) || !string.IsNullOrEmpty(baseUrl.Query))
        {
            errors.Add($"{at}:BaseUrl must not carry credentials or a query; put the key in ApiKey or ApiKeyEnv");
        }
        if (options.ApiKeyEnv is { } env && (env.Length == 0 || env.Any(char.IsWhiteSpace)))
        {
            errors.Add($"{at}:ApiKeyEnv must be the name of an environment variable, such as OPENROUTER_API_KEY");
        }
        foreach (var header in options.Headers)
        {
            if (header.Key.Length == 0 || !header.Key.All(c => c > ' ' && c < 127 && c != ':')
                || header.Value.Any(c => c is '\r' or '\n'))
            {
                errors.Add($"{at}:Headers: '{header.Key}' is not a valid header name and value");
            }
            else if (header.Key.Equals("Authorization", StringComparison.OrdinalIgnoreCase))
            {
                errors.Add($"{at}:Headers must not set Authorization; use ApiKey or ApiKeyEnv");
            }
        }
        if (options.Models.Any(string.IsNullOrWhiteSpace))
        {
            errors.Add($"{at}:Models must not contain empty entries");
        }
        Range(errors, at, nameof(options.MaxAttempts), options.MaxAttempts, 1, 10);
        Range(errors, at, nameof(options.RetryBaseDelayMs), options.RetryBaseDelayMs, 0, 60_000);
        Range(errors, at, nameof(options.MaxRetryDelaySeconds), options.MaxRetryDelaySeconds, 0, 3600);
        Range(errors, at, nameof(options.ResponseTimeoutSeconds), options.ResponseTimeoutSeconds, 1, 3600);

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    internal static bool IsValidName(string name) =>
        name.Length is > 0 and <= 32
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
        && !name.Equals(SimulatedModelSpec.Prefix.TrimEnd('/'), StringComparison.OrdinalIgnoreCase);

    private static void Range(List<string> errors, string at, string setting, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            errors.Add($"{at}:{setting} must be between {min} and {max} (got {value})");
        }
    }
}
