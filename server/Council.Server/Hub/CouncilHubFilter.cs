using Council.Server.Workflows;
using Microsoft.AspNetCore.SignalR;

namespace Council.Server.Hub;

/// <summary>Turns input errors (and storage being unavailable) into <see cref="HubException"/>s, whose message the client sees as is.</summary>
public sealed partial class CouncilHubFilter(ILogger<CouncilHubFilter> logger) : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        try
        {
            return await next(invocationContext);
        }
        catch (InvalidRunRequestException ex)
        {
            LogRejected(logger, invocationContext.HubMethodName, ex.Message);
            throw new HubException(ex.Message);
        }
        catch (Storage.StorageUnavailableException ex)
        {
            // A follow-up reads its conversation's history first: storage that is down says so, not "internal error".
            LogRejected(logger, invocationContext.HubMethodName, ex.Message);
            throw new HubException($"{ex.Message}. Try again once the server is ready (/readyz).");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Rejected {Method}: {Reason}")]
    private static partial void LogRejected(ILogger logger, string method, string reason);
}
