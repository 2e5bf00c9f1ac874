using Council.Contracts.Messages;
using Microsoft.AspNetCore.SignalR;

namespace Council.Contracts.Hub;

/// <summary>The typed events the hub sends to a client watching a run.</summary>
public interface ICouncilClient
{
    [HubMethodName(HubMethodNames.StageProgress)]
    Task StageProgress(StageProgressEvent message);

    [HubMethodName(HubMethodNames.ModelStart)]
    Task ModelStart(ModelStartEvent message);

    [HubMethodName(HubMethodNames.Token)]
    Task Token(TokenEvent message);

    [HubMethodName(HubMethodNames.ModelComplete)]
    Task ModelComplete(ModelCompleteEvent message);

    [HubMethodName(HubMethodNames.SearchResults)]
    Task SearchResults(SearchResultsEvent message);

    [HubMethodName(HubMethodNames.RunComplete)]
    Task RunComplete(RunCompleteEvent message);
}
