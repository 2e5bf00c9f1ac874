using System.Net;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Council.Server.Auth;

/// <summary>
/// One handler for the three modes. None: everyone is the local user (an admin). ApiKeys: a key as
/// <c>Authorization: Bearer</c>, or as <c>access_token</c> in the query string of the hub's own requests (browsers
/// cannot set headers on WebSockets). TrustedProxy: the user header, only from the configured proxies.
/// </summary>
public sealed class CouncilAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemes,
    ILoggerFactory loggers,
    System.Text.Encodings.Web.UrlEncoder encoder,
    IOptions<AuthOptions> options,
    ApiKeyStore keys,
    TimeProvider time) : AuthenticationHandler<AuthenticationSchemeOptions>(schemes, loggers, encoder)
{
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var o = options.Value;
        return Task.FromResult(o.Mode switch
        {
            AuthMode.None => Success(CouncilUser.LocalUser, [CouncilUser.AdminRole]),
            AuthMode.ApiKeys => ApiKey(),
            AuthMode.TrustedProxy => Proxy(o),
            _ => AuthenticateResult.Fail("Unknown auth mode."),
        });
    }

    private AuthenticateResult ApiKey()
    {
        var key = BearerToken() ?? (Request.Path.StartsWithSegments("/hubs") ? Request.Query["access_token"].ToString() : null);
        if (string.IsNullOrEmpty(key))
        {
            return AuthenticateResult.NoResult();
        }
        if (keys.Find(key) is not { } entry)
        {
            return AuthenticateResult.Fail("Unknown API key.");
        }
        if (entry.Revoked)
        {
            return AuthenticateResult.Fail("This API key was revoked.");
        }
        if (entry.Expires is { } expires && expires <= time.GetUtcNow())
        {
            return AuthenticateResult.Fail("This API key has expired.");
        }
        var ticket = Success(entry.User, entry.Roles);
        ((System.Security.Claims.ClaimsIdentity)ticket.Principal!.Identity!).AddClaim(
            new System.Security.Claims.Claim(CouncilUser.KeyHashClaim, ApiKeyStore.Hash(key)));
        return ticket;
    }

    /// <summary>A 401 that says why, so clients can tell the user (RFC 6750): no key, or which problem the key has.</summary>
    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = result.Failure is { } failure
            ? $"Bearer error=\"invalid_token\", error_description=\"{failure.Message}\""
            : "Bearer";
    }

    private AuthenticateResult Proxy(AuthOptions o)
    {
        var from = Context.Connection.RemoteIpAddress;
        if (from is null || !o.TrustedProxies.Any(p => IPAddress.TryParse(p, out var proxy) && proxy.MapToIPv6().Equals(from.MapToIPv6())))
        {
            return AuthenticateResult.Fail("Requests must come through the authenticating proxy.");
        }
        var user = Request.Headers[o.UserHeader].ToString();
        if (string.IsNullOrWhiteSpace(user))
        {
            return AuthenticateResult.NoResult();
        }
        var roles = o.RolesHeader is null ? [] : Request.Headers[o.RolesHeader].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return Success(user.Trim(), roles);
    }

    private string? BearerToken()
    {
        var header = Request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }

    private AuthenticateResult Success(string user, IEnumerable<string> roles) =>
        AuthenticateResult.Success(new AuthenticationTicket(CouncilUser.Principal(user, roles), Scheme.Name));
}
