using System.ComponentModel.DataAnnotations;

namespace Council.Server;

/// <summary>The <c>Council</c> configuration section: defaults for runs and limits on input.</summary>
public sealed class CouncilOptions
{
    public const string Section = "Council";

    /// <summary>Models of a council when <c>start_run</c> names none.</summary>
    [MinLength(1)]
    public List<string> DefaultModels { get; set; } = [];

    /// <summary>The model that writes the final answer when <c>start_run</c> names none.</summary>
    [Required]
    public string Chairman { get; set; } = "";

    /// <summary>Tried in order when the chairman fails.</summary>
    public List<string> FallbackChairmen { get; set; } = [];

    /// <summary>Workflow used when <c>start_run</c> names none.</summary>
    public string DefaultWorkflow { get; set; } = "council";

    /// <summary>Longest prompt accepted, in characters.</summary>
    [Range(1, 1_000_000)]
    public int MaxPromptChars { get; set; } = 32_000;

    /// <summary>Most models one run may name.</summary>
    [Range(1, 64)]
    public int MaxModelsPerRun { get; set; } = 8;

    /// <summary>Runs one user may start per minute.</summary>
    [Range(1, 100_000)]
    public int MaxRunsPerMinute { get; set; } = 30;

    /// <summary>Runs one user may have going at once.</summary>
    [Range(1, 10_000)]
    public int MaxConcurrentRuns { get; set; } = 5;

    /// <summary>Hub invocations one connection may make per second.</summary>
    [Range(1, 100_000)]
    public int MaxInvocationsPerSecond { get; set; } = 20;

    /// <summary>Tokens one run may generate across all its model calls; past it the run ends.</summary>
    [Range(1, 100_000_000)]
    public int MaxTokensPerRun { get; set; } = 200_000;

    /// <summary>Token deltas of one model are merged within this window; 0 sends every delta as its own event.</summary>
    [Range(0, 1000)]
    public int TokenBatchWindowMs { get; set; } = 16;

    /// <summary>A model with no data for this long after its first token fails as stalled.</summary>
    [Range(1, 3600)]
    public int IdleTimeoutSeconds { get; set; } = 30;

    /// <summary>A model with no first token after this long fails.</summary>
    [Range(1, 3600)]
    public int FirstTokenTimeoutSeconds { get; set; } = 120;

    /// <summary>A client whose transport accepts no event for this long is disconnected; it can resume later.</summary>
    [Range(1, 3600)]
    public int SlowClientTimeoutSeconds { get; set; } = 30;

    /// <summary>A finished run's grain stays in memory this long for late viewers, then is released.</summary>
    [Range(0, 86_400)]
    public int FinishedRunIdleSeconds { get; set; } = 120;
}
