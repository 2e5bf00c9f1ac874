using Council.Server.Auth;
using Microsoft.AspNetCore.Authorization;

namespace Council.Server.ChatCompletions;

/// <summary>Registers and maps <c>/v1</c>: councils (and the simulated models) over the OpenAI chat-completions API.</summary>
public static class ChatCompletionsRegistration
{
    public const string Prefix = "/v1";

    public static IHostApplicationBuilder AddCouncilChatCompletions(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<CouncilRunBridge>();
        builder.Services.AddSingleton<CouncilCompletions>();
        builder.Services.AddSingleton<ChatCompletionsEndpoint>();
        builder.Services.AddSingleton<IAuthorizationMiddlewareResultHandler, OpenAiAuthorizationResultHandler>();
        return builder;
    }

    /// <summary>The same authentication as the hub and <c>/api</c>; errors as OpenAI error bodies.</summary>
    public static IEndpointRouteBuilder MapCouncilChatCompletions(this IEndpointRouteBuilder endpoints)
    {
        var v1 = endpoints.MapGroup(Prefix)
            .RequireAuthorization(AuthRegistration.UserPolicy)
            .RequireCors(AuthRegistration.CorsPolicy)
            .WithMetadata(OpenAiApiMarker.Instance);
        v1.MapGet("/models", (HttpContext context, ChatCompletionsEndpoint endpoint) => endpoint.ListModelsAsync(context));
        v1.MapPost("/chat/completions", (HttpContext context, ChatCompletionsEndpoint endpoint) => endpoint.CompleteAsync(context));
        v1.Map("/{**rest}", ChatCompletionsEndpoint.NotFoundAsync);
        return endpoints;
    }
}
