namespace Council.Server.Operations;

/// <summary>What <c>GET /api/stats</c> returns: the server as it is now, computed in-process.</summary>
/// <param name="Node">This node's <c>Council:Cluster:NodeName</c>: the figures are this node's alone.</param>
/// <param name="UptimeSeconds">Since the statistics started (the server's start).</param>
/// <param name="Connections">SignalR connections open now.</param>
/// <param name="Subscribers">Connection-to-run subscriptions, each with its own send loop.</param>
/// <param name="TokensPerSecond">Output tokens streamed per second over the last 10 s, estimated at 4 characters a token.</param>
/// <param name="EventsPerSecond">Run events appended per second over the last 10 s.</param>
/// <param name="LastMinute">Latency percentiles over the last minute.</param>
/// <param name="Runs">Runs since the server started, by how they ended.</param>
/// <param name="ModelCalls">Model calls since the server started, by how they ended.</param>
/// <param name="ErrorsByProvider">Failed model calls since the server started, by provider name.</param>
public sealed record StatsSnapshot(
    string Node,
    DateTimeOffset At,
    double UptimeSeconds,
    long ActiveRuns,
    long ActiveModelCalls,
    long Connections,
    long Subscribers,
    double TokensPerSecond,
    double EventsPerSecond,
    LatencyWindow LastMinute,
    StatusCounts Runs,
    StatusCounts ModelCalls,
    IReadOnlyDictionary<string, long> ErrorsByProvider);

/// <summary>Percentiles of each latency Council tracks, in milliseconds.</summary>
/// <param name="TimeToFirstTokenMs">Model call start to its first token.</param>
/// <param name="ModelCallDurationMs">Model call start to its <c>model_complete</c>.</param>
/// <param name="CancelToCompleteMs">A user's <c>cancel_model</c> reaching the run to the model's <c>model_complete</c>.</param>
/// <param name="SendLagMs">An event appended to the run's log to a subscriber's transport accepting it (all events but tokens, of which one in 8).</param>
public sealed record LatencyWindow(
    LatencySummary TimeToFirstTokenMs,
    LatencySummary ModelCallDurationMs,
    LatencySummary CancelToCompleteMs,
    LatencySummary SendLagMs);

/// <summary>How many values, and their median and 99th percentile (null when there were none).</summary>
public sealed record LatencySummary(long Count, double? P50, double? P99);

/// <summary>Started, and ended by status; started minus the three ended is what is going now.</summary>
public sealed record StatusCounts(long Started, long Ok, long Cancelled, long Failed);
