namespace Council.Server.Workflows;

/// <summary>What a stage does; the engine knows these kinds, workflows combine them.</summary>
[GenerateSerializer]
public enum StageKind
{
    /// <summary>Every model answers the question in parallel.</summary>
    Answers,

    /// <summary>Every model that answered ranks the anonymized answers.</summary>
    Review,

    /// <summary>One model (with fallbacks) writes the final answer from everything before.</summary>
    Synthesis,

    /// <summary>One model plays a role with its own system prompt, seeing the question and the roles before it.</summary>
    Role,
}

public static class StageKindNames
{
    /// <summary>The name used on the wire (<c>stages[].kind</c>) and in configuration.</summary>
    public static string WireName(this StageKind kind) => kind switch
    {
        StageKind.Answers => "answers",
        StageKind.Review => "review",
        StageKind.Synthesis => "synthesis",
        StageKind.Role => "role",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
