using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.SignalR;

namespace Council.Server.Auth;

/// <summary>Authentication, authorization and the web hardening that goes with them.</summary>
public static partial class AuthRegistration
{
    public const string UserPolicy = "council-user";
    public const string AdminPolicy = "council-admin";
    public const string CorsPolicy = "council-cors";

    public static IHostApplicationBuilder AddCouncilAuth(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AuthOptions>()
            .BindConfiguration(AuthOptions.Section)
            .Validate(o => o.Mode != AuthMode.ApiKeys || ApiKeyStore.Entries(o).Count > 0,
                "Council:Auth:Mode is ApiKeys but no key is configured: add Council:Auth:ApiKeys (or ApiKeysFile) entries { Hash, User, Roles }.")
            .Validate(o => ApiKeyStore.Entries(o).All(e => Sha256Hex().IsMatch(e.Hash.Trim()) && !string.IsNullOrWhiteSpace(e.User)),
                "Every Council:Auth:ApiKeys entry needs Hash (the key's SHA-256, 64 hex characters: printf %s \"$KEY\" | sha256sum) and User. Never put the key itself in configuration.")
            .Validate(o => o.Mode != AuthMode.TrustedProxy || (o.TrustedProxies.Count > 0 && o.TrustedProxies.All(p => IPAddress.TryParse(p, out _))),
                "Council:Auth:Mode is TrustedProxy: list the proxy's IP addresses in Council:Auth:TrustedProxies.")
            .ValidateOnStart();
        builder.Services.AddSingleton<ApiKeyStore>();
        builder.Services.AddSingleton<ApiKeyConnections>();
        builder.Services.Configure<HubOptions>(o => o.AddFilter<ApiKeyConnections>());
        builder.Services.AddHostedService<ApiKeyRevalidation>();
        builder.Services.AddAuthentication(CouncilUser.Scheme)
            .AddScheme<AuthenticationSchemeOptions, CouncilAuthenticationHandler>(CouncilUser.Scheme, null);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(UserPolicy, p => p.RequireAuthenticatedUser())
            .AddPolicy(AdminPolicy, p => p.RequireRole(CouncilUser.AdminRole));

        var origins = builder.Configuration.GetSection("Council:Cors:Origins").Get<string[]>() ?? [];
        builder.Services.AddCors(o => o.AddPolicy(CorsPolicy, p =>
        {
            // None by default: same origin only. Listed origins may call the hub and the API, with credentials.
            if (origins.Length > 0)
            {
                p.WithOrigins(origins).AllowAnyHeader().AllowAnyMethod().AllowCredentials();
            }
        }));
        return builder;
    }

    /// <summary>Security headers on every response, CORS, then authentication and authorization.</summary>
    public static WebApplication UseCouncilAuth(this WebApplication app)
    {
        app.UseLoopbackGuard();
        app.Use(async (context, next) =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers.ContentSecurityPolicy =
                "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
                "connect-src 'self' ws: wss:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'";
            await next(context);
        });
        app.UseCors(CorsPolicy);
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }

    [GeneratedRegex("^[0-9a-fA-F]{64}$")]
    private static partial Regex Sha256Hex();
}
