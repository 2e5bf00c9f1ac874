using Council.Contracts.Hub;
using Council.Contracts.Messages;
using Microsoft.AspNetCore.SignalR;

namespace Council.Floor;

/// <summary>The hub methods the load driver calls: <c>start_run</c> (and <c>cancel_model</c>, which cancels nothing).</summary>
public sealed class FloorHub(IHubContext<FloorHub> hub, FloorCounters counters) : Hub
{
    [HubMethodName(HubMethodNames.StartRun)]
    public StartRunResult StartRun(StartRunRequest request)
    {
        var run = new FloorRun(Guid.NewGuid().ToString("N"), hub.Clients.Client(Context.ConnectionId), request, counters);
        run.Start(Context.ConnectionAborted);
        return run.Result;
    }

    /// <summary>Models are not cancellable here: the driver counts the answer as "too late".</summary>
    [HubMethodName(HubMethodNames.CancelModel)]
    public AcceptedResult CancelModel(CancelModelRequest request) => new(false);

    public override Task OnConnectedAsync()
    {
        counters.Connected();
        return Task.CompletedTask;
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        counters.Disconnected();
        return Task.CompletedTask;
    }
}
