using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Council.Server.Tests.Telemetry;

/// <summary>Finished spans, kept in memory.</summary>
internal sealed class SpanCollector : BaseExporter<Activity>
{
    public ConcurrentQueue<Activity> Spans { get; } = new();

    public override ExportResult Export(in Batch<Activity> batch)
    {
        foreach (var span in batch)
        {
            Spans.Enqueue(span);
        }
        return ExportResult.Success;
    }

    /// <summary>Adds this collector to the app's tracer provider.</summary>
    public void AddTo(IServiceCollection services) =>
        services.ConfigureOpenTelemetryTracerProvider(b => b.AddProcessor(new SimpleActivityExportProcessor(this)));
}

/// <summary>A copy of one metric point, taken at export (the SDK reuses its own objects).</summary>
internal sealed record MetricSample(
    string Name,
    string Unit,
    MetricType Type,
    IReadOnlyDictionary<string, object?> Tags,
    double Value,
    long Count,
    double Sum);

/// <summary>Metric points of every collection, kept in memory; <see cref="Collect"/> forces one.</summary>
internal sealed class MetricCollector : BaseExporter<Metric>
{
    private BaseExportingMetricReader? _reader;

    public ConcurrentQueue<MetricSample> Samples { get; } = new();

    public override ExportResult Export(in Batch<Metric> batch)
    {
        foreach (var metric in batch)
        {
            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                var tags = new Dictionary<string, object?>();
                foreach (var tag in point.Tags)
                {
                    tags[tag.Key] = tag.Value;
                }
                var (value, count, sum) = metric.MetricType switch
                {
                    MetricType.Histogram => (0d, point.GetHistogramCount(), point.GetHistogramSum()),
                    MetricType.LongSum or MetricType.LongSumNonMonotonic => (point.GetSumLong(), 1L, 0d),
                    MetricType.DoubleSum or MetricType.DoubleSumNonMonotonic => (point.GetSumDouble(), 1L, 0d),
                    MetricType.LongGauge => (point.GetGaugeLastValueLong(), 1L, 0d),
                    MetricType.DoubleGauge => (point.GetGaugeLastValueDouble(), 1L, 0d),
                    _ => (0d, 0L, 0d),
                };
                Samples.Enqueue(new MetricSample(metric.Name, metric.Unit, metric.MetricType, tags, value, count, sum));
            }
        }
        return ExportResult.Success;
    }

    /// <summary>Collects now; returns the points of that collection only (cumulative values since start).</summary>
    public IReadOnlyList<MetricSample> Collect()
    {
        Samples.Clear();
        _reader!.Collect();
        return Samples.ToArray();
    }

    /// <summary>Adds this collector to the app's meter provider, as a reader that collects only when asked.</summary>
    public void AddTo(IServiceCollection services) =>
        services.ConfigureOpenTelemetryMeterProvider(b => b.AddReader(_reader = new BaseExportingMetricReader(this)));
}
