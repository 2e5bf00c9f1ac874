using BenchmarkDotNet.Attributes;
using Council.Contracts.Messages;
using Council.Server.Workflows;

namespace Council.Benchmarks;

/// <summary>Writing a run's events to SQLite: queue them as the grain does, then wait until they are committed.</summary>
public class RunStoreBenchmarks
{
    private const int Events = 2000;
    private BenchStorage _storage = null!;

    [GlobalSetup]
    public void Setup() => _storage = BenchStorage.StartAsync().GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup() => _storage.DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Per token event: queued and committed (with the run's row, as in the server).</summary>
    [Benchmark(OperationsPerInvoke = Events)]
    public async Task AppendAndCommitTokenEvents()
    {
        var runId = Guid.NewGuid().ToString("N");
        _storage.Store.RunStarted(new RunPlan(runId, Guid.NewGuid().ToString("N"), "bench", WorkflowCatalog.Council, ["sim/a"], ["sim/c"], []));
        for (var seq = 1; seq <= Events; seq++)
        {
            _storage.Store.Append(new TokenEvent(runId, seq, 0, "sim/a?ttft=150&tps=20&tokens=60", " trade-"));
        }
        await _storage.Store.FlushAsync();
    }
}
