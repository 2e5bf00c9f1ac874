using Council.Contracts.Messages;
using Council.Server.Conversations;
using Council.Server.Grains;
using Council.Server.Tests.Telemetry;
using Council.Server.Workflows;

namespace Council.Server.Tests.Conversations;

/// <summary>Deleting a conversation and starting a run in it: one of the two wins, never both.</summary>
[CancelAfter(30_000)]
public sealed class ConversationDeleteTests
{
    private static readonly string[] QuickModel = ["sim/a?ttft=1&tps=2000&tokens=5"];

    private static async Task<string> FinishedConversationAsync(CouncilApp app, CancellationToken cancellationToken)
    {
        await using var hub = await app.ConnectAsync(cancellationToken);
        var result = await hub.InvokeAsync("start_run", new { prompt = "First question", models = QuickModel, chairman = QuickModel[0] }, cancellationToken);
        var runId = result.GetProperty("runId").GetString()!;
        await hub.WaitForAsync("run_complete", p => p.GetProperty("runId").GetString() == runId, cancellationToken);
        return result.GetProperty("conversationId").GetString()!;
    }

    [Test]
    public async Task DeleteBetweenPlanningAndStartOfAFollowUp_TheRunIsRefused(CancellationToken cancellationToken)
    {
        await using var app = new CouncilApp().Start();
        var conversationId = await FinishedConversationAsync(app, cancellationToken);
        var conversations = app.Get<ConversationStore>();

        // The hub's start_run, step by step, with the delete in the gap where it used to slip through.
        var plan = await app.Get<RunPlanner>().PlanAsync(
            new StartRunRequest("Follow-up", Models: QuickModel, Chairman: QuickModel[0], ConversationId: conversationId),
            Auth.CouncilUser.LocalUser, cancellationToken);
        (await conversations.DeleteAsync(conversationId, Auth.CouncilUser.LocalUser, cancellationToken)).ShouldBe(DeleteResult.Deleted);
        var refused = await Should.ThrowAsync<InvalidRunRequestException>(() => Grain(app, plan).Start(plan));

        refused.Message.ShouldContain("Unknown conversation");
        (await conversations.GetAsync(conversationId, Auth.CouncilUser.LocalUser, cancellationToken)).ShouldBeNull("the deleted conversation stays deleted");
        app.Get<LocalRunLogs>().Find(plan.RunId, plan.Owner).ShouldBeNull();
    }

    [Test]
    public async Task DeleteRightAfterAFollowUpStarted_IsRefusedAndTheRunIsStored(CancellationToken cancellationToken)
    {
        await using var app = new CouncilApp().Start();
        var conversationId = await FinishedConversationAsync(app, cancellationToken);
        var conversations = app.Get<ConversationStore>();

        var plan = await app.Get<RunPlanner>().PlanAsync(
            new StartRunRequest("Follow-up", Models: ["sim/slow?ttft=2000&tps=1&tokens=5"], Chairman: QuickModel[0], ConversationId: conversationId),
            Auth.CouncilUser.LocalUser, cancellationToken);
        var started = await Grain(app, plan).Start(plan);

        (await conversations.DeleteAsync(conversationId, Auth.CouncilUser.LocalUser, cancellationToken)).ShouldBe(DeleteResult.RunInProgress);
        await Grain(app, plan).CancelRun(plan.Owner);
        await Finished(app, started, cancellationToken);
        (await conversations.DeleteAsync(conversationId, Auth.CouncilUser.LocalUser, cancellationToken)).ShouldBe(DeleteResult.Deleted);
        (await conversations.GetRunAsync(plan.RunId, Auth.CouncilUser.LocalUser, cancellationToken)).ShouldBeNull();
    }

    [Test]
    public async Task DeleteOfAnotherUsersConversation_IsNotFound_AndTheirFollowUpsGoOn(CancellationToken cancellationToken)
    {
        await using var app = new CouncilApp().Start();
        var conversationId = await FinishedConversationAsync(app, cancellationToken);
        var conversations = app.Get<ConversationStore>();

        (await conversations.DeleteAsync(conversationId, "someone-else", cancellationToken)).ShouldBe(DeleteResult.NotFound);

        var plan = await app.Get<RunPlanner>().PlanAsync(
            new StartRunRequest("Follow-up", Models: QuickModel, Chairman: QuickModel[0], ConversationId: conversationId),
            Auth.CouncilUser.LocalUser, cancellationToken);
        await Finished(app, await Grain(app, plan).Start(plan), cancellationToken);
    }

    private static IRunGrain Grain(CouncilApp app, RunPlan plan) => app.Get<IGrainFactory>().GetGrain<IRunGrain>(plan.RunId);

    private static async Task Finished(CouncilApp app, RunAttachment started, CancellationToken cancellationToken)
    {
        var log = app.Get<LocalRunLogs>().Collect(started.Handoff).ShouldNotBeNull();
        while (!log.IsCompleted)
        {
            await Task.Delay(5, cancellationToken);
        }
    }
}
