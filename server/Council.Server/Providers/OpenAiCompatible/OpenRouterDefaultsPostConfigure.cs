using Council.Server.Providers.Simulated;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Council.Server.Providers.OpenAiCompatible;

/// <summary>
/// With an OpenRouter key set, a new user gets a council of real models; without one, the simulated council.
/// Applies only while <c>Council:DefaultModels</c>, <c>Chairman</c> and <c>FallbackChairmen</c> are all simulated
/// (the shipped defaults): a council the operator pointed at real models is never touched.
/// </summary>
internal sealed class OpenRouterDefaultsPostConfigure(
    IOptionsMonitor<OpenAiProviderOptions> providers,
    IOptions<OpenRouterDefaultsOptions> defaults,
    IConfiguration configuration,
    ILogger<OpenRouterDefaultsPostConfigure> logger) : IPostConfigureOptions<CouncilOptions>
{
    public void PostConfigure(string? name, CouncilOptions options)
    {
        if (name != Options.DefaultName)
        {
            return;
        }
        var d = defaults.Value;
        if (!d.Enabled || !IsSimulatedOnly(options))
        {
            return;
        }
        OpenAiProviderOptions provider;
        try
        {
            provider = providers.Get(d.Provider);
        }
        catch (OptionsValidationException)
        {
            return; // Not a configured provider (or a broken one, which its own validation reports at start).
        }
        if (provider.ResolveApiKey(configuration) is null)
        {
            return;
        }

        options.DefaultModels = d.Models.Count > 0 ? [.. d.Models] : [.. OpenRouterDefaultsOptions.BuiltInModels];
        options.Chairman = string.IsNullOrWhiteSpace(d.Chairman) ? OpenRouterDefaultsOptions.BuiltInChairman : d.Chairman;
        options.FallbackChairmen = d.FallbackChairmen.Count > 0 ? [.. d.FallbackChairmen] : [.. OpenRouterDefaultsOptions.BuiltInFallbackChairmen];
        if (logger.IsEnabled(LogLevel.Information))
        {
            logger.OpenRouterDefaultsApplied(string.Join(", ", options.DefaultModels), options.Chairman);
        }
    }

    private static bool IsSimulatedOnly(CouncilOptions options) =>
        options.DefaultModels.Append(options.Chairman).Concat(options.FallbackChairmen)
            .Where(m => !string.IsNullOrEmpty(m))
            .All(m => m.StartsWith(SimulatedModelSpec.Prefix, StringComparison.Ordinal));
}
