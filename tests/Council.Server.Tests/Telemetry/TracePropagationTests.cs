using System.Diagnostics;
using static Council.Server.Tests.Telemetry.TracedCouncil;

namespace Council.Server.Tests.Telemetry;

/// <summary>
/// A model call's HTTP request carries its span's W3C trace context: the app is pointed at its own simulated
/// OpenAI-compatible API (<c>/v1</c>), so the request's server span shows up in the same trace, under the call.
/// </summary>
[CancelAfter(60_000)]
public sealed class TracePropagationTests
{
    private readonly SpanCollector _spans = new();
    private CouncilApp _app = null!;

    [OneTimeSetUp]
    public void StartApp()
    {
        var port = CouncilApp.FreePort();
        _app = new CouncilApp(new Dictionary<string, string?>
        {
            ["Council:Providers:self:BaseUrl"] = $"http://127.0.0.1:{port}/v1",
            ["Council:Providers:self:RetryBaseDelayMs"] = "10",
        }, _spans.AddTo, port).Start();
    }

    [OneTimeTearDown]
    public async Task StopApp() => await _app.DisposeAsync();

    [Test]
    public async Task ProviderRequest_CarriesTheCallSpan_AsItsTraceParent(CancellationToken cancellationToken)
    {
        await using var hub = await _app.ConnectAsync(cancellationToken);
        var runId = await StartAsync(hub, [$"self/{A}", $"self/{B}"], $"self/{Chair}", cancellationToken);
        var end = await RunCompleteAsync(hub, runId, cancellationToken);
        end.GetProperty("status").GetString().ShouldBe("ok");
        var run = await RunSpanAsync(_spans, runId, cancellationToken);

        var answers = ChildrenOf(_spans, run)[0];
        var call = ChildrenOf(_spans, answers).Single(c => (string?)c.Tag("gen_ai.request.model") == $"self/{A}");
        call.Tag("gen_ai.provider.name").ShouldBe("self");

        var outgoing = ChildrenOf(_spans, call).ShouldHaveSingleItem();
        outgoing.Source.Name.ShouldBe("System.Net.Http");
        outgoing.Kind.ShouldBe(ActivityKind.Client);

        var incoming = ChildrenOf(_spans, outgoing).ShouldHaveSingleItem();
        incoming.Source.Name.ShouldBe("Microsoft.AspNetCore");
        incoming.Kind.ShouldBe(ActivityKind.Server);
        incoming.TraceId.ShouldBe(run.TraceId);
        incoming.DisplayName.ShouldBe("POST /v1/chat/completions");
        incoming.Tag("http.route").ShouldBe("/v1/chat/completions");
        incoming.Tag("http.response.status_code").ShouldBe(200);
    }
}
