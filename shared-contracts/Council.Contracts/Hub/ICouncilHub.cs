using Council.Contracts.Messages;
using Microsoft.AspNetCore.SignalR;

namespace Council.Contracts.Hub;

/// <summary>What a client may ask of the hub at <see cref="HubMethodNames.HubPath"/>.</summary>
public interface ICouncilHub
{
    /// <summary>Starts a run and returns as soon as its grain accepted it; events follow.</summary>
    [HubMethodName(HubMethodNames.StartRun)]
    Task<StartRunResult> StartRun(StartRunRequest request);

    /// <summary>Skips one model of a run; the rest of the stage goes on.</summary>
    [HubMethodName(HubMethodNames.CancelModel)]
    Task<AcceptedResult> CancelModel(CancelModelRequest request);

    /// <summary>Ends everything a run has in flight.</summary>
    [HubMethodName(HubMethodNames.CancelRun)]
    Task<AcceptedResult> CancelRun(CancelRunRequest request);

    /// <summary>Replays every event after <c>afterSeq</c>, then sends live ones.</summary>
    [HubMethodName(HubMethodNames.ResumeRun)]
    Task<ResumeRunResult> ResumeRun(ResumeRunRequest request);

    /// <summary>The models this server can run.</summary>
    [HubMethodName(HubMethodNames.ListModels)]
    Task<IReadOnlyList<ModelInfo>> ListModels();

    /// <summary>The workflows a run may name, built-in and configured.</summary>
    [HubMethodName(HubMethodNames.ListWorkflows)]
    Task<IReadOnlyList<WorkflowInfo>> ListWorkflows();
}
