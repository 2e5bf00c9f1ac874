using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Council.Server.Auth;

/// <summary>
/// In None mode everyone who reaches the port is the local user, so the server listens on loopback only unless
/// <c>Council:Auth:AllowNonLoopback</c> says otherwise. Three checks, whatever sets the addresses (<c>--urls</c>,
/// <c>ASPNETCORE_URLS</c>, <c>ASPNETCORE_HTTP_PORTS</c> / <c>HTTPS_PORTS</c>, <c>Kestrel:Endpoints:*</c>, a launch
/// profile, which sets these variables): the addresses Kestrel will bind, worked out from configuration with its
/// precedence, before it listens; the addresses it did bind, after (the server stops with a non-zero exit code);
/// and every request, refused when it arrived on an address that is not loopback.
/// </summary>
public static partial class LoopbackGuard
{
    /// <summary>False (after saying why) when the server must not start; Program then exits non-zero.</summary>
    public static bool EnsureSafeBinding(this WebApplication app)
    {
        if (!Applies(app))
        {
            return true;
        }
        var (source, addresses) = ConfiguredAddresses(app.Configuration);
        if (Refusal(source, addresses) is { } message)
        {
            LogRefused(app.Logger, message);
            Console.Error.WriteLine(message);
            return false;
        }
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            if (Refusal("the addresses the server bound", bound) is { } afterStart)
            {
                LogRefused(app.Logger, afterStart);
                Console.Error.WriteLine(afterStart);
                Environment.ExitCode = 1;
                app.Lifetime.StopApplication();
            }
        });
        return true;
    }

    /// <summary>In None mode, a request that reached the server on an address that is not loopback gets 403.</summary>
    public static WebApplication UseLoopbackGuard(this WebApplication app)
    {
        if (!Applies(app))
        {
            return app;
        }
        app.Use(async (context, next) =>
        {
            if (context.Connection.LocalIpAddress is { } local && !IPAddress.IsLoopback(local.IsIPv4MappedToIPv6 ? local.MapToIPv4() : local))
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                await context.Response.WriteAsync("Council:Auth:Mode is None: this server serves loopback only.", context.RequestAborted);
                return;
            }
            await next(context);
        });
        return app;
    }

    private static bool Applies(WebApplication app)
    {
        var o = app.Services.GetRequiredService<IOptions<AuthOptions>>().Value;
        return o.Mode == AuthMode.None && !o.AllowNonLoopback;
    }

    /// <summary>
    /// What Kestrel will bind, and which setting says so: endpoints in <c>Kestrel:Endpoints</c> win over
    /// <c>urls</c>, which wins over <c>http_ports</c> / <c>https_ports</c>; with none, <c>http://localhost:5000</c>.
    /// </summary>
    internal static (string Source, IReadOnlyList<string> Addresses) ConfiguredAddresses(IConfiguration configuration)
    {
        var endpoints = configuration.GetSection("Kestrel:Endpoints").GetChildren()
            .Select(e => (Name: e.Key, Url: e["Url"]))
            .Where(e => !string.IsNullOrWhiteSpace(e.Url))
            .ToArray();
        if (endpoints.Length > 0)
        {
            return ($"Kestrel:Endpoints ({string.Join(", ", endpoints.Select(e => $"Kestrel:Endpoints:{e.Name}:Url"))})", endpoints.Select(e => e.Url!).ToArray());
        }
        var urls = Split(configuration["urls"]);
        if (urls.Length > 0)
        {
            return ("the urls setting (--urls, ASPNETCORE_URLS or a launch profile's applicationUrl)", urls);
        }
        var ports = Split(configuration["http_ports"]).Select(p => $"http://*:{p}")
            .Concat(Split(configuration["https_ports"]).Select(p => $"https://*:{p}"))
            .ToArray();
        return ports.Length > 0
            ? ("ASPNETCORE_HTTP_PORTS / ASPNETCORE_HTTPS_PORTS (http_ports, https_ports), which listen on every interface", ports)
            : ("the default", ["http://localhost:5000"]);
    }

    private static string[] Split(string? value) =>
        (value ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static string? Refusal(string source, IEnumerable<string> addresses)
    {
        var open = addresses.Where(u => !IsLoopback(u)).ToArray();
        return open.Length == 0
            ? null
            : $"Council:Auth:Mode is None (a single local user with no sign-in), so Council listens on loopback only, but it was asked to listen on {string.Join(", ", open)} by {source}. " +
              "Use --urls http://127.0.0.1:PORT, or set Council:Auth:Mode to ApiKeys or TrustedProxy, or set Council:Auth:AllowNonLoopback=true if you really mean it.";
    }

    internal static bool IsLoopback(string url)
    {
        if (url.Contains("://unix:", StringComparison.OrdinalIgnoreCase))
        {
            return true; // a Unix domain socket: reachable from this machine only
        }
        var host = BindingHost().Match(url) is { Success: true } m ? m.Groups[1].Value.Trim('[', ']') : url;
        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip));
    }

    [GeneratedRegex(@"^[a-z]+://(\[[^\]]+\]|[^:/]+)", RegexOptions.IgnoreCase)]
    private static partial Regex BindingHost();

    [LoggerMessage(Level = LogLevel.Critical, Message = "{Message}")]
    private static partial void LogRefused(ILogger logger, string message);
}
