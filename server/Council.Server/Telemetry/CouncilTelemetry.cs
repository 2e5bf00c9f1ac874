using System.Diagnostics;

namespace Council.Server.Telemetry;

/// <summary>The names Council's traces and metrics are published under, and the activity source of its spans.</summary>
public static class CouncilTelemetry
{
    /// <summary>Name of the <see cref="ActivitySource"/> and the <see cref="System.Diagnostics.Metrics.Meter"/>.</summary>
    public const string Name = "Council";

    /// <summary>Spans per run, per stage and per model call.</summary>
    public static readonly ActivitySource Source = new(Name, typeof(CouncilTelemetry).Assembly.GetName().Version?.ToString());

    /// <summary>SignalR's hub invocation spans, the parents of the runs they start.</summary>
    public const string SignalRSource = "Microsoft.AspNetCore.SignalR.Server";

    /// <summary>
    /// A model id fit for a metric attribute: simulated ids carry free parameters (<c>sim/a?ttft=20&amp;seed=7</c>),
    /// which would make one time series per variant, so the query part is dropped. Spans keep the full id.
    /// </summary>
    public static string ModelForMetrics(string model)
    {
        var query = model.IndexOf('?', StringComparison.Ordinal);
        return query < 0 ? model : model[..query];
    }
}
