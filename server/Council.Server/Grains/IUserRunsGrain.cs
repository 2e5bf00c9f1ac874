namespace Council.Server.Grains;

/// <summary>
/// One user's runs across the cluster (the grain key is the user id): one activation in the whole cluster, so the
/// per-user limits count every node's runs, not each node's apart. See <see cref="RunStartLimits"/>.
/// </summary>
public interface IUserRunsGrain : IGrainWithStringKey
{
    /// <summary>
    /// Counts the run as going (on <paramref name="node"/>, the node of its grain) and against the minute; or, when a
    /// limit is reached, counts nothing and says why.
    /// </summary>
    Task<RunRefusal?> Admit(string runId, SiloAddress node);

    /// <summary>The run ended (or never started): it no longer counts as going.</summary>
    Task Ended(string runId);
}

/// <summary>Why a run may not start now, and when a retry may succeed (unknown when null).</summary>
[GenerateSerializer, Immutable]
public sealed record RunRefusal([property: Id(0)] string Message, [property: Id(1)] TimeSpan? RetryAfter);
