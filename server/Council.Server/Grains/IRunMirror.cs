namespace Council.Server.Grains;

/// <summary>
/// A copy of a run's event log on a node that does not hold the run's grain, kept for the viewers connected there:
/// the grain calls it with each batch of new events, one call at a time, so no viewer's node calls the grain per token.
/// </summary>
public interface IRunMirror : IGrainObserver
{
    /// <summary>The events after the last one sent, in seq order.</summary>
    Task Appended(RelayedEvents events);
}
