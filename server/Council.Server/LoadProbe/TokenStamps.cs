using System.Runtime.CompilerServices;
using Council.Contracts.Messages;
using Council.Server.Grains;
using Council.Server.Workflows;

namespace Council.Server.LoadProbe;

/// <summary>
/// When the tokens of each <c>token</c> event were emitted by their model, keyed by the event object itself (weakly,
/// so the stamps go when the run's log does). Filled by the grain just before it appends the event, so every send
/// finds its stamp; read by <see cref="StampingHubProtocol"/> as it writes the message.
/// </summary>
public sealed class TokenStamps : IRunObserver
{
    private readonly ConditionalWeakTable<TokenEvent, TokenStamp> _stamps = [];

    public void BeforeTokenAppended(RunPlan plan, TokenEvent token, long firstEmittedAt, long lastEmittedAt, int tokens) =>
        _stamps.AddOrUpdate(token, new TokenStamp(firstEmittedAt, lastEmittedAt, tokens));

    public bool TryGet(TokenEvent token, out TokenStamp stamp) => _stamps.TryGetValue(token, out stamp!);
}

/// <summary>Emission times (<see cref="TimeProvider"/> timestamps) of the first and last token merged into one event.</summary>
public sealed record TokenStamp(long FirstEmittedAt, long LastEmittedAt, int Tokens);
