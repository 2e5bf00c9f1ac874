using Council.Contracts.Hub;
using Council.Contracts.Messages;

namespace Council.Server.Hub;

/// <summary>Sends any run event as the typed hub message its type names.</summary>
public static class CouncilClientExtensions
{
    public static Task SendAsync(this ICouncilClient client, RunEvent runEvent) => runEvent switch
    {
        TokenEvent e => client.Token(e),
        StageProgressEvent e => client.StageProgress(e),
        ModelStartEvent e => client.ModelStart(e),
        ModelCompleteEvent e => client.ModelComplete(e),
        SearchResultsEvent e => client.SearchResults(e),
        RunCompleteEvent e => client.RunComplete(e),
        _ => throw new ArgumentOutOfRangeException(nameof(runEvent), runEvent.GetType().Name, "Not a hub message."),
    };
}
