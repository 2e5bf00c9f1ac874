using BenchmarkDotNet.Attributes;
using Council.Server;
using Council.Server.Grains;
using Council.Server.Providers;
using Council.Contracts.Messages;
using System.Runtime.CompilerServices;
using Council.Server.Workflows;
using Microsoft.Extensions.Logging.Abstractions;

namespace Council.Benchmarks;

/// <summary>
/// The grain's token path in isolation: one answers-only run of one model that yields its tokens without pacing,
/// from provider chunk through the mailbox, batching, event log and store queue, per token.
/// </summary>
public class GrainTokenPathBenchmarks
{
    private const int Tokens = 2000;
    private static readonly WorkflowDefinition AnswersOnly = new("answers-only", "bench", [new StageDefinition("answers", StageKind.Answers)]);
    private BenchStorage _storage = null!;
    private ModelRouter _router = null!;
    private CouncilOptions _options = null!;

    [Params(0, 16)]
    public int BatchWindowMs { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _storage = BenchStorage.StartAsync().GetAwaiter().GetResult();
        _options = new CouncilOptions { TokenBatchWindowMs = BatchWindowMs };
        _router = new ModelRouter([new InstantProvider()]);
    }

    [GlobalCleanup]
    public void Cleanup() => _storage.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(OperationsPerInvoke = Tokens)]
    public async Task<long> RunOfOneModel()
    {
        var plan = new RunPlan(Guid.NewGuid().ToString("N"), Guid.NewGuid().ToString("N"), "Why is the sky blue?", AnswersOnly,
            [InstantProvider.Model], [InstantProvider.Model], []);
        _storage.Store.RunStarted(plan);
        var grain = new RunGrain(plan, _router, _storage.Store, _options, TimeProvider.System, NullLogger.Instance);
        grain.Activate();
        await grain.Completion;
        return grain.Log.LastSeq;
    }
}

/// <summary>A model that yields <c>Tokens</c> tokens as fast as it is read.</summary>
internal sealed class InstantProvider : ILlmProvider
{
    public const string Model = "bench/instant";
    private const int Tokens = 2000;

    public string Name => "bench";

    public IReadOnlyList<ModelInfo> ListModels() => [new ModelInfo(Model, Name)];

    public bool Serves(string modelId) => modelId == Model;

    public async IAsyncEnumerable<LlmChunk> StreamAsync(LlmRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        for (var i = 0; i < Tokens; i++)
        {
            yield return new TextChunk(" token");
        }
        yield return new FinishChunk("stop");
    }
}
