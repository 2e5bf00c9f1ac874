using Council.Contracts.Messages;
using Council.Server.Grains;

namespace Council.Server.Tests.Grains;

public class RunEventLogTests
{
    private static TokenEvent Token(long seq) => new("r", seq, 0, "m", "x");

    [Test]
    public void Append_OutOfOrderSeq_IsRefused()
    {
        var log = new RunEventLog("r");
        log.Append(Token(1));
        Should.Throw<InvalidOperationException>(() => log.Append(Token(3)));
        Should.Throw<InvalidOperationException>(() => log.Append(Token(1)));
        log.LastSeq.ShouldBe(1);
    }

    [Test]
    public void Append_AfterTheLastEvent_IsRefused()
    {
        var log = new RunEventLog("r");
        log.Append(Token(1), last: true);
        log.IsCompleted.ShouldBeTrue();
        Should.Throw<InvalidOperationException>(() => log.Append(Token(2)));
    }

    private static async Task<bool> Completes(ValueTask wait)
    {
        var completed = wait.IsCompleted;
        await wait;
        return completed;
    }

    [Test]
    public async Task ReadAfter_ReturnsEventsAfterTheCursorThenWaitsForTheNext()
    {
        var log = new RunEventLog("r");
        for (var i = 1; i <= 5; i++)
        {
            log.Append(Token(i));
        }
        var batch = new List<RunEvent>();
        var waiter = new RunEventLog.Waiter();
        (await Completes(log.ReadAfter(2, batch, 2, waiter))).ShouldBeTrue();
        batch.Select(e => e.Seq).ShouldBe([3L, 4L]);

        batch.Clear();
        var wait = log.ReadAfter(5, batch, 10, waiter).AsTask();
        batch.ShouldBeEmpty();
        wait.IsCompleted.ShouldBeFalse();
        log.Append(Token(6));
        await wait.WaitAsync(TimeSpan.FromSeconds(5));
        await log.ReadAfter(5, batch, 10, waiter);
        batch.Single().Seq.ShouldBe(6);

        // The same waiter waits again, and a wake without an append completes the wait with nothing new.
        batch.Clear();
        var again = log.ReadAfter(6, batch, 10, waiter).AsTask();
        again.IsCompleted.ShouldBeFalse();
        log.WakeReaders();
        await again.WaitAsync(TimeSpan.FromSeconds(5));
        batch.ShouldBeEmpty();
    }
}
