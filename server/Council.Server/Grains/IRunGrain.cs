using Council.Contracts.Messages;
using Council.Server.Workflows;

namespace Council.Server.Grains;

/// <summary>
/// One run (the grain key is its run id): it owns the run's state and event log. Every command names the user
/// asking, and a run of another user answers as an unknown one would.
/// </summary>
public interface IRunGrain : IGrainWithStringKey
{
    /// <summary>Starts the planned run; returns once it is going (never waits for it), with its log handed to this node.</summary>
    Task<RunAttachment> Start(RunPlan plan);

    /// <summary>Skips one model of a stage (the current one when <paramref name="stage"/> is null).</summary>
    Task<RunReply> CancelModel(string user, string model, int? stage);

    /// <summary>Ends everything in flight.</summary>
    Task<RunReply> CancelRun(string user);

    /// <summary>
    /// Hands the run's event log to this node (a live run's, or a stored one's for replay) and tells its status;
    /// <see cref="RunAttachment.Known"/> is false for an unknown run.
    /// </summary>
    Task<RunAttachment> Attach(string user);

    /// <summary>
    /// <see cref="Attach"/> for a node that may not be the grain's: on the grain's node the log is handed over as
    /// there; on another, the attachment carries every event so far and later ones go to <paramref name="viewer"/>'s
    /// mirror in batches until the run ends.
    /// </summary>
    Task<RunAttachment> AttachFrom(string user, RunViewerNode viewer);

    /// <summary>The events after <paramref name="afterSeq"/> (a mirror repairing a gap); null for an unknown run.</summary>
    [Orleans.Concurrency.AlwaysInterleave]
    Task<RelayedEvents?> EventsAfter(string user, long afterSeq);
}

/// <summary>How a run took a command.</summary>
public enum RunReply
{
    /// <summary>No such run for this user.</summary>
    Unknown,

    /// <summary>Nothing to do: that model or the run had already finished.</summary>
    NotAccepted,

    Accepted,
}

/// <summary>
/// What <see cref="IRunGrain.Attach"/> tells: whether the run exists, its status and its newest seq, and the
/// ticket under which its log waits in this node's <see cref="LocalRunLogs"/> (so a grain that deactivates right
/// after, a finished run with no idle time, cannot take the log away from the caller). For a node that is not the
/// grain's, <see cref="Events"/> holds the log so far instead of a ticket, and <see cref="Node"/> says where the grain is.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record RunAttachment(
    [property: Id(0)] bool Known,
    [property: Id(1)] RunStatus Status,
    [property: Id(2)] long LastSeq,
    [property: Id(3)] long Handoff = 0,
    [property: Id(4)] RelayedEvents? Events = null,
    [property: Id(5)] SiloAddress? Node = null)
{
    public static readonly RunAttachment None = new(false, default, 0);
}
