using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Council.Server.Providers.OpenAiCompatible;

/// <summary>Registers one <see cref="OpenAiCompatibleProvider"/> per <c>Council:Providers:&lt;name&gt;</c>, plus built-in OpenRouter.</summary>
public static class OpenAiCompatibleRegistration
{
    /// <summary>Always known: inactive until its key (<c>OPENROUTER_API_KEY</c>) is set.</summary>
    public const string OpenRouter = "openrouter";

    public static IHostApplicationBuilder AddOpenAiCompatibleProviders(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        // Providers are instances, not types, so their names have to be known now: from configuration as it
        // stands when the host is built (files, environment, command line, user secrets).
        var configured = builder.Configuration.GetSection(OpenAiProviderOptions.Section).GetChildren().Select(c => c.Key).ToList();
        var openRouter = configured.FirstOrDefault(n => n.Equals(OpenRouter, StringComparison.OrdinalIgnoreCase)) ?? OpenRouter;
        var names = configured.Append(openRouter).Distinct(StringComparer.OrdinalIgnoreCase).ToList();

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OpenAiProviderOptions>, OpenAiProviderOptionsValidator>());
        services.AddOptions<OpenAiProviderOptions>(openRouter).Configure(o =>
        {
            // Defaults first; the operator's Council:Providers:openrouter section is bound over them.
            o.BaseUrl = "https://openrouter.ai/api/v1";
            o.ApiKeyEnv = "OPENROUTER_API_KEY";
            o.Headers["X-Title"] = "Council";
        });

        foreach (var name in names)
        {
            services.AddOptions<OpenAiProviderOptions>(name)
                .BindConfiguration($"{OpenAiProviderOptions.Section}:{name}")
                .ValidateOnStart();
            services.AddHttpClient(OpenAiCompatibleProvider.HttpClientName(name))
                .ConfigureHttpClient(client => client.Timeout = Timeout.InfiniteTimeSpan) // the per-try timeout is the resilience handler's; streams run long
                .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
                {
                    ConnectTimeout = TimeSpan.FromSeconds(15),
                    PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                    // A cancelled model's response is abandoned mid-body: close its connection at once. By default
                    // the handler would read on (up to 1 MB, for up to 2 s) to reuse the connection, and the provider
                    // would go on generating for a call nobody reads.
                    MaxResponseDrainSize = 0,
                })
                .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
                .RedactLoggedHeaders(_ => true)
                .AddResilienceHandler("retry", (pipeline, context) =>
                {
                    context.EnableReloads<OpenAiProviderOptions>(name);
                    OpenAiResilience.Configure(pipeline, name,
                        context.ServiceProvider.GetRequiredService<IOptionsMonitor<OpenAiProviderOptions>>().Get(name),
                        context.ServiceProvider.GetRequiredService<TimeProvider>(),
                        context.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger<OpenAiCompatibleProvider>());
                });
            services.AddSingleton<ILlmProvider>(sp => ActivatorUtilities.CreateInstance<OpenAiCompatibleProvider>(sp, name));
        }

        services.AddOptions<OpenRouterDefaultsOptions>()
            .BindConfiguration(OpenRouterDefaultsOptions.Section)
            .Configure(o => o.Provider = names.FirstOrDefault(n => n.Equals(o.Provider, StringComparison.OrdinalIgnoreCase)) ?? o.Provider);
        services.AddSingleton<IPostConfigureOptions<CouncilOptions>, OpenRouterDefaultsPostConfigure>();
        return builder;
    }
}
