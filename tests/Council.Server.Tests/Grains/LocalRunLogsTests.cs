using Council.Server.Grains;
using Microsoft.Extensions.Time.Testing;

namespace Council.Server.Tests.Grains;

public class LocalRunLogsTests
{
    [Test]
    public void AHandedOverLog_IsCollectedOnce()
    {
        var logs = new LocalRunLogs(new FakeTimeProvider());
        var log = new RunEventLog("r");
        var ticket = logs.HandOver(log);
        Assert.That(logs.Collect(ticket), Is.SameAs(log));
        Assert.That(logs.Collect(ticket), Is.Null);
        Assert.That(logs.HandoffCount, Is.Zero);
    }

    [Test]
    public void ALogNobodyCollects_IsDroppedOnceItsLifetimeHasPassed()
    {
        var time = new FakeTimeProvider();
        var logs = new LocalRunLogs(time);
        var forgotten = logs.HandOver(new RunEventLog("left behind"));
        time.Advance(LocalRunLogs.HandoffLifetime / 2);
        var recent = logs.HandOver(new RunEventLog("recent"));
        Assert.That(logs.HandoffCount, Is.EqualTo(2), "within its lifetime a ticket waits");

        time.Advance(LocalRunLogs.HandoffLifetime / 2 + TimeSpan.FromSeconds(1));
        var latest = logs.HandOver(new RunEventLog("latest"));
        Assert.That(logs.Collect(forgotten), Is.Null, "past its lifetime, the next hand-over dropped it");
        Assert.That(logs.Collect(recent)?.RunId, Is.EqualTo("recent"));
        Assert.That(logs.Collect(latest)?.RunId, Is.EqualTo("latest"));
    }
}
