using Council.Contracts.Messages;
using Council.Server.Workflows;

namespace Council.Server.Grains;

/// <summary>
/// Every <see cref="IRunObserver"/> of the server as one: each is told in turn, and an observer's fault is logged,
/// never the run's problem.
/// </summary>
public sealed partial class RunObservers(IEnumerable<IRunObserver> observers, ILogger<RunObservers> logger)
{
    private readonly IRunObserver[] _observers = observers.ToArray();

    public void RunStarted(RunPlan plan) => Each(plan, static (o, p, _) => o.RunStarted(p), 0);

    public void StageStarted(RunPlan plan, int stage, StageDefinition definition, IReadOnlyList<string> models) =>
        Each(plan, (o, p, _) => o.StageStarted(p, stage, definition, models), 0);

    public void StageEnded(RunPlan plan, int stage, StageStatus status) => Each(plan, (o, p, _) => o.StageEnded(p, stage, status), 0);

    public void CallStarted(RunPlan plan, int stage, string model, string provider) =>
        Each(plan, (o, p, _) => o.CallStarted(p, stage, model, provider), 0);

    public void CallStreaming(RunPlan plan, int stage, string model) => Each(plan, (o, p, _) => o.CallStreaming(p, stage, model), 0);

    public void FirstToken(RunPlan plan, int stage, string model, TimeSpan timeToFirstToken) =>
        Each(plan, (o, p, _) => o.FirstToken(p, stage, model, timeToFirstToken), 0);

    public void CallEnded(RunPlan plan, ModelCompleteEvent complete, string provider, long? cancelRequestedAt) =>
        Each(plan, (o, p, _) => o.CallEnded(p, complete, provider, cancelRequestedAt), 0);

    public void RunEnded(RunPlan plan, RunCompleteEvent end) => Each(plan, static (o, p, e) => o.RunEnded(p, e), end);

    // The two per-token notifications loop without a closure: they run for every token event.
    public void BeforeTokenAppended(RunPlan plan, TokenEvent token, long firstEmittedAt, long lastEmittedAt, int tokens)
    {
        foreach (var observer in _observers)
        {
            try
            {
                observer.BeforeTokenAppended(plan, token, firstEmittedAt, lastEmittedAt, tokens);
            }
            catch (Exception ex)
            {
                LogObserverFault(logger, ex, observer.GetType().Name, plan.RunId);
            }
        }
    }

    public void EventAppended(RunPlan plan, RunEvent runEvent)
    {
        foreach (var observer in _observers)
        {
            try
            {
                observer.EventAppended(plan, runEvent);
            }
            catch (Exception ex)
            {
                LogObserverFault(logger, ex, observer.GetType().Name, plan.RunId);
            }
        }
    }

    private void Each<T>(RunPlan plan, Action<IRunObserver, RunPlan, T> notify, T state)
    {
        foreach (var observer in _observers)
        {
            try
            {
                notify(observer, plan, state);
            }
            catch (Exception ex)
            {
                LogObserverFault(logger, ex, observer.GetType().Name, plan.RunId);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Observer {Observer} failed on run {RunId}")]
    private static partial void LogObserverFault(ILogger logger, Exception exception, string observer, string runId);
}
