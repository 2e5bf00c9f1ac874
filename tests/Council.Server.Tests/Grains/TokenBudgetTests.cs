using System.Runtime.CompilerServices;
using Council.Contracts.Messages;
using Council.Server.Grains;
using Council.Server.Providers;
using static Council.Server.Tests.Grains.GrainHarness;

namespace Council.Server.Tests.Grains;

/// <summary>MaxTokensPerRun counts tokens: the provider's usage where it reports one, an estimate while text streams.</summary>
public sealed class TokenBudgetTests
{
    [Test]
    public void Estimate_IsAboutFourCharactersAToken()
    {
        TokenBudget.Estimate("").ShouldBe(0);
        TokenBudget.Estimate("a").ShouldBe(1);
        TokenBudget.Estimate("abcd").ShouldBe(1);
        TokenBudget.Estimate("abcde").ShouldBe(2);
        TokenBudget.Estimate(new string('x', 400)).ShouldBe(100);
    }

    [Test]
    public void ReportedUsage_ReplacesTheEstimateOfItsCall()
    {
        var budget = new TokenBudget(1000);
        budget.TryAdd(0, new string('x', 40)).ShouldBeTrue(); // ~10
        budget.TryAdd(1, new string('x', 80)).ShouldBeTrue(); // ~20
        budget.Used.ShouldBe(30);

        budget.Report(0, 7);
        budget.Used.ShouldBe(27);
        budget.Report(1, 900);
        budget.Used.ShouldBe(907);
        budget.Exceeded.ShouldBeFalse();

        budget.TryAdd(2, new string('x', 400)).ShouldBeFalse("100 more would pass 1000");
        budget.Used.ShouldBe(907);
    }

    /// <summary>Streams one big chunk, then (optionally) a usage report.</summary>
    private sealed class BigChunkProvider(int chars, int? reportedTokens) : ILlmProvider
    {
        public string Name => "big";

        public IReadOnlyList<ModelInfo> ListModels() => [];

        public bool Serves(string modelId) => modelId.StartsWith("big/", StringComparison.Ordinal);

        public async IAsyncEnumerable<LlmChunk> StreamAsync(LlmRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.Yield();
            yield return new TextChunk(new string('w', chars));
            if (reportedTokens is { } tokens)
            {
                yield return new UsageChunk(10, tokens, null);
            }
            await Task.Delay(TimeSpan.FromSeconds(5), cancellationToken);
        }
    }

    /// <summary>The big provider beside the simulated one (the chairman is simulated).</summary>
    private static ModelRouter Router(ILlmProvider provider) =>
        new([provider, new Council.Server.Providers.Simulated.SimulatedProvider(Microsoft.Extensions.Options.Options.Create(new CouncilOptions()), TimeProvider.System)]);

    [Test]
    public async Task OneBigChunk_CountsAsItsTokens_NotAsOne()
    {
        // 2,000 characters in a single chunk: about 500 tokens, past a limit of 100.
        var events = await Finish(Start(["big/a"], options: new CouncilOptions { MaxTokensPerRun = 100 }, router: Router(new BigChunkProvider(2000, null))));

        var end = events[^1].ShouldBeOfType<RunCompleteEvent>();
        end.Status.ShouldBe(RunStatus.Failed);
        end.Error!.ShouldStartWith("The run reached its limit of 100 tokens");
        events.OfType<TokenEvent>().ShouldBeEmpty("the chunk past the budget is not sent");
    }

    [Test]
    public async Task ReportedUsagePastTheLimit_EndsTheRun()
    {
        // A short text whose provider says it cost 5,000 tokens (a reasoning model's hidden tokens, say).
        var events = await Finish(Start(["big/a"], options: new CouncilOptions { MaxTokensPerRun = 1000 }, router: Router(new BigChunkProvider(8, 5000))));

        var end = events[^1].ShouldBeOfType<RunCompleteEvent>();
        end.Status.ShouldBe(RunStatus.Failed);
        end.Error!.ShouldStartWith("The run reached its limit of 1000 tokens");
        events.OfType<TokenEvent>().Single().Delta.ShouldBe("wwwwwwww");
    }
}
