using Council.Server.Grains;
using Council.Server.Workflows;

namespace Council.Server.Tests.Grains;

/// <summary>A run started on a test silo: its grain, reached through Orleans, and its log on this node.</summary>
internal sealed class TestRun(IRunGrain grain, RunPlan plan, RunEventLog log)
{
    public string RunId => plan.RunId;

    public RunPlan Plan => plan;

    public RunEventLog Log => log;

    public IRunGrain Grain => grain;

    public async Task<bool> CancelModelAsync(string model, int? stage) =>
        await grain.CancelModel(plan.Owner, model, stage) == RunReply.Accepted;

    public async Task<bool> CancelRunAsync() => await grain.CancelRun(plan.Owner) == RunReply.Accepted;

    /// <summary>Completes once the log holds the run's last event.</summary>
    public async Task Completion()
    {
        while (!log.IsCompleted)
        {
            await Task.Delay(5);
        }
    }
}
