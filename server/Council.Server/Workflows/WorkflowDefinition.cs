namespace Council.Server.Workflows;

/// <summary>A workflow is data: an ordered list of stages the engine runs.</summary>
public sealed record WorkflowDefinition(string Name, string Description, IReadOnlyList<StageDefinition> Stages)
{
    /// <summary>The stages a run goes through when no loop repeats (stages that run only inside a loop left out).</summary>
    public IEnumerable<StageDefinition> FirstPass => Stages.Where(s => !s.OnlyInLoop);

    /// <summary>The stage called <paramref name="name"/>, or -1.</summary>
    public int IndexOf(string name) => Stages.ToList().FindIndex(s => s.Name == name);
}

/// <summary>One stage of a workflow.</summary>
public sealed record StageDefinition(string Name, StageKind Kind)
{
    /// <summary>Role: the model that plays it; when absent, the run's models take the roles in turn.</summary>
    public string? Model { get; init; }

    /// <summary>Role: the system prompt that sets the role.</summary>
    public string? SystemPrompt { get; init; }

    /// <summary>Role: when it ends with no text at all (skipped or failed before its first token), the run stops.</summary>
    public bool Required { get; init; }

    /// <summary>Role: it must end with a <c>VERDICT:</c> (approve, or changes with a list of issues).</summary>
    public bool Verdict { get; init; }

    /// <summary>Verdict role: the stage that fixes the issues before this one runs again.</summary>
    public string? RefineWith { get; init; }

    /// <summary>Verdict role: at most this many rounds of review.</summary>
    public int MaxRounds { get; init; } = 1;

    /// <summary>Runs only when a verdict stage sends work back to it (a refiner).</summary>
    public bool OnlyInLoop { get; init; }
}
