namespace Council.Server.Telemetry;

/// <summary>The <c>Council:Telemetry</c> section. Export itself is configured with the standard <c>OTEL_*</c> variables.</summary>
public sealed class TelemetryOptions
{
    public const string Section = "Council:Telemetry";

    /// <summary>Log each run's prompt text (at Information). Off by default: prompts can hold anything a user typed.</summary>
    public bool LogPrompts { get; set; }
}
