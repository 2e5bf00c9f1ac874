using Council.Contracts.Messages;
using Council.Server.Cluster;
using Council.Server.Conversations;
using Council.Server.Providers;
using Microsoft.Extensions.Options;

namespace Council.Server.Workflows;

/// <summary>Checks a <c>start_run</c> request and fills in the defaults; every rejection says what to fix.</summary>
public sealed class RunPlanner(
    IOptions<CouncilOptions> options,
    WorkflowCatalog workflows,
    ModelRouter router,
    ConversationStore conversations,
    NodeAvailability? node = null)
{
    public async Task<RunPlan> PlanAsync(StartRunRequest? request, string owner, CancellationToken cancellationToken)
    {
        var o = options.Value;
        if (node?.UnavailableReason is { } unavailable)
        {
            throw new InvalidRunRequestException($"This node takes no new runs now: {unavailable}. Start it again in a moment (another node takes it).");
        }
        if (request is null)
        {
            throw new InvalidRunRequestException("start_run needs an argument: { prompt, workflow?, models?, chairman?, conversationId? }.");
        }
        if (string.IsNullOrWhiteSpace(request.Prompt))
        {
            throw new InvalidRunRequestException("The prompt is empty: ask a question.");
        }
        if (request.Prompt.Length > o.MaxPromptChars)
        {
            throw new InvalidRunRequestException($"The prompt is {request.Prompt.Length} characters long; the limit is {o.MaxPromptChars}. Shorten it.");
        }

        var workflowName = string.IsNullOrWhiteSpace(request.Workflow) ? o.DefaultWorkflow : request.Workflow;
        var workflow = workflows.Find(workflowName)
            ?? throw new InvalidRunRequestException($"Unknown workflow '{workflowName}'. Known workflows: {string.Join(", ", workflows.All.Select(w => w.Name))}.");

        var models = request.Models is { Count: > 0 } ? request.Models : o.DefaultModels;
        if (models.Count > o.MaxModelsPerRun)
        {
            throw new InvalidRunRequestException($"{models.Count} models were named; a run may have at most {o.MaxModelsPerRun}.");
        }
        if (models.Any(string.IsNullOrWhiteSpace))
        {
            throw new InvalidRunRequestException("A model id in 'models' is empty.");
        }
        var duplicate = models.GroupBy(m => m, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidRunRequestException($"Model '{duplicate.Key}' is named twice; name each model once.");
        }

        var chairman = string.IsNullOrWhiteSpace(request.Chairman) ? o.Chairman : request.Chairman;
        string[] chairmen = [chairman, .. o.FallbackChairmen.Where(f => f != chairman)];
        foreach (var model in models.Append(chairman))
        {
            if (router.Find(model) is null)
            {
                throw new InvalidRunRequestException($"Unknown model '{model}'. Call list_models for the models this server has; simulated ids look like sim/<name>?ttft=MS&tps=N&tokens=N&fail=none|before|midstream|stall&seed=N.");
            }
        }
        // The server's own settings are checked too: a fallback or a role's model that no provider serves would
        // otherwise end the run later with an error the user cannot act on.
        if (workflow.Stages.Any(s => s.Kind == StageKind.Synthesis)
            && chairmen.Skip(1).FirstOrDefault(f => router.Find(f) is null) is { } unservedFallback)
        {
            throw new InvalidRunRequestException($"The fallback chairman '{unservedFallback}' (Council:FallbackChairmen) is served by no provider on this server: fix the server's configuration, or name a chairman that is.");
        }

        var history = await conversations.HistoryAsync(request.ConversationId, owner, cancellationToken)
            ?? throw new InvalidRunRequestException($"Unknown conversation '{request.ConversationId}'. Leave conversationId out to start a new one.");
        var conversationId = request.ConversationId ?? NewId();

        if (request.Quorum is { } quorum)
        {
            if (quorum.Answers is null && quorum.DeadlineMs is null)
            {
                throw new InvalidRunRequestException("quorum needs 'answers' (how many answers start the reviews), 'deadlineMs', or both.");
            }
            if (quorum.Answers is { } k && (k < 1 || k > models.Count))
            {
                throw new InvalidRunRequestException($"quorum.answers must be between 1 and the number of models ({models.Count}).");
            }
            if (quorum.DeadlineMs is { } ms && (ms < 1 || ms > 600_000))
            {
                throw new InvalidRunRequestException("quorum.deadlineMs must be between 1 and 600000.");
            }
        }

        var plan = new RunPlan(NewId(), conversationId, request.Prompt, workflow, models.ToArray(), chairmen, history, request.Search == true, request.Quorum, owner)
        {
            TraceParent = System.Diagnostics.Activity.Current?.Id,
        };
        foreach (var role in workflow.Stages.Where(s => s.Kind == StageKind.Role))
        {
            if (plan.RoleModel(role) is var model && router.Find(model) is null)
            {
                throw new InvalidRunRequestException($"The {role.Name} of workflow '{workflow.Name}' is played by '{model}' (its Model in Council:Workflows), which no provider on this server serves: fix the workflow's configuration, or pick another workflow.");
            }
        }
        return plan;
    }

    private static string NewId() => Guid.CreateVersion7().ToString("N");
}
