using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Council.Contracts.Messages;
using Council.Server.Providers;
using Council.Server.Providers.Simulated;
using Council.Server.Search;
using Microsoft.Extensions.Options;
using static Council.Server.Tests.Grains.GrainHarness;

namespace Council.Server.Tests.Search;

public class RunSearchTests
{
    /// <summary>The real simulated provider, keeping every request it was sent.</summary>
    private sealed class Recording(ILlmProvider inner) : ILlmProvider
    {
        public ConcurrentQueue<LlmRequest> Requests { get; } = new();
        public string Name => inner.Name;
        public IReadOnlyList<ModelInfo> ListModels() => inner.ListModels();
        public bool Serves(string modelId) => inner.Serves(modelId);

        public async IAsyncEnumerable<LlmChunk> StreamAsync(LlmRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            Requests.Enqueue(request);
            await foreach (var chunk in inner.StreamAsync(request, cancellationToken))
            {
                yield return chunk;
            }
        }
    }

    private static SimulatedSearchProvider Search(int delayMs, string? failure = null) =>
        new(Options.Create(new SearchOptions { SimulatedDelayMs = delayMs, SimulatedFailure = failure, MaxResults = 3 }), TimeProvider.System);

    private const string Slowish = "sim/slowish?ttft=20&tps=60&tokens=40";

    [Test]
    public async Task Results_ArriveWhileAnswersStream_AndReachLaterStages()
    {
        var recording = new Recording(new SimulatedProvider(Options.Create(new CouncilOptions()), TimeProvider.System));
        var events = await Finish(Start([Fast, Slowish], search: Search(150), searchRun: true, router: new ModelRouter([recording])));

        var results = events.OfType<SearchResultsEvent>().Single();
        results.Error.ShouldBeNull();
        results.Results.Count.ShouldBe(3);
        results.Stage.ShouldBe(0);
        var answerTokens = events.OfType<TokenEvent>().Where(t => t.Stage == 0).Select(t => t.Seq).ToArray();
        results.Seq.ShouldBeGreaterThan(answerTokens.Min());
        results.Seq.ShouldBeLessThan(answerTokens.Max(), "the search did not wait for the answers, nor they for it");

        var url = results.Results[0].Url;
        recording.Requests.Where(r => r.Messages.Any(m => m.Content.Contains("FINAL RANKING"))).ShouldAllBe(r => r.LastUserContent.Contains(url));
        recording.Requests.Last().LastUserContent.ShouldContain(url, customMessage: "the synthesis prompt carries the sources");
        recording.Requests.Take(2).ShouldAllBe(r => !r.LastUserContent.Contains(url), "answers started before the results were in");
    }

    [Test]
    public async Task FailingSearch_IsShownAndTheRunGoesOn()
    {
        var events = await Finish(Start([Fast, Quick], search: Search(10, "Search service unavailable (simulated)."), searchRun: true));

        var results = events.OfType<SearchResultsEvent>().Single();
        results.Results.ShouldBeEmpty();
        results.Error.ShouldBe("Search service unavailable (simulated).");
        events[^1].ShouldBeOfType<RunCompleteEvent>().Status.ShouldBe(RunStatus.Ok);
    }

    [Test]
    public async Task SlowSearch_NeverDelaysTheRun()
    {
        var started = TimeProvider.System.GetTimestamp();
        var events = await Finish(Start([Fast, Quick], search: Search(60_000), searchRun: true));

        TimeProvider.System.GetElapsedTime(started).ShouldBeLessThan(TimeSpan.FromSeconds(30));
        events.OfType<SearchResultsEvent>().ShouldBeEmpty();
        events[^1].ShouldBeOfType<RunCompleteEvent>().Status.ShouldBe(RunStatus.Ok);
    }

    [Test]
    public async Task RunWithoutSearch_SendsNoResults()
    {
        var events = await Finish(Start([Fast, Quick], search: Search(10)));
        events.OfType<SearchResultsEvent>().ShouldBeEmpty();
    }
}
