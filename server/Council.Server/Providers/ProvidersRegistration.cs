using Council.Server.Providers.Simulated;

namespace Council.Server.Providers;

/// <summary>Registers every LLM provider and the router that picks one per model id.</summary>
public static class ProvidersRegistration
{
    public static IHostApplicationBuilder AddCouncilProviders(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ILlmProvider, SimulatedProvider>();
        builder.Services.AddSingleton<ModelRouter>();
        return builder;
    }

    /// <summary>Maps provider-facing HTTP endpoints (the simulated models' OpenAI-compatible API).</summary>
    public static IEndpointRouteBuilder MapCouncilProviders(this IEndpointRouteBuilder endpoints) => endpoints;
}
