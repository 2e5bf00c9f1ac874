using System.Text.Json.Serialization;

namespace Council.Floor;

/// <summary>A <c>token</c> event exactly as Council sends it, plus the model's emission time for the stamp header.</summary>
public sealed record FloorToken(string RunId, long Seq, int Stage, string Model, string Delta)
{
    /// <summary>When the simulated model emitted the token (a Stopwatch timestamp); not sent.</summary>
    [JsonIgnore]
    public long EmittedAt { get; init; }
}
