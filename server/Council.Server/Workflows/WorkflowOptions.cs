using Microsoft.Extensions.Options;

namespace Council.Server.Workflows;

/// <summary>
/// <c>Council:Workflows:&lt;name&gt;</c>: workflows added (or built-ins replaced) by configuration alone, e.g.
/// <c>{ "Description": "…", "Stages": [ { "Name": "draft", "Kind": "role", "SystemPrompt": "…" } ] }</c>.
/// </summary>
public sealed class WorkflowOptions
{
    public const string Section = "Council";

    public Dictionary<string, ConfiguredWorkflow> Workflows { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

public sealed class ConfiguredWorkflow
{
    public string Description { get; set; } = "";

    public List<ConfiguredStage> Stages { get; set; } = [];

    public WorkflowDefinition ToDefinition(string name) => new(name, Description, Stages.Select(s => s.ToDefinition()).ToArray());
}

public sealed class ConfiguredStage
{
    public string Name { get; set; } = "";
    public string Kind { get; set; } = "";
    public string? Model { get; set; }
    public string? SystemPrompt { get; set; }
    public bool Required { get; set; }
    public bool Verdict { get; set; }
    public string? RefineWith { get; set; }
    public int MaxRounds { get; set; } = 1;
    public bool OnlyInLoop { get; set; }

    public StageDefinition ToDefinition() => new(Name, ParseKind(Kind))
    {
        Model = Model,
        SystemPrompt = SystemPrompt,
        Required = Required,
        Verdict = Verdict,
        RefineWith = RefineWith,
        MaxRounds = MaxRounds,
        OnlyInLoop = OnlyInLoop,
    };

    public static StageKind ParseKind(string kind) =>
        Enum.GetValues<StageKind>().FirstOrDefault(k => k.WireName().Equals(kind.Trim(), StringComparison.OrdinalIgnoreCase), (StageKind)(-1));
}

/// <summary>Checks configured workflows at start, with messages that name the setting to fix.</summary>
public sealed class WorkflowOptionsValidator : IValidateOptions<WorkflowOptions>
{
    public ValidateOptionsResult Validate(string? name, WorkflowOptions options)
    {
        var errors = new List<string>();
        foreach (var (workflow, configured) in options.Workflows)
        {
            var at = $"Council:Workflows:{workflow}";
            if (configured.Stages.Count == 0)
            {
                errors.Add($"{at}:Stages is empty: give at least one stage.");
            }
            var names = configured.Stages.Select(s => s.Name).ToArray();
            for (var i = 0; i < configured.Stages.Count; i++)
            {
                var stage = configured.Stages[i];
                var stageAt = $"{at}:Stages:{i}";
                if (string.IsNullOrWhiteSpace(stage.Name))
                {
                    errors.Add($"{stageAt}:Name is empty.");
                }
                if ((int)ConfiguredStage.ParseKind(stage.Kind) < 0)
                {
                    errors.Add($"{stageAt}:Kind '{stage.Kind}' is not one of answers, review, synthesis, role.");
                }
                if (stage.RefineWith is { } refiner && !configured.Stages.Any(s => s.Name == refiner && s.OnlyInLoop))
                {
                    errors.Add($"{stageAt}:RefineWith names '{refiner}', which is not a stage of this workflow with OnlyInLoop: true.");
                }
                if (stage.MaxRounds < 1)
                {
                    errors.Add($"{stageAt}:MaxRounds must be at least 1.");
                }
            }
            if (names.Distinct().Count() != names.Length)
            {
                errors.Add($"{at}: stage names must be unique.");
            }
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
