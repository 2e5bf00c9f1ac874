using Microsoft.Extensions.Options;

namespace Council.Server.Auth;

/// <summary>
/// Checks the key of every open keyed hub connection every <see cref="AuthOptions.RevalidateSeconds"/>: a key that
/// was revoked, removed or has expired since the connection signed in gets the connection closed (the client's
/// reconnect is then refused at negotiation, with the reason).
/// </summary>
public sealed partial class ApiKeyRevalidation(
    ApiKeyConnections connections,
    ApiKeyStore keys,
    IOptions<AuthOptions> options,
    TimeProvider time,
    ILogger<ApiKeyRevalidation> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.Mode != AuthMode.ApiKeys)
        {
            return;
        }
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.RevalidateSeconds), time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            CloseInvalid();
        }
    }

    /// <summary>Closes the connections whose key no longer holds; returns how many.</summary>
    internal int CloseInvalid()
    {
        var now = time.GetUtcNow();
        var closed = 0;
        foreach (var (context, hash) in connections.Open)
        {
            var why = keys.FindByHash(hash) switch
            {
                null => "removed",
                { Revoked: true } => "revoked",
                { Expires: { } expires } when expires <= now => "expired",
                _ => null,
            };
            if (why is not null)
            {
                LogClosed(logger, context.ConnectionId, why);
                context.Abort();
                closed++;
            }
        }
        return closed;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Closed connection {ConnectionId}: its API key was {Why}")]
    private static partial void LogClosed(ILogger logger, string connectionId, string why);
}
