using BenchmarkDotNet.Attributes;
using Council.Server;
using Council.Server.Providers;
using Council.Server.Providers.Simulated;
using Microsoft.Extensions.Options;

namespace Council.Benchmarks;

/// <summary>The simulated provider's per-token overhead (text, pacing checks, chunks) at 100,000 tokens per second: pacing rarely waits.</summary>
public class SimulatedProviderBenchmarks
{
    private const int Tokens = 2000;
    private readonly SimulatedProvider _provider = new(Options.Create(new CouncilOptions()), TimeProvider.System);
    private readonly LlmRequest _request = new($"sim/bench?ttft=0&tps=100000&tokens={Tokens}", [new ChatMessage(ChatRole.User, "Why is the sky blue?")]);

    [Benchmark(OperationsPerInvoke = Tokens)]
    public async Task<int> StreamTokens()
    {
        var count = 0;
        await foreach (var chunk in _provider.StreamAsync(_request, CancellationToken.None))
        {
            count += chunk is TextChunk ? 1 : 0;
        }
        return count;
    }
}
