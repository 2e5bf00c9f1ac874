using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Council.Server.Storage;
using Council.Server.Tests.Leaderboard;
using Council.Server.Tests.Telemetry;

namespace Council.Server.Tests.Conversations;

/// <summary><c>GET /api/conversations/{id}/export?format=md|json</c> on the real app.</summary>
[CancelAfter(30_000)]
public sealed class ConversationExportTests
{
    private CouncilApp _app = null!;

    [OneTimeSetUp]
    public async Task StartApp()
    {
        _app = new CouncilApp().Start();
        var store = _app.Get<RunStore>();
        StoredRuns.Council(store, "run-x", Council.Server.Auth.CouncilUser.LocalUser, ["sim/a", "sim/b"],
            new Dictionary<string, string[]> { ["sim/a"] = ["sim/b", "sim/a"], ["sim/b"] = ["sim/b", "sim/a"] });
        using var http = _app.Http();
        (await http.PutAsJsonAsync(new Uri("/api/runs/run-x/best-answer", UriKind.Relative), new { model = "sim/a" })).StatusCode.ShouldBe(HttpStatusCode.NoContent);
    }

    [OneTimeTearDown]
    public async Task StopApp() => await _app.DisposeAsync();

    [Test]
    public async Task Markdown_HasTheQuestionEveryOutputTheRankingsTheFinalAnswerAndTheMetrics(CancellationToken cancellationToken)
    {
        using var http = _app.Http();
        using var response = await http.GetAsync(new Uri("/api/conversations/conv-run-x/export?format=md", UriKind.Relative), cancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/markdown");
        response.Content.Headers.ContentDisposition!.DispositionType.ShouldBe("attachment");
        var md = await response.Content.ReadAsStringAsync(cancellationToken);
        md.ShouldStartWith("# question of run-x\n");
        md.ShouldContain("> question of run-x");
        md.ShouldContain("### answers");
        md.ShouldContain("#### sim/a (ok · first token 100 ms · 1.1 s · 50 tokens) · ★ best answer (your pick)\n\nAnswer of sim/a.");
        md.ShouldContain("Answer of sim/b.");
        md.ShouldContain("### reviews");
        md.ShouldContain("Ranking: 1. sim/b, 2. sim/a");
        md.ShouldContain("| 1 | sim/b | 1 | 2 |");
        md.ShouldContain("### Final answer\n\nFinal of run-x.");
        md.ShouldContain("| answers | sim/a | ok | 100 ms | 1.1 s | 10 | 50 | $0.001 |");
    }

    [Test]
    public async Task Json_IsTheConversationWithEveryRunOutputRankingAndMetric(CancellationToken cancellationToken)
    {
        using var http = _app.Http();
        using var response = await http.GetAsync(new Uri("/api/conversations/conv-run-x/export?format=json", UriKind.Relative), cancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentDisposition!.FileName.ShouldBe("council-conv-run-x.json");
        var json = await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
        var run = json.GetProperty("runs").EnumerateArray().Single();
        run.GetProperty("outputs").GetArrayLength().ShouldBe(4);
        run.GetProperty("aggregateRankings")[0].GetProperty("model").GetString().ShouldBe("sim/b");
        run.GetProperty("metrics").GetProperty("calls").GetArrayLength().ShouldBe(2);
        run.GetProperty("bestAnswer").GetString().ShouldBe("sim/a");
    }

    [TestCase("/api/conversations/unknown/export?format=md", HttpStatusCode.NotFound)]
    [TestCase("/api/conversations/conv-run-x/export?format=pdf", HttpStatusCode.BadRequest)]
    public async Task Export_RefusesUnknownConversationsAndFormats(string path, HttpStatusCode expected, CancellationToken cancellationToken)
    {
        using var http = _app.Http();
        (await http.GetAsync(new Uri(path, UriKind.Relative), cancellationToken)).StatusCode.ShouldBe(expected);
    }
}
