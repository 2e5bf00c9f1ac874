using Council.Contracts.Hub;
using Council.Contracts.Messages;
using Council.Server.Auth;
using Council.Server.Grains;
using Council.Server.Providers;
using Council.Server.Workflows;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace Council.Server.Hub;

/// <summary>
/// The hub at <c>/hubs/council</c>: validates each command and forwards it to the run's grain.
/// It never waits for a run, so a client's own <c>cancel_model</c> is never queued behind it.
/// </summary>
[Authorize(Policy = AuthRegistration.UserPolicy)]
public sealed class CouncilHub(
    RunPlanner planner,
    IGrainFactory grains,
    RunStarter starter,
    RunMirrors mirrors,
    RunSubscriptions subscriptions,
    ModelRouter router,
    WorkflowCatalog workflows) : Hub<ICouncilClient>, ICouncilHub
{
    [HubMethodName(HubMethodNames.StartRun)]
    public async Task<StartRunResult> StartRun(StartRunRequest request)
    {
        var plan = await planner.PlanAsync(request, User, Context.ConnectionAborted);
        var log = await starter.StartAsync(plan);
        subscriptions.Subscribe(Context, log, afterSeq: 0);
        var stages = plan.Workflow.FirstPass
            .Select((s, i) => new StageInfo(i, s.Name, s.Kind.WireName(), plan.PlannedModels(s)))
            .ToArray();
        return new StartRunResult(plan.RunId, plan.ConversationId, plan.Workflow.Name, stages);
    }

    [HubMethodName(HubMethodNames.CancelModel)]
    public async Task<AcceptedResult> CancelModel(CancelModelRequest request)
    {
        Require(request, "cancel_model needs { runId, model, stage? }.");
        if (string.IsNullOrWhiteSpace(request.Model))
        {
            throw new InvalidRunRequestException("cancel_model needs the model id to skip.");
        }
        return Accepted(await Run(request.RunId).CancelModel(User, request.Model, request.Stage), request.RunId);
    }

    [HubMethodName(HubMethodNames.CancelRun)]
    public async Task<AcceptedResult> CancelRun(CancelRunRequest request)
    {
        Require(request, "cancel_run needs { runId }.");
        return Accepted(await Run(request.RunId).CancelRun(User), request.RunId);
    }

    [HubMethodName(HubMethodNames.ResumeRun)]
    public async Task<ResumeRunResult> ResumeRun(ResumeRunRequest request)
    {
        Require(request, "resume_run needs { runId, afterSeq }.");
        if (request.AfterSeq < 0)
        {
            throw new InvalidRunRequestException("afterSeq must be 0 or the last seq you received.");
        }
        Run(request.RunId); // an empty id is refused like an unknown one
        // The run's log on this node: its grain's own, or this node's mirror of it when the grain is on another node.
        var attached = await mirrors.AttachAsync(request.RunId!, User) ?? throw UnknownRun(request.RunId);
        subscriptions.Subscribe(Context, attached.Log, request.AfterSeq);
        return new ResumeRunResult(attached.Log.RunId, attached.LastSeq, attached.Status);
    }

    [HubMethodName(HubMethodNames.ListModels)]
    public Task<IReadOnlyList<ModelInfo>> ListModels() => Task.FromResult(router.ListModels());

    [HubMethodName(HubMethodNames.ListWorkflows)]
    public Task<IReadOnlyList<WorkflowInfo>> ListWorkflows() => Task.FromResult<IReadOnlyList<WorkflowInfo>>(
        workflows.All.OrderBy(w => w.Name, StringComparer.Ordinal)
            .Select(w => new WorkflowInfo(w.Name, w.Description, w.Stages.Select(s => new WorkflowStageInfo(s.Name, s.Kind.WireName(), s.OnlyInLoop)).ToArray()))
            .ToArray());

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        subscriptions.Drop(Context.ConnectionId);
        return base.OnDisconnectedAsync(exception);
    }

    /// <summary>The caller's user id: runs and conversations belong to it.</summary>
    private string User => CouncilUser.Id(Context.User);

    private IRunGrain Run(string? runId) =>
        string.IsNullOrWhiteSpace(runId) ? throw UnknownRun(runId) : grains.GetGrain<IRunGrain>(runId);

    private static AcceptedResult Accepted(RunReply reply, string runId) =>
        reply == RunReply.Unknown ? throw UnknownRun(runId) : new AcceptedResult(reply == RunReply.Accepted);

    private static InvalidRunRequestException UnknownRun(string? runId) =>
        new($"Unknown run '{runId}'. Use the runId that start_run returned.");

    private static void Require(object? argument, string usage)
    {
        if (argument is null)
        {
            throw new InvalidRunRequestException(usage);
        }
    }
}
