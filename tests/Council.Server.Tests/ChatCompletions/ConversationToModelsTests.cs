using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Council.Server.Tests.Providers;
using Council.Server.Tests.Telemetry;

namespace Council.Server.Tests.ChatCompletions;

/// <summary>
/// A conversation sent to <c>/v1/chat/completions</c> reaches the council's members as the conversation: system
/// message, earlier turns, then the question, through the real OpenAI-compatible provider (a recorded upstream).
/// </summary>
[CancelAfter(30_000)]
public sealed class ConversationToModelsTests
{
    private static readonly string[] Members = ["rec/m1", "rec/m2"];

    [Test]
    public async Task TheSystemMessageAndEarlierTurns_ReachEveryMember_TheLastUserMessageIsTheStoredPrompt(CancellationToken cancellationToken)
    {
        await using var upstream = await RecordedStreamServer.StartAsync(cancellationToken);
        var testId = Guid.NewGuid().ToString("N");
        await using var app = new CouncilApp(new Dictionary<string, string?>
        {
            ["Council:Providers:rec:BaseUrl"] = upstream.BaseUrl("replay.openai", testId),
            ["Council:Providers:rec:Models:0"] = "m1",
        }).Start();
        using var http = app.Http();

        using var response = await http.PostAsJsonAsync("/v1/chat/completions", new
        {
            model = "council/grid",
            messages = new object[]
            {
                new { role = "system", content = "Answer in French." },
                new { role = "user", content = "What is 2 + 2?" },
                new { role = "assistant", content = "4" },
                new { role = "user", content = new[] { new { type = "text", text = "And 3 + 3?" } } },
            },
            council = new { models = Members, chairman = "sim/chair?ttft=5&tps=500&tokens=10" },
        }, cancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var runId = response.Headers.GetValues("X-Council-Run").Single();
        var bodies = upstream.RequestsOf(testId).Select(r => JsonDocument.Parse(r.Body).RootElement).ToArray();
        bodies.Select(b => b.GetProperty("model").GetString()).ShouldBe(["m1", "m2"], ignoreOrder: true);
        foreach (var body in bodies)
        {
            body.GetProperty("messages").EnumerateArray().Select(m => (m.GetProperty("role").GetString(), m.GetProperty("content").GetString()))
                .ShouldBe([("system", "Answer in French."), ("user", "What is 2 + 2?"), ("assistant", "4"), ("user", "And 3 + 3?")]);
        }
        using var run = JsonDocument.Parse(await http.GetStringAsync(new Uri($"/api/runs/{runId}", UriKind.Relative), cancellationToken));
        run.RootElement.GetProperty("prompt").GetString().ShouldBe("And 3 + 3?");
        using var completion = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        completion.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()
            .ShouldBe(run.RootElement.GetProperty("final").GetString());
    }
}
