using System.Collections.Concurrent;
using System.Security.Claims;
using Council.Contracts.Hub;
using Council.Contracts.Messages;
using Council.Server.Hub;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.SignalR;

namespace Council.Server.Tests.Hub;

/// <summary>A hub context whose every client records what it is sent, for driving send loops without a transport.</summary>
internal sealed class RecordingHubContext : IHubContext<CouncilHub, ICouncilClient>
{
    private readonly RecordingClients _clients = new();

    public IHubClients<ICouncilClient> Clients => _clients;

    public IGroupManager Groups => throw new NotSupportedException();

    /// <summary>What the connection was sent, in order.</summary>
    public RecordingClient Of(string connectionId) => _clients.Of(connectionId);
}

internal sealed class RecordingClients : IHubClients<ICouncilClient>
{
    private readonly ConcurrentDictionary<string, RecordingClient> _clients = new(StringComparer.Ordinal);

    public RecordingClient Of(string connectionId) => _clients.GetOrAdd(connectionId, _ => new RecordingClient());

    public ICouncilClient Client(string connectionId) => Of(connectionId);

    public ICouncilClient All => throw new NotSupportedException();

    public ICouncilClient AllExcept(IReadOnlyList<string> excludedConnectionIds) => throw new NotSupportedException();

    public ICouncilClient Clients(IReadOnlyList<string> connectionIds) => throw new NotSupportedException();

    public ICouncilClient Group(string groupName) => throw new NotSupportedException();

    public ICouncilClient GroupExcept(string groupName, IReadOnlyList<string> excludedConnectionIds) => throw new NotSupportedException();

    public ICouncilClient Groups(IReadOnlyList<string> groupNames) => throw new NotSupportedException();

    public ICouncilClient User(string userId) => throw new NotSupportedException();

    public ICouncilClient Users(IReadOnlyList<string> userIds) => throw new NotSupportedException();
}

/// <summary>One connection's client: what it was sent, in order.</summary>
internal sealed class RecordingClient : ICouncilClient
{
    public ConcurrentQueue<RunEvent> Received { get; } = new();

    private Task Record(RunEvent e)
    {
        Received.Enqueue(e);
        return Task.CompletedTask;
    }

    public Task StageProgress(StageProgressEvent message) => Record(message);

    public Task ModelStart(ModelStartEvent message) => Record(message);

    public Task Token(TokenEvent message) => Record(message);

    public Task ModelComplete(ModelCompleteEvent message) => Record(message);

    public Task SearchResults(SearchResultsEvent message) => Record(message);

    public Task RunComplete(RunCompleteEvent message) => Record(message);
}

/// <summary>A connection as a hub method sees it, with nothing behind it.</summary>
internal sealed class TestCallerContext(string connectionId) : HubCallerContext, IDisposable
{
    private readonly CancellationTokenSource _aborted = new();

    public override string ConnectionId { get; } = connectionId;

    public override string? UserIdentifier => null;

    public override ClaimsPrincipal? User => null;

    public override IDictionary<object, object?> Items { get; } = new Dictionary<object, object?>();

    public override IFeatureCollection Features { get; } = new FeatureCollection();

    public override CancellationToken ConnectionAborted => _aborted.Token;

    public override void Abort() => _aborted.Cancel();

    public void Dispose() => _aborted.Dispose();
}
