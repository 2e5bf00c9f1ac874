using Council.Contracts.Messages;

namespace Council.Server.Workflows;

/// <summary>How a run plan's <see cref="Quorum"/> (a wire contract record, free of Orleans) crosses between silos.</summary>
[GenerateSerializer]
public struct QuorumSurrogate
{
    [Id(0)] public int? Answers { get; set; }
    [Id(1)] public int? DeadlineMs { get; set; }
}

[RegisterConverter]
public sealed class QuorumSurrogateConverter : IConverter<Quorum, QuorumSurrogate>
{
    public Quorum ConvertFromSurrogate(in QuorumSurrogate surrogate) => new(surrogate.Answers, surrogate.DeadlineMs);

    public QuorumSurrogate ConvertToSurrogate(in Quorum value) => new() { Answers = value.Answers, DeadlineMs = value.DeadlineMs };
}
