using Council.Server.Workflows;

namespace Council.Server.Grains;

/// <summary>A stage as it runs: its calls, and for a review the anonymous labels.</summary>
internal sealed class StageRun(int index, StageDefinition definition, long startedAt)
{
    public int Index { get; } = index;
    public StageDefinition Definition { get; } = definition;
    public long StartedAt { get; } = startedAt;
    public List<ModelCall> Calls { get; } = [];

    /// <summary>Review stage: label ("A", "B", …) to the model whose answer it hides.</summary>
    public Dictionary<string, string> Labels { get; } = [];

    /// <summary>Synthesis stage: chairmen not tried yet.</summary>
    public Queue<string> FallbackChairmen { get; } = new();

    public bool IsFinished => Calls.All(c => !c.IsRunning);
}
