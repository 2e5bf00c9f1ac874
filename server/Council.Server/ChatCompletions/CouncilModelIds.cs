using Council.Server.Workflows;

namespace Council.Server.ChatCompletions;

/// <summary>The model ids that name a council: <c>council</c> (the default workflow) and <c>council/&lt;workflow&gt;</c>.</summary>
public static class CouncilModelIds
{
    public const string Council = "council";
    private const string Prefix = Council + "/";

    /// <summary>True when <paramref name="model"/> names a council; <paramref name="workflow"/> is then its workflow (null: the default).</summary>
    public static bool TryParse(string model, out string? workflow)
    {
        if (model == Council)
        {
            workflow = null;
            return true;
        }
        if (model.StartsWith(Prefix, StringComparison.Ordinal))
        {
            workflow = model[Prefix.Length..];
            return true;
        }
        workflow = null;
        return false;
    }

    /// <summary>Every council id of the catalog: <c>council</c>, then <c>council/&lt;workflow&gt;</c> by name.</summary>
    public static IEnumerable<string> All(WorkflowCatalog workflows) =>
        workflows.All.Select(w => Prefix + w.Name).Order(StringComparer.Ordinal).Prepend(Council);
}
