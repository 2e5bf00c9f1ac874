using Council.Server.Providers;
using Council.Server.Providers.Simulated;
using Microsoft.Extensions.Options;

namespace Council.Server.Tests.Providers.Simulated;

public class SimulatedProviderTests
{
    private static readonly SimulatedProvider Provider = new(Options.Create(new CouncilOptions()), TimeProvider.System);

    private static LlmRequest Ask(string model, string prompt = "Why is the sky blue?") =>
        new(model, [new ChatMessage(ChatRole.User, prompt)]);

    private static async Task<(string Text, List<LlmChunk> Chunks)> Run(LlmRequest request)
    {
        var chunks = new List<LlmChunk>();
        await foreach (var chunk in Provider.StreamAsync(request, CancellationToken.None))
        {
            chunks.Add(chunk);
        }
        return (string.Concat(chunks.OfType<TextChunk>().Select(c => c.Text)), chunks);
    }

    [Test]
    public async Task Stream_SameIdPromptAndSeed_IsIdentical()
    {
        var first = await Run(Ask("sim/a?ttft=0&tps=10000&tokens=80"));
        var second = await Run(Ask("sim/a?ttft=0&tps=10000&tokens=80"));
        first.Text.ShouldBe(second.Text);
        first.Chunks.OfType<TextChunk>().Count().ShouldBe(80);
    }

    [Test]
    public async Task Stream_OtherSeedOrPrompt_Differs()
    {
        var baseline = await Run(Ask("sim/a?ttft=0&tps=10000&tokens=80"));
        (await Run(Ask("sim/a?ttft=0&tps=10000&tokens=80&seed=7"))).Text.ShouldNotBe(baseline.Text);
        (await Run(Ask("sim/a?ttft=0&tps=10000&tokens=80", "Something else entirely"))).Text.ShouldNotBe(baseline.Text);
    }

    [Test]
    public async Task Stream_EndsWithUsageAndStop()
    {
        var (_, chunks) = await Run(Ask("sim/a?ttft=0&tps=10000&tokens=20"));
        chunks[^2].ShouldBeOfType<UsageChunk>().CompletionTokens.ShouldBe(20);
        chunks[^1].ShouldBe(new FinishChunk("stop"));
    }

    [Test]
    public async Task Stream_ReviewPrompt_EndsWithAValidRankingOfItsLabels()
    {
        var prompt = "Rank these.\n\nResponse A:\nfoo\n\nResponse B:\nbar\n\nResponse C:\nbaz\n\nEnd with FINAL RANKING:";
        var (text, _) = await Run(Ask("sim/r?ttft=0&tps=10000&tokens=10", prompt));

        var ranking = Council.Server.Workflows.RankingParser.Parse(text, ["A", "B", "C"]);
        ranking.Count.ShouldBe(3);
        ranking.ShouldBeUnique();
    }

    [Test]
    public void Stream_FailBefore_ThrowsBeforeAnyText()
    {
        var chunks = new List<LlmChunk>();
        var ex = Should.ThrowAsync<ProviderException>(async () =>
        {
            await foreach (var c in Provider.StreamAsync(Ask("sim/f?ttft=0&fail=before"), CancellationToken.None))
            {
                chunks.Add(c);
            }
        });
        ex.Result.Message.ShouldContain("before the first token");
        chunks.ShouldBeEmpty();
    }

    [Test]
    public void Stream_FailMidstream_ThrowsAfterHalfTheTokens()
    {
        var chunks = new List<LlmChunk>();
        Should.ThrowAsync<ProviderException>(async () =>
        {
            await foreach (var c in Provider.StreamAsync(Ask("sim/f?ttft=0&tps=10000&tokens=40&fail=midstream"), CancellationToken.None))
            {
                chunks.Add(c);
            }
        }).Result.Code.ShouldBe("simulated_midstream");
        chunks.Count.ShouldBe(20);
    }

    [Test]
    public async Task Stream_Stall_GoesSilentUntilCancelled()
    {
        using var cts = new CancellationTokenSource();
        var chunks = new List<LlmChunk>();
        var streaming = Task.Run(async () =>
        {
            await foreach (var c in Provider.StreamAsync(Ask("sim/s?ttft=0&tps=10000&tokens=10&fail=stall"), cts.Token))
            {
                chunks.Add(c);
            }
        });
        await Task.Delay(300);
        streaming.IsCompleted.ShouldBeFalse();
        chunks.Count.ShouldBe(5);
        await cts.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(streaming);
    }

    [Test]
    public async Task Stream_PacesTokensAtTheConfiguredRate()
    {
        var started = TimeProvider.System.GetTimestamp();
        await Run(Ask("sim/p?ttft=100&tps=100&tokens=21"));
        // 100 ms to the first token, then 20 intervals of 10 ms: at least 300 ms in all.
        TimeProvider.System.GetElapsedTime(started).TotalMilliseconds.ShouldBeGreaterThanOrEqualTo(295);
    }

    [TestCase("sim/ok", true)]
    [TestCase("sim/ok?ttft=5&tps=2.5&tokens=3&fail=stall&seed=-4", true)]
    [TestCase("sim/", false)]
    [TestCase("sim/a b", false)]
    [TestCase("sim/a?ttft=x", false)]
    [TestCase("sim/a?fail=sometimes", false)]
    [TestCase("sim/a?tokens=0", false)]
    [TestCase("sim/a?colour=red", false)]
    [TestCase("openrouter/x", false)]
    public void Serves_OnlyValidSimulatedIds(string id, bool served) => Provider.Serves(id).ShouldBe(served);

    [Test]
    public void Parse_DerivesMissingParametersFromTheName()
    {
        SimulatedModelSpec.TryParse("sim/alpha", out var a, out _).ShouldBeTrue();
        SimulatedModelSpec.TryParse("sim/alpha", out var again, out _).ShouldBeTrue();
        a.ShouldBe(again);
        a.Fault.ShouldBe(SimulatedFault.None);
    }
}
