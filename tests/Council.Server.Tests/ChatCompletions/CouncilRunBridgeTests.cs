using Council.Contracts.Messages;
using Council.Server.ChatCompletions;
using Council.Server.Grains;

namespace Council.Server.Tests.ChatCompletions;

[CancelAfter(10_000)]
public class CouncilRunBridgeTests
{
    // Reading a log needs no grain: the grain factory and the limits are not touched.
    private readonly CouncilRunBridge _bridge = new(null!, new RunStarter(null!, new LocalRunLogs(TimeProvider.System), null!));

    private static TokenEvent Token(long seq) => new("r", seq, 0, "m", "x");

    private static RunCompleteEvent End(long seq) => new("r", seq, RunStatus.Ok, "done", null, null, new RunMetrics(1, 0, 0, null, []));

    [Test]
    public async Task ALogThatClosesWhileTheReaderWaits_IsReadToItsLastEvent(CancellationToken cancellationToken)
    {
        var log = new RunEventLog("r");
        log.Append(Token(1));
        var read = new List<long>();
        var first = new TaskCompletionSource();
        var reading = Task.Run(async () =>
        {
            await foreach (var e in _bridge.ReadAsync(log, cancellationToken))
            {
                read.Add(e.Seq);
                first.TrySetResult();
            }
        }, cancellationToken);
        await first.Task.WaitAsync(cancellationToken);
        await Task.Delay(20, cancellationToken); // the reader is waiting for the next append now

        // The last events and the close come in one burst, as a grain's run_complete follows its last model_complete.
        log.Append(Token(2));
        log.Append(Token(3));
        log.Append(End(4), last: true);
        await reading;

        read.ShouldBe([1, 2, 3, 4]);
    }

    [Test]
    public async Task AClosedLog_IsReadWholeAndTheReadEnds(CancellationToken cancellationToken)
    {
        var log = RunEventLog.Closed("r", [.. Enumerable.Range(1, 600).Select(i => (RunEvent)Token(i)), End(601)]);

        var seqs = new List<long>();
        await foreach (var e in _bridge.ReadAsync(log, cancellationToken))
        {
            seqs.Add(e.Seq);
        }

        seqs.ShouldBe(Enumerable.Range(1, 601).Select(i => (long)i));
    }

    [Test]
    public async Task CancellingTheRead_EndsItsWait(CancellationToken cancellationToken)
    {
        var log = new RunEventLog("r");
        using var stop = new CancellationTokenSource();
        var reading = Task.Run(async () =>
        {
            await foreach (var _ in _bridge.ReadAsync(log, stop.Token))
            {
            }
        }, cancellationToken);
        await Task.Delay(20, cancellationToken);

        await stop.CancelAsync();

        await Should.ThrowAsync<OperationCanceledException>(() => reading);
    }
}
