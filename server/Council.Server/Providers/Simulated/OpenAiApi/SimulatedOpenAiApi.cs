namespace Council.Server.Providers.Simulated.OpenAiApi;

/// <summary>
/// The simulated models served over the OpenAI chat-completions API, so the real HTTP path, other tools and peer
/// systems can be pointed at them: <c>GET /v1/models</c> and <c>POST /v1/chat/completions</c> (SSE or JSON).
/// </summary>
public static class SimulatedOpenAiApi
{
    public const string Prefix = "/v1";

    public static IEndpointRouteBuilder MapSimulatedOpenAiApi(this IEndpointRouteBuilder endpoints)
    {
        var v1 = endpoints.MapGroup(Prefix);
        v1.MapGet("/models", (HttpContext context) =>
            context.RequestServices.GetRequiredService<SimulatedChatCompletions>().ListModelsAsync(context));
        v1.MapPost("/chat/completions", (HttpContext context) =>
            context.RequestServices.GetRequiredService<SimulatedChatCompletions>().CompleteAsync(context));
        return endpoints;
    }
}
