using Council.Contracts.Messages;
using Council.Server.Grains;
using Council.Server.Workflows;

namespace Council.Server.Telemetry;

/// <summary>
/// The one observer the grain sees for telemetry. It hands each notification to the measurements, the tracer
/// and the logger by direct calls: on the per-token path one interface call is cheaper than three (a call site
/// shared by several observer types dispatches slowly). A component's fault is logged and the others still run.
/// </summary>
public sealed partial class TelemetryObserver(
    RunMeasurements measurements,
    RunTracer tracer,
    RunLogger runLogger,
    ILogger<TelemetryObserver> logger) : IRunObserver
{
    public void RunStarted(RunPlan plan)
    {
        try { measurements.RunStarted(plan); } catch (Exception ex) { Fault(ex, measurements, plan); }
        try { tracer.RunStarted(plan); } catch (Exception ex) { Fault(ex, tracer, plan); }
        try { runLogger.RunStarted(plan); } catch (Exception ex) { Fault(ex, runLogger, plan); }
    }

    public void StageStarted(RunPlan plan, int stage, StageDefinition definition, IReadOnlyList<string> models)
    {
        try { measurements.StageStarted(plan, stage, definition, models); } catch (Exception ex) { Fault(ex, measurements, plan); }
        try { tracer.StageStarted(plan, stage, definition, models); } catch (Exception ex) { Fault(ex, tracer, plan); }
    }

    public void StageEnded(RunPlan plan, int stage, StageStatus status)
    {
        try { tracer.StageEnded(plan, stage, status); } catch (Exception ex) { Fault(ex, tracer, plan); }
    }

    public void CallStarted(RunPlan plan, int stage, string model, string provider)
    {
        try { measurements.CallStarted(plan, stage, model, provider); } catch (Exception ex) { Fault(ex, measurements, plan); }
        try { tracer.CallStarted(plan, stage, model, provider); } catch (Exception ex) { Fault(ex, tracer, plan); }
    }

    public void CallStreaming(RunPlan plan, int stage, string model)
    {
        try { tracer.CallStreaming(plan, stage, model); } catch (Exception ex) { Fault(ex, tracer, plan); }
    }

    public void FirstToken(RunPlan plan, int stage, string model, TimeSpan timeToFirstToken)
    {
        try { measurements.FirstToken(plan, stage, model, timeToFirstToken); } catch (Exception ex) { Fault(ex, measurements, plan); }
        try { tracer.FirstToken(plan, stage, model, timeToFirstToken); } catch (Exception ex) { Fault(ex, tracer, plan); }
    }

    public void CallEnded(RunPlan plan, ModelCompleteEvent complete, string provider, long? cancelRequestedAt)
    {
        try { measurements.CallEnded(plan, complete, provider, cancelRequestedAt); } catch (Exception ex) { Fault(ex, measurements, plan); }
        try { tracer.CallEnded(plan, complete, provider, cancelRequestedAt); } catch (Exception ex) { Fault(ex, tracer, plan); }
        try { runLogger.CallEnded(plan, complete, provider, cancelRequestedAt); } catch (Exception ex) { Fault(ex, runLogger, plan); }
    }

    public void EventAppended(RunPlan plan, RunEvent runEvent)
    {
        try { measurements.EventAppended(plan, runEvent); } catch (Exception ex) { Fault(ex, measurements, plan); }
        try { tracer.EventAppended(plan, runEvent); } catch (Exception ex) { Fault(ex, tracer, plan); }
    }

    public void RunEnded(RunPlan plan, RunCompleteEvent end)
    {
        try { measurements.RunEnded(plan, end); } catch (Exception ex) { Fault(ex, measurements, plan); }
        try { tracer.RunEnded(plan, end); } catch (Exception ex) { Fault(ex, tracer, plan); }
        try { runLogger.RunEnded(plan, end); } catch (Exception ex) { Fault(ex, runLogger, plan); }
    }

    private void Fault(Exception exception, IRunObserver component, RunPlan plan) =>
        LogFault(logger, exception, component.GetType().Name, plan.RunId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Telemetry component {Component} failed on run {RunId}")]
    private static partial void LogFault(ILogger logger, Exception exception, string component, string runId);
}
