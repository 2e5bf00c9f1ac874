using BenchmarkDotNet.Attributes;
using Council.Contracts.Messages;
using Council.Server.Grains;

namespace Council.Benchmarks;

/// <summary>A run's event log: the grain appends, each subscriber's send loop reads from its cursor in batches.</summary>
public class EventLogBenchmarks
{
    private const int Events = 1000;
    private TokenEvent[] _events = null!;

    [Params(1, 4)]
    public int Subscribers { get; set; }

    [GlobalSetup]
    public void Setup() =>
        _events = Enumerable.Range(1, Events).Select(i => new TokenEvent("run", i, 0, "sim/a", " token")).ToArray();

    /// <summary>Per event: one append, and every subscriber reading it (interleaved, as live viewers do).</summary>
    [Benchmark(OperationsPerInvoke = Events)]
    public int AppendThenRead()
    {
        var log = new RunEventLog("run");
        var cursors = new long[Subscribers];
        var batch = new List<RunEvent>(256);
        var waiter = new RunEventLog.Waiter();
        var read = 0;
        foreach (var e in _events)
        {
            log.Append(e);
            for (var s = 0; s < cursors.Length; s++)
            {
                batch.Clear();
                ExpectCompleted(log.ReadAfter(cursors[s], batch, 256, waiter));
                cursors[s] += batch.Count;
                read += batch.Count;
            }
        }
        return read;
    }

    // A read right after an append never waits.
    private static void ExpectCompleted(ValueTask read)
    {
        if (!read.IsCompleted)
        {
            throw new InvalidOperationException("A read right after an append waited.");
        }
        read.GetAwaiter().GetResult();
    }

    /// <summary>Per event: the cost when a subscriber waits for each append (a live viewer that keeps up).</summary>
    [Benchmark(OperationsPerInvoke = Events)]
    public async Task<int> AppendWakesWaitingReader()
    {
        var log = new RunEventLog("run");
        var batch = new List<RunEvent>(256);
        var reader = Task.Run(async () =>
        {
            long cursor = 0;
            var waiter = new RunEventLog.Waiter();
            while (cursor < Events)
            {
                batch.Clear();
                var appended = log.ReadAfter(cursor, batch, 256, waiter);
                if (batch.Count == 0)
                {
                    await appended;
                    continue;
                }
                cursor += batch.Count;
            }
            return (int)cursor;
        });
        foreach (var e in _events)
        {
            log.Append(e);
        }
        return await reader;
    }
}
