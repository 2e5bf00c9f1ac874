namespace Council.Server.Grains;

/// <summary>A run was not started: its user's limits refuse it now (<see cref="RunStartLimits"/>).</summary>
public sealed class RunRefusedException(RunRefusal refusal) : Exception(refusal.Message)
{
    public RunRefusal Refusal { get; } = refusal;
}
