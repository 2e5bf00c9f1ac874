using Council.Contracts.Messages;
using Council.Server.Grains;
using Council.Server.Hub;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Council.Server.Tests.Hub;

public class RunSubscriptionsTests
{
    private static TokenEvent Token(long seq) => new("r", seq, 0, "m", "x");

    private static RunCompleteEvent End(long seq) => new("r", seq, RunStatus.Ok, "x", null, null, new RunMetrics(0, 0, 0, null, []));

    [Test]
    public async Task SendLoop_WhenTheLastEventsArriveAfterAnEmptyRead_SendsThemBeforeEnding()
    {
        var hub = new RecordingHubContext();
        var subscriptions = new RunSubscriptions(hub, Options.Create(new CouncilOptions()), NullLogger<RunSubscriptions>.Instance);
        var log = new RunEventLog("r");
        for (var seq = 1; seq <= 3; seq++)
        {
            log.Append(Token(seq));
        }
        // The interleaving seen under load: the loop's read comes back empty, then the grain appends the run's last
        // events and closes the log, then the loop looks at the log.
        var appended = 0;
        subscriptions.AfterEmptyRead = l =>
        {
            if (Interlocked.Exchange(ref appended, 1) == 0)
            {
                l.Append(Token(4));
                l.Append(End(5), last: true);
            }
        };

        using var caller = new TestCallerContext("c");
        subscriptions.Subscribe(caller, log, afterSeq: 0);

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (subscriptions.Count > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }
        subscriptions.Count.ShouldBe(0, "the send loop ends once the run is complete");
        appended.ShouldBe(1);
        hub.Of("c").Received.Select(e => e.Seq).ShouldBe([1L, 2L, 3L, 4L, 5L]);
    }

    [Test]
    public async Task SendLoop_OnAClosedLog_SendsWhatIsAfterTheCursorAndEnds()
    {
        var hub = new RecordingHubContext();
        var subscriptions = new RunSubscriptions(hub, Options.Create(new CouncilOptions()), NullLogger<RunSubscriptions>.Instance);
        var log = RunEventLog.Closed("r", [Token(1), Token(2), End(3)]);

        using var caller = new TestCallerContext("c");
        subscriptions.Subscribe(caller, log, afterSeq: 1);

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (subscriptions.Count > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }
        subscriptions.Count.ShouldBe(0);
        hub.Of("c").Received.Select(e => e.Seq).ShouldBe([2L, 3L]);
    }
}
