using System.Net;
using System.Text;
using System.Text.Json;
using Council.Server.Providers;
using Council.Server.Providers.Simulated;
using Council.Server.Tests.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Council.Server.Tests.Providers;

/// <summary>
/// The simulated models over the OpenAI API (<c>/v1</c>) of a real server, read back through
/// <see cref="Council.Server.Providers.OpenAiCompatible.OpenAiCompatibleProvider"/>: the HTTP path must change nothing.
/// </summary>
[CancelAfter(30_000)]
public sealed class SimulatedOpenAiApiTests
{
    private CouncilApp _app = null!;
    private ProviderTestHost _client = null!;
    private string _url = "";

    [OneTimeSetUp]
    public async Task StartServerAndClient()
    {
        // The real app: /v1 is mapped beside the councils (ChatCompletions), with the server's auth (None here).
        _app = new CouncilApp().Start();
        _url = _app.BaseAddress.ToString().TrimEnd('/');

        _client = await ProviderTestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Council:Providers:council:BaseUrl"] = $"{_url}/v1",
            ["Council:Providers:council:RetryBaseDelayMs"] = "10",
        }, CancellationToken.None);
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        await _client.DisposeAsync();
        await _app.DisposeAsync();
    }

    [TestCase("sim/alpha?ttft=0&tps=5000&tokens=60", "What is the capital of France?")]
    [TestCase("sim/beta?ttft=5&tps=2000&tokens=25&seed=7", "Explain naïve Bayes — briefly, with 日本語 examples.")]
    public async Task Stream_OverV1_EqualsTheSimulatedProviderDirectly(string model, string question, CancellationToken cancellationToken)
    {
        var direct = await Direct().StreamAsync(StreamCollector.Ask(model, question), cancellationToken).CollectAsync(cancellationToken);

        var viaHttp = await _client.ProviderFor($"council/{model}").StreamAsync(StreamCollector.Ask($"council/{model}", question), cancellationToken).CollectAsync(cancellationToken);

        direct.Error.ShouldBeNull();
        viaHttp.Error.ShouldBeNull();
        viaHttp.Chunks.OfType<TextChunk>().ShouldBe(direct.Chunks.OfType<TextChunk>(), "the same tokens, split the same way");
        viaHttp.Chunks.Content().OfType<UsageChunk>().ShouldBe(direct.Chunks.OfType<UsageChunk>());
        viaHttp.Chunks.Content()[^1].ShouldBe(new FinishChunk("stop"));
    }

    [Test]
    public async Task Stream_OverV1_WithMidstreamFailure_KeepsTheTextAndSurfacesTheMessage(CancellationToken cancellationToken)
    {
        const string model = "sim/gamma?ttft=0&tps=5000&tokens=20&fail=midstream";
        var direct = await Direct().StreamAsync(StreamCollector.Ask(model), cancellationToken).CollectAsync(cancellationToken);

        var (chunks, error) = await _client.ProviderFor($"council/{model}").StreamAsync(StreamCollector.Ask($"council/{model}"), cancellationToken).CollectAsync(cancellationToken);

        chunks.Text().ShouldBe(direct.Chunks.Text());
        chunks.Text().ShouldNotBeEmpty();
        var failure = error.ShouldBeOfType<ProviderException>();
        failure.Message.ShouldBe("gamma: simulated failure after 10 tokens");
        failure.Message.ShouldBe(direct.Error.ShouldBeOfType<ProviderException>().Message);
        failure.Code.ShouldBe("simulated_midstream");
    }

    [Test]
    public async Task Stream_OverV1_WithFailureBeforeTheFirstToken_SurfacesTheMessage(CancellationToken cancellationToken)
    {
        const string model = "sim/delta?ttft=0&fail=before";

        var (chunks, error) = await _client.ProviderFor($"council/{model}").StreamAsync(StreamCollector.Ask($"council/{model}"), cancellationToken).CollectAsync(cancellationToken);

        chunks.Text().ShouldBeEmpty();
        var failure = error.ShouldBeOfType<ProviderException>();
        failure.Message.ShouldBe("delta: simulated failure before the first token");
        failure.Code.ShouldBe("simulated_before");
    }

    [Test]
    public async Task Stream_OverV1_WhileTheModelThinks_SendsCommentsSeenAsKeepAlive(CancellationToken cancellationToken)
    {
        const string model = "sim/slow?ttft=1300&tps=5000&tokens=5";

        var (chunks, error) = await _client.ProviderFor($"council/{model}").StreamAsync(StreamCollector.Ask($"council/{model}"), cancellationToken).CollectAsync(cancellationToken);

        error.ShouldBeNull();
        // One for the role chunk, at least one more for a ": SIMULATED PROCESSING" comment.
        chunks.TakeWhile(c => c is not TextChunk).OfType<KeepAliveChunk>().Count().ShouldBeGreaterThanOrEqualTo(2);
    }

    [Test]
    public async Task Stream_OverV1_WithUnknownModel_FailsWithoutRetry(CancellationToken cancellationToken)
    {
        var (_, error) = await _client.ProviderFor("council/gpt-4o").StreamAsync(StreamCollector.Ask("council/gpt-4o"), cancellationToken).CollectAsync(cancellationToken);

        var failure = error.ShouldBeOfType<ProviderException>();
        failure.Code.ShouldBe("model_not_found");
        failure.Message.ShouldStartWith("The model 'gpt-4o' does not exist here");
        failure.Message.ShouldEndWith("(HTTP 404)");
    }

    [Test]
    public async Task ChatCompletions_WithoutStream_AnswersWithOneJsonCompletion(CancellationToken cancellationToken)
    {
        const string model = "sim/alpha?ttft=0&tps=5000&tokens=30";
        var direct = await Direct().StreamAsync(StreamCollector.Ask(model), cancellationToken).CollectAsync(cancellationToken);
        using var http = new HttpClient();
        using var content = new StringContent(
            JsonSerializer.Serialize(new { model, messages = new[] { new { role = "system", content = "Answer briefly." }, new { role = "user", content = "What is the capital of France?" } } }),
            Encoding.UTF8,
            "application/json");

        using var response = await http.PostAsync(new Uri($"{_url}/v1/chat/completions"), content, cancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        body.RootElement.GetProperty("object").GetString().ShouldBe("chat.completion");
        var choice = body.RootElement.GetProperty("choices")[0];
        choice.GetProperty("message").GetProperty("content").GetString().ShouldBe(direct.Chunks.Text());
        choice.GetProperty("finish_reason").GetString().ShouldBe("stop");
        var usage = direct.Chunks.OfType<UsageChunk>().Single();
        body.RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32().ShouldBe(usage.CompletionTokens);
        body.RootElement.GetProperty("usage").GetProperty("cost").GetDecimal().ShouldBe(usage.Cost!.Value);
    }

    [Test]
    public async Task Models_ListsTheCouncilsThenTheSimulatedModels(CancellationToken cancellationToken)
    {
        using var http = new HttpClient();

        using var body = JsonDocument.Parse(await http.GetStringAsync(new Uri($"{_url}/v1/models"), cancellationToken));

        body.RootElement.GetProperty("object").GetString().ShouldBe("list");
        body.RootElement.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString())
            .ShouldBe(["council", "council/council", "council/grid", "council/pipeline",
                .. _app.Get<SimulatedProvider>().ListModels().Select(m => m.Id)]);
        _app.Get<SimulatedProvider>().ListModels().Select(m => m.Id).ShouldContain("sim/chair?ttft=300&tps=40&tokens=220", "appsettings.json's chairman");
    }

    private static SimulatedProvider Direct() => new(Options.Create(new CouncilOptions()), TimeProvider.System);
}
