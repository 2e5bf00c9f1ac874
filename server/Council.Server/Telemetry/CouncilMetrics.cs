using System.Diagnostics.Metrics;

namespace Council.Server.Telemetry;

/// <summary>
/// Council's instruments on <c>Meter("Council")</c>. Durations are in seconds, as the semantic conventions ask;
/// the GenAI ones (<c>gen_ai.client.*</c>) follow them, the rest are <c>council.*</c>. With no listener (no
/// provider built) recording is a check of <see cref="Instrument.Enabled"/>.
/// </summary>
public sealed class CouncilMetrics
{
    /// <summary>Bucket bounds for model latencies: 5 ms to 2 minutes.</summary>
    private static readonly double[] CallBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120];

    /// <summary>Bucket bounds for in-server latencies: 50 µs to 10 s.</summary>
    private static readonly double[] ServerBuckets = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

    private static readonly int[] TokenBuckets = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576];

    public CouncilMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(CouncilTelemetry.Name);

        OperationDuration = meter.CreateHistogram("gen_ai.client.operation.duration", "s",
            "Duration of a model call, from start to its model_complete (cancelled and failed calls included)",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = CallBuckets });
        TimeToFirstToken = meter.CreateHistogram("council.model_call.time_to_first_token", "s",
            "Time from a model call's start to its first token",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = CallBuckets });
        CancelLatency = meter.CreateHistogram("council.model_call.cancel_latency", "s",
            "From a user's cancel reaching the run to the model's model_complete",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = ServerBuckets });
        SendLag = meter.CreateHistogram("council.send.lag", "s",
            "From an event appended to a run's log to one subscriber's transport accepting it (every event but tokens, of which one in 8)",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = ServerBuckets });
        TokenUsage = meter.CreateHistogram("gen_ai.client.token.usage", "{token}",
            "Tokens per model call, by gen_ai.token.type (input or output)",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = TokenBuckets });

        Tokens = meter.CreateCounter<long>("council.tokens", "{token}", "Tokens used, by gen_ai.token.type (input or output)");
        Cost = meter.CreateCounter<double>("council.cost", "{USD}", "Cost reported by providers, in US dollars");
        Runs = meter.CreateCounter<long>("council.runs", "{run}", "Runs ended, by council.run.status");
        ModelCalls = meter.CreateCounter<long>("council.model_calls", "{call}", "Model calls ended, by council.call.status");

        ActiveRuns = meter.CreateUpDownCounter<long>("council.runs.active", "{run}", "Runs going");
        ActiveModelCalls = meter.CreateUpDownCounter<long>("council.model_calls.active", "{call}", "Model calls going");
        Subscribers = meter.CreateUpDownCounter<long>("council.subscribers", "{subscriber}", "Subscriptions of a connection to a run, each with its send loop");
    }

    public Histogram<double> OperationDuration { get; }
    public Histogram<double> TimeToFirstToken { get; }
    public Histogram<double> CancelLatency { get; }
    public Histogram<double> SendLag { get; }
    public Histogram<int> TokenUsage { get; }
    public Counter<long> Tokens { get; }
    public Counter<double> Cost { get; }
    public Counter<long> Runs { get; }
    public Counter<long> ModelCalls { get; }
    public UpDownCounter<long> ActiveRuns { get; }
    public UpDownCounter<long> ActiveModelCalls { get; }
    public UpDownCounter<long> Subscribers { get; }
}
