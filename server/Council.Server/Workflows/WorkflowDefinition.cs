namespace Council.Server.Workflows;

/// <summary>A workflow is data: an ordered list of stages the engine runs.</summary>
[GenerateSerializer, Immutable]
public sealed record WorkflowDefinition(
    [property: Id(0)] string Name,
    [property: Id(1)] string Description,
    [property: Id(2)] IReadOnlyList<StageDefinition> Stages)
{
    /// <summary>The stages a run goes through when no loop repeats (stages that run only inside a loop left out).</summary>
    public IEnumerable<StageDefinition> FirstPass => Stages.Where(s => !s.OnlyInLoop);

    /// <summary>The stage called <paramref name="name"/>, or -1.</summary>
    public int IndexOf(string name) => Stages.ToList().FindIndex(s => s.Name == name);
}

/// <summary>One stage of a workflow.</summary>
[GenerateSerializer, Immutable]
public sealed record StageDefinition([property: Id(0)] string Name, [property: Id(1)] StageKind Kind)
{
    /// <summary>Role: the model that plays it; when absent, the run's models take the roles in turn.</summary>
    [Id(2)]
    public string? Model { get; init; }

    /// <summary>Role: the system prompt that sets the role.</summary>
    [Id(3)]
    public string? SystemPrompt { get; init; }

    /// <summary>Role: when it ends with no text at all (skipped or failed before its first token), the run stops.</summary>
    [Id(4)]
    public bool Required { get; init; }

    /// <summary>Role: it must end with a <c>VERDICT:</c> (approve, or changes with a list of issues).</summary>
    [Id(5)]
    public bool Verdict { get; init; }

    /// <summary>Verdict role: the stage that fixes the issues before this one runs again.</summary>
    [Id(6)]
    public string? RefineWith { get; init; }

    /// <summary>Verdict role: at most this many rounds of review.</summary>
    [Id(7)]
    public int MaxRounds { get; init; } = 1;

    /// <summary>Runs only when a verdict stage sends work back to it (a refiner).</summary>
    [Id(8)]
    public bool OnlyInLoop { get; init; }
}
