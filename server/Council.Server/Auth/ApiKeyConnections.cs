using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;

namespace Council.Server.Auth;

/// <summary>The open hub connections that signed in with an API key, with that key's hash (a hub filter keeps it).</summary>
public sealed class ApiKeyConnections : IHubFilter
{
    private readonly ConcurrentDictionary<string, (HubCallerContext Context, string KeyHash)> _open = new(StringComparer.Ordinal);

    /// <summary>Every open keyed connection now.</summary>
    public IEnumerable<(HubCallerContext Context, string KeyHash)> Open => _open.Values;

    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        if (context.Context.User?.FindFirst(CouncilUser.KeyHashClaim)?.Value is { } hash)
        {
            _open[context.Context.ConnectionId] = (context.Context, hash);
        }
        await next(context);
    }

    public async Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        _open.TryRemove(context.Context.ConnectionId, out _);
        await next(context, exception);
    }
}
