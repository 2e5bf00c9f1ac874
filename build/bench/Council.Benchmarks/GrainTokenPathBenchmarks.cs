using BenchmarkDotNet.Attributes;
using Council.Server;
using Council.Server.Grains;
using Council.Server.Providers;
using Council.Contracts.Messages;
using System.Runtime.CompilerServices;
using Council.Server.Workflows;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Council.Benchmarks;

/// <summary>
/// The grain's token path in isolation: one answers-only run of one model that yields its tokens without pacing,
/// from provider chunk through the Orleans activation, batching, event log and store queue, per token.
/// </summary>
public class GrainTokenPathBenchmarks
{
    private const int Tokens = 2000;
    private static readonly WorkflowDefinition AnswersOnly = new("answers-only", "bench", [new StageDefinition("answers", StageKind.Answers)]);
    private BenchStorage _storage = null!;
    private IHost _silo = null!;
    private IGrainFactory _grains = null!;
    private LocalRunLogs _logs = null!;

    [Params(0, 16)]
    public int BatchWindowMs { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _storage = BenchStorage.StartAsync().GetAwaiter().GetResult();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton(Options.Create(new CouncilOptions { TokenBatchWindowMs = BatchWindowMs }));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(new ModelRouter([new InstantProvider()]));
        builder.Services.AddSingleton(_storage.Store);
        builder.Services.AddSingleton(new Council.Server.Conversations.ConversationStore(_storage.Database, _storage.Store));
        builder.AddCouncilGrains();
        _silo = builder.Build();
        _silo.StartAsync().GetAwaiter().GetResult();
        _grains = _silo.Services.GetRequiredService<IGrainFactory>();
        _logs = _silo.Services.GetRequiredService<LocalRunLogs>();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _silo.StopAsync().GetAwaiter().GetResult();
        _silo.Dispose();
        _storage.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(OperationsPerInvoke = Tokens)]
    public async Task<long> RunOfOneModel()
    {
        var plan = new RunPlan(Guid.NewGuid().ToString("N"), Guid.NewGuid().ToString("N"), "Why is the sky blue?", AnswersOnly,
            [InstantProvider.Model], [InstantProvider.Model], []);
        await _grains.GetGrain<IRunGrain>(plan.RunId).Start(plan);
        var log = _logs.Find(plan.RunId, plan.Owner)!;
        var waiter = new RunEventLog.Waiter();
        var read = new List<RunEvent>();
        while (!log.IsCompleted)
        {
            read.Clear();
            await log.ReadAfter(log.LastSeq, read, 1, waiter);
        }
        return log.LastSeq;
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
