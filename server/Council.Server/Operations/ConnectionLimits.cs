using System.Globalization;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace Council.Server.Operations;

/// <summary>
/// Sets Kestrel's <c>MaxConcurrentConnections</c> and <c>MaxConcurrentUpgradedConnections</c> from the open-file limit
/// (see <see cref="ConnectionLimitOptions"/>). An upgraded connection leaves the first count for the second, so the two
/// together bound the sockets: WebSockets get nine tenths of the budget, plain HTTP the rest, so that <c>/healthz</c>
/// and the API still answer while WebSockets are at their limit. Limits set in <c>Kestrel:Limits</c> are kept.
/// An upgrade past the WebSocket limit is answered 503 with <c>Retry-After</c> (Kestrel alone would answer an empty
/// 200 that clients cannot make sense of).
/// </summary>
public static partial class ConnectionLimits
{
    /// <summary>Refuses WebSocket upgrades past Kestrel's limit with 503 and Retry-After.</summary>
    public static WebApplication UseCouncilConnectionLimits(this WebApplication app)
    {
        var limits = app.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.Limits;
        if (limits.MaxConcurrentUpgradedConnections is not { } max)
        {
            return app;
        }
        var upgrading = new System.Runtime.CompilerServices.StrongBox<long>();
        app.Use(async (context, next) =>
        {
            if (context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpUpgradeFeature>() is not { IsUpgradableRequest: true })
            {
                await next(context);
                return;
            }
            // Counted before Kestrel counts the upgrade, so this check is always the first to see the limit.
            if (Interlocked.Increment(ref upgrading.Value) > max)
            {
                Interlocked.Decrement(ref upgrading.Value);
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                context.Response.Headers.RetryAfter = "5";
                await context.Response.WriteAsync("The server holds as many WebSocket connections as it can (Council:Connections); retry later.", context.RequestAborted);
                return;
            }
            try
            {
                await next(context);
            }
            finally
            {
                Interlocked.Decrement(ref upgrading.Value);
            }
        });
        return app;
    }

    public static IHostApplicationBuilder AddCouncilConnectionLimits(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ConnectionLimitOptions>().BindConfiguration(ConnectionLimitOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var kestrelLimits = builder.Configuration.GetSection("Kestrel:Limits");
        builder.Services.AddOptions<KestrelServerOptions>().Configure<IOptions<ConnectionLimitOptions>, ILoggerFactory>((kestrel, options, loggers) =>
        {
            var (connections, upgraded, openFiles) = Derive(options.Value, OpenFileLimit());
            if (kestrelLimits["MaxConcurrentConnections"] is null && connections is { } c)
            {
                kestrel.Limits.MaxConcurrentConnections = c;
            }
            if (kestrelLimits["MaxConcurrentUpgradedConnections"] is null && upgraded is { } u)
            {
                kestrel.Limits.MaxConcurrentUpgradedConnections = u;
            }
            var logger = loggers.CreateLogger(typeof(ConnectionLimits));
            LogLimits(logger, kestrel.Limits.MaxConcurrentUpgradedConnections, kestrel.Limits.MaxConcurrentConnections, openFiles);
        });
        return builder;
    }

    /// <summary>The limits for an open-file limit (null: unknown, then only what is configured).</summary>
    internal static (long? Connections, long? Upgraded, long? OpenFiles) Derive(ConnectionLimitOptions o, long? openFiles)
    {
        long? connections = o.MaxConnections, upgraded = o.MaxUpgradedConnections;
        if (openFiles is { } limit && (connections is null || upgraded is null))
        {
            var budget = Math.Max(2, limit - Math.Min(limit / 2, o.ReservedFiles + limit / 10));
            connections ??= Math.Max(1, upgraded is { } fixedUpgraded ? budget - fixedUpgraded : Math.Max(budget / 10, Math.Min(32, budget / 2)));
            upgraded ??= Math.Max(1, budget - connections.Value);
        }
        return (connections, upgraded, openFiles);
    }

    /// <summary>The soft RLIMIT_NOFILE of this process, from <c>/proc/self/limits</c>; null when unknown or unlimited.</summary>
    internal static long? OpenFileLimit()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/limits"))
            {
                if (line.StartsWith("Max open files", StringComparison.Ordinal))
                {
                    var soft = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
                    return long.TryParse(soft, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Connection limits: {Upgraded} WebSockets, {Connections} other connections (open-file limit {OpenFiles}; Council:Connections)")]
    private static partial void LogLimits(ILogger logger, long? upgraded, long? connections, long? openFiles);
}
