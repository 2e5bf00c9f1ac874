using System.Runtime.CompilerServices;
using Council.Contracts.Messages;
using Council.Server.Providers;
using Council.Server.Providers.Simulated;
using Microsoft.Extensions.Options;
using static Council.Server.Tests.Grains.GrainHarness;

namespace Council.Server.Tests.Grains;

/// <summary>A model's reasoning reaches clients on its token events, apart from the answer, batched as the deltas are.</summary>
public sealed class ReasoningDeltaTests
{
    private const string Thinker = "think/deep";

    /// <summary>Thinks in small pieces, then answers; the simulated provider serves every other model.</summary>
    private sealed class ThinkingProvider : ILlmProvider
    {
        public static readonly string[] Thoughts = ["Let", " me", " think", " about", " the", " sky."];
        public static readonly string[] Answer = ["It is", " Rayleigh", " scattering."];

        public string Name => "think";

        public IReadOnlyList<ModelInfo> ListModels() => [new(Thinker, Name)];

        public bool Serves(string modelId) => modelId == Thinker;

        public async IAsyncEnumerable<LlmChunk> StreamAsync(LlmRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            foreach (var thought in Thoughts)
            {
                await Task.Delay(2, cancellationToken);
                yield return new ReasoningChunk(thought);
            }
            foreach (var text in Answer)
            {
                await Task.Delay(2, cancellationToken);
                yield return new TextChunk(text);
            }
            yield return new UsageChunk(10, 9, null);
            yield return new FinishChunk("stop");
        }
    }

    [TestCase(0)]
    [TestCase(50)]
    public async Task Reasoning_ReachesTheTokenEvents_AndStaysOutOfTheAnswer(int batchWindowMs)
    {
        var options = new CouncilOptions { TokenBatchWindowMs = batchWindowMs };
        var router = new ModelRouter([new ThinkingProvider(), new SimulatedProvider(Options.Create(options), TimeProvider.System)]);

        var events = await Finish(Start([Thinker, Fast], options: options, router: router));

        var tokens = events.OfType<TokenEvent>().Where(t => t.Stage == 0 && t.Model == Thinker).ToList();
        string.Concat(tokens.Select(t => t.Reasoning)).ShouldBe(string.Concat(ThinkingProvider.Thoughts));
        string.Concat(tokens.Select(t => t.Delta)).ShouldBe(string.Concat(ThinkingProvider.Answer));
        var complete = events.OfType<ModelCompleteEvent>().Single(c => c.Stage == 0 && c.Model == Thinker);
        complete.Status.ShouldBe(ModelStatus.Ok);
        complete.Text.ShouldBe(string.Concat(ThinkingProvider.Answer));
        tokens[0].Reasoning.ShouldBe("Let", "the first piece of reasoning goes out at once");
        tokens[0].Delta.ShouldBe("");
        if (batchWindowMs == 0)
        {
            tokens.Count.ShouldBe(ThinkingProvider.Thoughts.Length + ThinkingProvider.Answer.Length);
        }
        else
        {
            tokens.Count.ShouldBeLessThan(ThinkingProvider.Thoughts.Length + ThinkingProvider.Answer.Length);
        }
        events.OfType<TokenEvent>().Where(t => t.Model == Fast).ShouldAllBe(t => t.Reasoning == null);
    }
}
