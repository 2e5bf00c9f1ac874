using BenchmarkDotNet.Attributes;
using Council.Contracts.Api;
using Council.Contracts.Messages;
using Council.Server.Leaderboard;
using Council.Server.Workflows;
using Microsoft.Extensions.Options;

namespace Council.Benchmarks;

/// <summary>
/// <c>GET /api/leaderboard</c>'s work over 10,000 stored council runs of one user (5 models answering ~2 KB each,
/// 5 reviews with rankings, a synthesis), among 2,000 runs of another user: both queries and the computation.
/// Token events are not stored (the leaderboard never reads them; they live in another table).
/// </summary>
public class LeaderboardBenchmarks
{
    private const int Runs = 10_000;
    private static readonly string[] Models = ["sim/a", "sim/b", "sim/c", "sim/d", "sim/e"];
    private BenchStorage _storage = null!;
    private LeaderboardStore _leaderboard = null!;

    [GlobalSetup]
    public void Setup()
    {
        _storage = BenchStorage.StartAsync().GetAwaiter().GetResult();
        var random = new Random(7);
        var answer = string.Concat(Enumerable.Repeat("A paragraph of a model's answer, markdown-shaped. ", 40));
        var review = string.Concat(Enumerable.Repeat("Response A is thorough; Response B misses a case. ", 16));
        for (var i = 0; i < Runs + 2_000; i++)
        {
            Seed(i < Runs ? "alice" : "bob", $"run{i:D6}", random, answer, review);
            if (i % 500 == 0)
            {
                _storage.Store.FlushAsync().GetAwaiter().GetResult();
            }
        }
        _storage.Store.FlushAsync().GetAwaiter().GetResult();
        _leaderboard = new LeaderboardStore(_storage.Database, _storage.Store, new WorkflowCatalog(Options.Create(new WorkflowOptions())));
        var board = All();
        Console.WriteLine($"// leaderboard over {board.Runs} runs: {string.Join(", ", board.Models.Select(m => $"{m.Model} Elo {m.Elo:0}"))}");
        // Wall time on a shared machine says little; this process's CPU time per leaderboard says what it costs.
        var cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
        var wall = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < 10; i++)
        {
            All();
        }
        Console.WriteLine($"// one leaderboard of {Runs} runs: {wall.Elapsed.TotalMilliseconds / 10:0} ms wall, {(System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / 10:0} ms CPU (mean of 10)");
    }

    [GlobalCleanup]
    public void Cleanup() => _storage.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark]
    public LeaderboardReport All() => _leaderboard.ComputeAsync("alice", new LeaderboardFilter(null, null, null, null), CancellationToken.None).GetAwaiter().GetResult();

    [Benchmark]
    public LeaderboardReport ThreeModelsOfOneWorkflow() => _leaderboard.ComputeAsync(
        "alice", new LeaderboardFilter(null, null, WorkflowCatalog.CouncilName, ["sim/a", "sim/c", "sim/e"]), CancellationToken.None).GetAwaiter().GetResult();

    private void Seed(string owner, string runId, Random random, string answer, string review)
    {
        var store = _storage.Store;
        store.RunStarted(new RunPlan(runId, runId, "A question", WorkflowCatalog.Council, Models, ["sim/chair"], [], Owner: owner));
        var seq = 0L;
        var calls = new List<ModelCallMetrics>();
        var rankings = new List<IReadOnlyList<string>>();
        foreach (var model in Models)
        {
            var failed = random.Next(50) == 0;
            var ttft = random.Next(100, 900);
            store.Append(new ModelCompleteEvent(runId, ++seq, 0, model, failed ? ModelStatus.Failed : ModelStatus.Ok, failed ? "" : answer, failed ? "HTTP 502" : null,
                failed ? null : ttft, ttft + random.Next(1000, 5000), new Usage(200, 400, 0.0004m)));
            calls.Add(new ModelCallMetrics(0, model, ModelStatus.Ok, ttft, ttft + 2000, 200, 400, 0.0004m));
        }
        foreach (var model in Models)
        {
            var ranking = Models.OrderBy(_ => random.Next()).ToArray();
            rankings.Add(ranking);
            store.Append(new ModelCompleteEvent(runId, ++seq, 1, model, ModelStatus.Ok, review, null, 300, 2000, new Usage(2000, 150, 0.001m), ranking));
        }
        store.Append(new ModelCompleteEvent(runId, ++seq, 2, "sim/chair", ModelStatus.Ok, answer, null, 200, 4000, new Usage(3000, 400, 0.002m)));
        store.Append(new RunCompleteEvent(runId, ++seq, RunStatus.Ok, answer, null, AggregateRanker.Aggregate(rankings), new RunMetrics(8000, 0, 0, null, calls)));
    }
}
