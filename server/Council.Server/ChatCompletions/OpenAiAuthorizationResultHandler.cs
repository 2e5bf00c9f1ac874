using Council.Server.Auth;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.Extensions.Options;

namespace Council.Server.ChatCompletions;

/// <summary>
/// The same authentication and authorization as the hub and <c>/api</c>, but a refusal under <c>/v1</c> is answered
/// the way OpenAI clients expect: 401 (or 403) with an OpenAI error body saying why (no key, unknown, revoked,
/// expired), besides the challenge's <c>WWW-Authenticate</c>. Everything else goes to the default handler.
/// </summary>
internal sealed class OpenAiAuthorizationResultHandler(IOptions<AuthOptions> auth) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Succeeded || context.GetEndpoint()?.Metadata.GetMetadata<OpenAiApiMarker>() is null)
        {
            await _default.HandleAsync(next, context, policy, authorizeResult);
            return;
        }
        if (authorizeResult.Forbidden)
        {
            await context.ForbidAsync();
            await new OpenAiErrorException(StatusCodes.Status403Forbidden, "This key may not use this endpoint.", "invalid_request_error", "forbidden")
                .WriteAsync(context.Response);
            return;
        }
        var authentication = await context.AuthenticateAsync();
        await context.ChallengeAsync();
        var why = authentication.Failure?.Message ?? (auth.Value.Mode == AuthMode.TrustedProxy
            ? $"Authentication required: come through the authenticating proxy, which names the user in {auth.Value.UserHeader}."
            : "Authentication required: send your Council API key as 'Authorization: Bearer <key>'.");
        await new OpenAiErrorException(StatusCodes.Status401Unauthorized, why, "invalid_request_error", "invalid_api_key").WriteAsync(context.Response);
    }
}

/// <summary>Endpoint metadata: this endpoint answers errors as OpenAI error bodies.</summary>
internal sealed class OpenAiApiMarker
{
    public static readonly OpenAiApiMarker Instance = new();
}
