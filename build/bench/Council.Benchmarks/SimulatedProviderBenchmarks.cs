using BenchmarkDotNet.Attributes;
using Council.Server;
using Council.Server.Providers;
using Council.Server.Providers.Simulated;
using Microsoft.Extensions.Options;

namespace Council.Benchmarks;

/// <summary>The simulated provider's per-token cost: its text and chunks, and its pacing.</summary>
public class SimulatedProviderBenchmarks
{
    private const int Tokens = 2000;
    private const int Streams = 200;
    private const int PacedTokens = 100;
    private readonly LlmRequest _request = new($"sim/bench?ttft=0&tps=100000&tokens={Tokens}", [new ChatMessage(ChatRole.User, "Why is the sky blue?")]);
    private readonly LlmRequest _paced = new($"sim/paced?ttft=0&tps=1000&tokens={PacedTokens}", [new ChatMessage(ChatRole.User, "Why is the sky blue?")]);
    private SimulatedProvider _provider = null!;

    /// <summary>SharedPacer: the real clock (one pacing thread); TimerPerToken: a clock the provider does not recognise, so each token waits on its own timer (Task.Delay).</summary>
    [Params("SharedPacer", "TimerPerToken")]
    public string Pacing { get; set; } = "";

    [GlobalSetup]
    public void Setup() =>
        _provider = new SimulatedProvider(Options.Create(new CouncilOptions()), Pacing == "SharedPacer" ? TimeProvider.System : new SystemClock());

    /// <summary>One stream at 100,000 tokens per second (10 us a token): text, chunks and the iterator; pacing rarely waits.</summary>
    [Benchmark(OperationsPerInvoke = Tokens)]
    public async Task<int> OneFastStream()
    {
        var count = 0;
        await foreach (var chunk in _provider.StreamAsync(_request, CancellationToken.None))
        {
            count += chunk is TextChunk ? 1 : 0;
        }
        return count;
    }

    /// <summary>200 streams at 1,000 tokens per second each, 100 tokens: 100 ms if pacing kept time exactly; per token.</summary>
    [Benchmark(OperationsPerInvoke = Streams * PacedTokens)]
    public async Task<int> ConcurrentPacedStreams()
    {
        var streams = new Task<int>[Streams];
        for (var i = 0; i < Streams; i++)
        {
            streams[i] = Task.Run(async () =>
            {
                var count = 0;
                await foreach (var chunk in _provider.StreamAsync(_paced, CancellationToken.None))
                {
                    count += chunk is TextChunk ? 1 : 0;
                }
                return count;
            });
        }
        return (await Task.WhenAll(streams)).Sum();
    }

    /// <summary>The system clock under another name.</summary>
    private sealed class SystemClock : TimeProvider;
}
