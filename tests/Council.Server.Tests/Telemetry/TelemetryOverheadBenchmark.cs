using System.Diagnostics;
using Council.Contracts.Messages;
using Council.Server.Grains;
using Council.Server.Telemetry;
using Council.Server.Workflows;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Council.Server.Tests.Telemetry;

/// <summary>
/// What the observers cost on the hot paths, with telemetry off (no exporter, the default) and on (batching
/// no-op exporters on the tracer and meter providers): per token appended (every observer's <c>EventAppended</c>,
/// on the grain's loop), per event sent (the send loop's probe), and per model call (start to end).
/// A program that prints numbers, not a test of them: run it explicitly.
/// <code>dotnet test tests/Council.Server.Tests -c Release --filter "FullyQualifiedName~TelemetryOverheadBenchmark" --logger "console;verbosity=detailed"</code>
/// </summary>
[Explicit("benchmark: prints numbers")]
[Category("Benchmark")]
public sealed class TelemetryOverheadBenchmark
{
    private const int TokensPerRun = 10_000;
    private const int Runs = 100;

    [Test]
    public async Task PrintOverhead()
    {
        var samples = new List<(bool On, double Token, double Send, double Call)>();
        // Modes alternate so that a noisy neighbour hurts both; the first round only warms up the JIT.
        for (var round = 0; round < 6; round++)
        {
            foreach (var on in new[] { false, true })
            {
                using var host = await StartAsync(on);
                // Three passes each: the first ones also pay for tiered compilation.
                var sample = (on, Median(Enumerable.Range(0, 3).Select(_ => PerToken(host.Services))),
                    Median(Enumerable.Range(0, 3).Select(_ => PerSend(host.Services))), PerCall(host.Services));
                if (round > 0)
                {
                    samples.Add(sample);
                }
                await host.StopAsync();
            }
        }
        var baseline = Median(Enumerable.Range(0, 5).Select(_ => PerToken(null)));

        TestContext.Progress.WriteLine($"median of {samples.Count / 2} rounds, {Environment.ProcessorCount} cores");
        TestContext.Progress.WriteLine($"{"telemetry",-12} {"per token (ns)",15} {"per send (ns)",14} {"per call (ns)",14}");
        TestContext.Progress.WriteLine($"{"no observer",-12} {baseline,15:F1} {"-",14} {"-",14}");
        foreach (var on in new[] { false, true })
        {
            var mode = samples.Where(s => s.On == on).ToArray();
            TestContext.Progress.WriteLine(
                $"{(on ? "on" : "off"),-12} {Median(mode.Select(s => s.Token)),15:F1} {Median(mode.Select(s => s.Send)),14:F1} {Median(mode.Select(s => s.Call)),14:F0}");
        }
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    private static async Task<IHost> StartAsync(bool on)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "" });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.AddCouncilTelemetry();
        if (on)
        {
            builder.Services.ConfigureOpenTelemetryTracerProvider(b => b.AddProcessor(new BatchActivityExportProcessor(new NoSpans())));
            builder.Services.ConfigureOpenTelemetryMeterProvider(b => b.AddReader(new PeriodicExportingMetricReader(new NoMetrics(), 60_000)));
        }
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    /// <summary>Nanoseconds per token event through every observer, over runs of <see cref="TokensPerRun"/> tokens.</summary>
    private static double PerToken(IServiceProvider? services)
    {
        var observers = services?.GetServices<IRunObserver>().ToArray() ?? [];
        var plan = Plan();
        var tokens = Enumerable.Range(1, TokensPerRun).Select(i => new TokenEvent(plan.RunId, i, 0, "sim/a", "word word ")).ToArray();
        var clock = new Stopwatch();
        for (var run = 0; run < Runs; run++)
        {
            foreach (var o in observers)
            {
                o.RunStarted(plan);
            }
            clock.Start();
            foreach (var token in tokens)
            {
                foreach (var o in observers)
                {
                    o.EventAppended(plan, token);
                }
            }
            clock.Stop();
            foreach (var o in observers)
            {
                o.RunEnded(plan, End(plan));
            }
        }
        return clock.Elapsed.TotalNanoseconds / (Runs * (double)TokensPerRun);
    }

    /// <summary>Nanoseconds per event sent, as a subscriber's send loop reports it.</summary>
    private static double PerSend(IServiceProvider services)
    {
        var observers = services.GetServices<IRunObserver>().ToArray();
        var subscribers = services.GetRequiredService<SubscriberTelemetry>();
        var plan = Plan();
        foreach (var o in observers)
        {
            o.RunStarted(plan);
        }
        for (var seq = 1; seq <= TokensPerRun; seq++)
        {
            foreach (var o in observers)
            {
                o.EventAppended(plan, new TokenEvent(plan.RunId, seq, 0, "sim/a", "word "));
            }
        }
        var clock = Stopwatch.StartNew();
        for (var pass = 0; pass < Runs; pass++)
        {
            using var probe = subscribers.Subscribed(plan.RunId);
            for (var seq = 1; seq <= TokensPerRun; seq++)
            {
                probe.Sent(seq);
            }
        }
        clock.Stop();
        foreach (var o in observers)
        {
            o.RunEnded(plan, End(plan));
        }
        return clock.Elapsed.TotalNanoseconds / (Runs * (double)TokensPerRun);
    }

    /// <summary>Nanoseconds per model call: CallStarted, CallStreaming, FirstToken and CallEnded on every observer.</summary>
    private static double PerCall(IServiceProvider services)
    {
        const int calls = 20_000;
        var observers = services.GetServices<IRunObserver>().ToArray();
        var plan = Plan();
        var definition = plan.Workflow.Stages[0];
        foreach (var o in observers)
        {
            o.RunStarted(plan);
            o.StageStarted(plan, 0, definition, plan.Models);
        }
        var complete = new ModelCompleteEvent(plan.RunId, 1, 0, "sim/a", ModelStatus.Ok, "text", null, 20, 90, new Usage(30, 20));
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < calls; i++)
        {
            foreach (var o in observers)
            {
                o.CallStarted(plan, 0, "sim/a", "simulated");
                o.CallStreaming(plan, 0, "sim/a");
                o.FirstToken(plan, 0, "sim/a", TimeSpan.FromMilliseconds(20));
                o.CallEnded(plan, complete, "simulated", null);
            }
        }
        clock.Stop();
        Activity.Current = null;
        foreach (var o in observers)
        {
            o.StageEnded(plan, 0, StageStatus.Completed);
            o.RunEnded(plan, End(plan));
        }
        return clock.Elapsed.TotalNanoseconds / calls;
    }

    private static RunPlan Plan() =>
        new(Guid.NewGuid().ToString("N"), Guid.NewGuid().ToString("N"), "Why?", WorkflowCatalog.Council, ["sim/a", "sim/b"], ["sim/chair"], []);

    private static RunCompleteEvent End(RunPlan plan) =>
        new(plan.RunId, TokensPerRun + 1, RunStatus.Ok, "final", null, null, new RunMetrics(1000, 10, 10, null, []));

    private sealed class NoSpans : BaseExporter<Activity>
    {
        public override ExportResult Export(in Batch<Activity> batch) => ExportResult.Success;
    }

    private sealed class NoMetrics : BaseExporter<Metric>
    {
        public override ExportResult Export(in Batch<Metric> batch) => ExportResult.Success;
    }
}
