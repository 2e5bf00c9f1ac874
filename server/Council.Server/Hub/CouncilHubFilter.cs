using Council.Server.Workflows;
using Microsoft.AspNetCore.SignalR;

namespace Council.Server.Hub;

/// <summary>
/// Turns input errors (and storage being unavailable) into <see cref="HubException"/>s, whose message the client sees as is, and logs every hub call
/// that fails once: a refusal (bad input, a limit) as one line without a stack, anything else as an error with it.
/// SignalR's own "Failed to invoke hub method" entry, an error with a stack even for a refusal, is filtered out in
/// <see cref="HubRegistration"/>.
/// </summary>
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
        catch (Grains.RunRefusedException ex)
        {
            // A per-user limit on starting runs.
            LogLimited(logger, invocationContext.HubMethodName, ex.Message);
            throw new HubException(ex.Message);
        }
        catch (HubException ex)
        {
            LogLimited(logger, invocationContext.HubMethodName, ex.Message);
            throw;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFailed(logger, invocationContext.HubMethodName, ex);
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Rejected {Method}: {Reason}")]
    private static partial void LogRejected(ILogger logger, string method, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused {Method}: {Reason}")]
    private static partial void LogLimited(ILogger logger, string method, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Hub method {Method} failed")]
    private static partial void LogFailed(ILogger logger, string method, Exception exception);
}
