using Council.Contracts.Api;
using Council.Server.Auth;
using Microsoft.Extensions.Options;

namespace Council.Server.Conversations;

/// <summary>REST endpoints over stored conversations and runs.</summary>
public static class ConversationEndpoints
{
    public static IEndpointRouteBuilder MapCouncilConversations(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api").RequireAuthorization(AuthRegistration.UserPolicy).RequireCors(AuthRegistration.CorsPolicy);
        api.AddEndpointFilter(async (context, next) =>
        {
            try
            {
                return await next(context);
            }
            catch (Storage.StorageUnavailableException ex)
            {
                return Results.Problem(ex.Message, statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        });

        api.MapGet("/conversations", (HttpContext http, ConversationStore store, CancellationToken ct) => store.ListAsync(Owner(http), ct));

        api.MapGet("/conversations/{id}", async (string id, HttpContext http, ConversationStore store, CancellationToken ct) =>
            await store.GetAsync(id, Owner(http), ct) is { } conversation ? Results.Ok(conversation) : NotFound("conversation", id));

        api.MapPatch("/conversations/{id}", async (string id, RenameConversationRequest? body, HttpContext http, ConversationStore store, CancellationToken ct) =>
        {
            var title = body?.Title?.Trim();
            if (string.IsNullOrEmpty(title) || title.Length > 200)
            {
                return Results.Problem("Send { \"title\": \"…\" } with 1 to 200 characters.", statusCode: StatusCodes.Status400BadRequest);
            }
            return await store.RenameAsync(id, Owner(http), title, ct) ? Results.NoContent() : NotFound("conversation", id);
        });

        api.MapDelete("/conversations/{id}", async (string id, HttpContext http, ConversationStore store, CancellationToken ct) =>
            await store.DeleteAsync(id, Owner(http), ct) switch
            {
                DeleteResult.Deleted => Results.NoContent(),
                DeleteResult.RunInProgress => Results.Problem("A run of this conversation is still going: cancel it or let it finish, then delete.", statusCode: StatusCodes.Status409Conflict),
                _ => NotFound("conversation", id),
            });

        api.MapGet("/limits", (IOptions<CouncilOptions> options) =>
            new ServerLimits(options.Value.MaxPromptChars, options.Value.MaxModelsPerRun));

        api.MapGet("/runs/{id}", async (string id, HttpContext http, ConversationStore store, CancellationToken ct) =>
            await store.GetRunAsync(id, Owner(http), ct) is { } run ? Results.Ok(run) : NotFound("run", id));

        return endpoints;
    }

    private static string Owner(HttpContext http) => CouncilUser.Id(http.User);

    private static IResult NotFound(string what, string id) =>
        Results.Problem($"Unknown {what} '{id}'.", statusCode: StatusCodes.Status404NotFound);
}
