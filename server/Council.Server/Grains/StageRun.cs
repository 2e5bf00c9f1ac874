using Council.Server.Workflows;

namespace Council.Server.Grains;

/// <summary>A stage as it runs: its calls, and for a review the anonymous labels.</summary>
/// <param name="index">The stage index on the wire: its place in the order stages ran.</param>
/// <param name="position">Its definition's place in the workflow.</param>
/// <param name="round">Which round of a review loop this is (1 outside loops).</param>
/// <param name="returnTo">For a refiner: the position of the verdict stage to run again after it.</param>
internal sealed class StageRun(int index, int position, StageDefinition definition, int round, int? returnTo, long startedAt)
{
    public int Index { get; } = index;
    public int Position { get; } = position;
    public StageDefinition Definition { get; } = definition;
    public int Round { get; } = round;
    public int? ReturnTo { get; } = returnTo;

    /// <summary>The name clients see: the definition's, with the round inside a loop.</summary>
    public string Name => Round > 1 || ReturnTo is not null ? $"{Definition.Name} (round {Round})" : Definition.Name;
    public long StartedAt { get; } = startedAt;
    public List<ModelCall> Calls { get; } = [];

    /// <summary>Review stage: label ("A", "B", …) to the model whose answer it hides.</summary>
    public Dictionary<string, string> Labels { get; } = [];

    /// <summary>Answers stage: the next stage started before every answer was in; later answers are not reviewed.</summary>
    public bool QuorumReached { get; set; }

    /// <summary>Synthesis stage: chairmen not tried yet.</summary>
    public Queue<string> FallbackChairmen { get; } = new();

    public bool IsFinished => Calls.All(c => !c.IsRunning);
}
