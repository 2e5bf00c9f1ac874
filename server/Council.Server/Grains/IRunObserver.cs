using Council.Contracts.Messages;
using Council.Server.Workflows;

namespace Council.Server.Grains;

/// <summary>
/// Sees what a run does, for telemetry and statistics; called inside the grain's activation (keep it cheap,
/// never block, never throw), except <see cref="CallStreaming"/>, which runs on the call's own task just before
/// the provider is asked, so ambient state set there (such as <c>Activity.Current</c>) flows into the request.
/// </summary>
public interface IRunObserver
{
    void RunStarted(RunPlan plan) { }

    void StageStarted(RunPlan plan, int stage, StageDefinition definition, IReadOnlyList<string> models) { }

    void StageEnded(RunPlan plan, int stage, StageStatus status) { }

    void CallStarted(RunPlan plan, int stage, string model, string provider) { }

    void CallStreaming(RunPlan plan, int stage, string model) { }

    void FirstToken(RunPlan plan, int stage, string model, TimeSpan timeToFirstToken) { }

    /// <param name="cancelRequestedAt">For a user's cancel: when the command reached the grain (timestamp), to measure cancel-to-complete.</param>
    void CallEnded(RunPlan plan, ModelCompleteEvent complete, string provider, long? cancelRequestedAt) { }

    /// <summary>
    /// A <c>token</c> event is about to be appended (nothing has sent it yet): its tokens were emitted by the model
    /// between these two timestamps (the provider's own emission time where it knows it, else when the grain got them).
    /// </summary>
    void BeforeTokenAppended(RunPlan plan, TokenEvent token, long firstEmittedAt, long lastEmittedAt, int tokens) { }

    void EventAppended(RunPlan plan, RunEvent runEvent) { }

    void RunEnded(RunPlan plan, RunCompleteEvent end) { }
}
