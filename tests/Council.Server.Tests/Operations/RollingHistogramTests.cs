using Council.Server.Operations;

namespace Council.Server.Tests.Operations;

public class RollingHistogramTests
{
    private readonly ManualTime _time = new();

    [Test]
    public void Percentiles_AreWithinTheBinWidth()
    {
        var histogram = new RollingHistogram(_time, TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(5));
        for (var ms = 1; ms <= 1000; ms++)
        {
            histogram.Record(ms, _time.GetTimestamp());
        }

        var summary = histogram.Summarize();

        summary.Count.ShouldBe(1000);
        summary.P50!.Value.ShouldBe(500, tolerance: 500 * 0.03);
        summary.P99!.Value.ShouldBe(990, tolerance: 990 * 0.03);
    }

    [TestCase(0.0005)]
    [TestCase(0.05)]
    [TestCase(3.7)]
    [TestCase(120_000)]
    public void OneValue_IsItsOwnMedian(double ms)
    {
        var histogram = new RollingHistogram(_time, TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(5));
        histogram.Record(ms, _time.GetTimestamp());

        var summary = histogram.Summarize();

        summary.P50!.Value.ShouldBe(ms < 0.001 ? 0 : ms, tolerance: Math.Max(ms * 0.03, 0.001));
        summary.P99.ShouldBe(summary.P50);
    }

    [Test]
    public void Values_LeaveTheWindowAfterAMinute()
    {
        var histogram = new RollingHistogram(_time, TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(5));
        histogram.Record(1000, _time.GetTimestamp());
        _time.Advance(TimeSpan.FromSeconds(30));
        histogram.Record(10, _time.GetTimestamp());
        histogram.Summarize().Count.ShouldBe(2);

        _time.Advance(TimeSpan.FromSeconds(36));
        var summary = histogram.Summarize();
        summary.Count.ShouldBe(1, "the first value is more than a minute (and a slot) old");
        summary.P50!.Value.ShouldBe(10, tolerance: 0.3);

        _time.Advance(TimeSpan.FromMinutes(2));
        histogram.Summarize().ShouldBe(new LatencySummary(0, null, null));
    }

    [Test]
    public void SlotsAreReused_WithoutOldCounts()
    {
        var histogram = new RollingHistogram(_time, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(5));
        histogram.Record(5, _time.GetTimestamp());
        _time.Advance(TimeSpan.FromSeconds(15)); // the same slot, three slots later
        histogram.Record(7, _time.GetTimestamp());

        histogram.Summarize().Count.ShouldBe(1);
    }

    [Test]
    public void ConcurrentRecording_LosesNothing()
    {
        var histogram = new RollingHistogram(_time, TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(5));
        Parallel.For(0, 8, _ =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                histogram.Record(i % 100 + 1, _time.GetTimestamp());
            }
        });
        histogram.Summarize().Count.ShouldBe(80_000);
    }
}
