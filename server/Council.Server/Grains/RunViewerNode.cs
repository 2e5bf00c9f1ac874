namespace Council.Server.Grains;

/// <summary>The node asking for a run's log: its silo, and where to relay the run's events if that is not the grain's node.</summary>
[GenerateSerializer, Immutable]
public sealed record RunViewerNode(
    [property: Id(0)] SiloAddress Silo,
    [property: Id(1)] IRunMirror Mirror);
