using Council.Server.Providers.OpenAiCompatible;
using Council.Server.Providers.Simulated;
using Council.Server.Providers.Simulated.OpenAiApi;

namespace Council.Server.Providers;

/// <summary>Registers every LLM provider and the router that picks one per model id.</summary>
public static class ProvidersRegistration
{
    public static IHostApplicationBuilder AddCouncilProviders(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<SimulatedProvider>();
        builder.Services.AddSingleton<ILlmProvider>(sp => sp.GetRequiredService<SimulatedProvider>());
        builder.Services.AddSingleton<SimulatedChatCompletions>();
        builder.AddOpenAiCompatibleProviders();
        builder.Services.AddSingleton<ModelRouter>();
        return builder;
    }
}
