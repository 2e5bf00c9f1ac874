using Council.Contracts.Messages;
using Council.Server.Providers;
using Council.Server.Providers.Simulated;
using Council.Server.Tests.Telemetry;
using Microsoft.Extensions.Options;
using static Council.Server.Tests.Grains.GrainHarness;

namespace Council.Server.Tests.Grains;

/// <summary>Chairmen and role models no provider serves: refused at start_run, skipped when one disappears mid-run.</summary>
[CancelAfter(30_000)]
public sealed class UnservedModelTests
{
    /// <summary>Serves <c>gone/…</c> models until told they are gone (a provider that dropped a model from its list).</summary>
    private sealed class DroppingProvider(SimulatedProvider simulated) : ILlmProvider
    {
        public volatile bool Dropped;

        public string Name => "dropping";

        public IReadOnlyList<ModelInfo> ListModels() => [];

        public bool Serves(string modelId) => !Dropped && modelId.StartsWith("gone/", StringComparison.Ordinal);

        public IAsyncEnumerable<LlmChunk> StreamAsync(LlmRequest request, CancellationToken cancellationToken) =>
            simulated.StreamAsync(request with { Model = "sim/" + request.Model["gone/".Length..] }, cancellationToken);
    }

    [Test]
    public async Task ChairmanGoneBeforeTheSynthesis_TheNextFallbackWrites()
    {
        var options = new CouncilOptions();
        var simulated = new SimulatedProvider(Options.Create(options), TimeProvider.System);
        var dropping = new DroppingProvider(simulated) { Dropped = true };
        var router = new ModelRouter([dropping, simulated]);

        var events = await Finish(Start([Fast, Quick], chairman: "gone/chair?ttft=10", fallbacks: ["gone/other?ttft=10", Chair], router: router));

        var end = events.OfType<RunCompleteEvent>().Single();
        end.Status.ShouldBe(RunStatus.Ok, end.Error);
        var synthesis = events.OfType<ModelCompleteEvent>().Where(c => c.Stage == 2).ToArray();
        synthesis.Select(c => (c.Model, c.Status)).ShouldBe([
            ("gone/chair?ttft=10", ModelStatus.Failed), ("gone/other?ttft=10", ModelStatus.Failed), (Chair, ModelStatus.Ok)]);
        synthesis[0].Error!.ShouldContain("No provider serves 'gone/chair?ttft=10'");
        end.Final.ShouldBe(synthesis[2].Text);
    }

    [Test]
    public async Task StartRun_WithAFallbackChairmanNoProviderServes_IsRefusedNamingIt(CancellationToken cancellationToken)
    {
        await using var app = new CouncilApp(new Dictionary<string, string?>
        {
            ["Council:FallbackChairmen:0"] = Chair,
            ["Council:FallbackChairmen:1"] = "nowhere/chair",
        }).Start();
        await using var hub = await app.ConnectAsync(cancellationToken);

        var refused = await Should.ThrowAsync<InvalidOperationException>(() =>
            hub.InvokeAsync("start_run", new { prompt = "Hi", models = new[] { Fast }, chairman = Chair }, cancellationToken));

        refused.Message.ShouldContain("'nowhere/chair'");
        refused.Message.ShouldContain("Council:FallbackChairmen");
    }

    [Test]
    public async Task StartRun_WithARoleModelNoProviderServes_IsRefusedNamingIt(CancellationToken cancellationToken)
    {
        await using var app = new CouncilApp(new Dictionary<string, string?>
        {
            ["Council:Workflows:odd:Description"] = "A role played by a model nobody serves.",
            ["Council:Workflows:odd:Stages:0:Name"] = "writer",
            ["Council:Workflows:odd:Stages:0:Kind"] = "role",
            ["Council:Workflows:odd:Stages:0:Model"] = "nowhere/writer",
            ["Council:Workflows:odd:Stages:0:SystemPrompt"] = "Write.",
        }).Start();
        await using var hub = await app.ConnectAsync(cancellationToken);

        var refused = await Should.ThrowAsync<InvalidOperationException>(() =>
            hub.InvokeAsync("start_run", new { prompt = "Hi", workflow = "odd", models = new[] { Fast } }, cancellationToken));

        refused.Message.ShouldContain("'nowhere/writer'");
        refused.Message.ShouldContain("writer");
    }
}
