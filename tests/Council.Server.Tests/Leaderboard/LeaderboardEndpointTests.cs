using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Council.Server.Storage;
using Council.Server.Tests.Telemetry;

namespace Council.Server.Tests.Leaderboard;

/// <summary><c>GET /api/leaderboard</c> and the best-answer pick on the real app, with API keys for two users.</summary>
[CancelAfter(30_000)]
public sealed class LeaderboardEndpointTests
{
    private const string AliceKey = "council-alice-key-0001";
    private const string BobKey = "council-bob-key-0002";
    private CouncilApp _app = null!;

    [OneTimeSetUp]
    public void StartApp()
    {
        _app = new CouncilApp(new Dictionary<string, string?>
        {
            ["Council:Auth:Mode"] = "ApiKeys",
            ["Council:Auth:ApiKeys:0:Hash"] = Sha256(AliceKey),
            ["Council:Auth:ApiKeys:0:User"] = "alice",
            ["Council:Auth:ApiKeys:1:Hash"] = Sha256(BobKey),
            ["Council:Auth:ApiKeys:1:User"] = "bob",
        }).Start();
        var store = _app.Get<RunStore>();
        StoredRuns.Council(store, "alice-1", "alice", ["sim/a", "sim/b"], new Dictionary<string, string[]> { ["sim/a"] = ["sim/b", "sim/a"], ["sim/b"] = ["sim/a", "sim/b"] });
        StoredRuns.Council(store, "bob-1", "bob", ["sim/a", "sim/c"], new Dictionary<string, string[]> { ["sim/a"] = ["sim/c", "sim/a"] });
    }

    [OneTimeTearDown]
    public async Task StopApp() => await _app.DisposeAsync();

    [Test]
    public async Task Leaderboard_NeedsAKey_AndCountsOnlyTheCallersRuns(CancellationToken cancellationToken)
    {
        using var http = _app.Http();
        (await http.GetAsync(new Uri("/api/leaderboard", UriKind.Relative), cancellationToken)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        var alice = await GetJsonAsync("/api/leaderboard", AliceKey, cancellationToken);
        alice.GetProperty("runs").GetInt32().ShouldBe(1);
        alice.GetProperty("models").EnumerateArray().Select(m => m.GetProperty("model").GetString()).Order().ShouldBe(["sim/a", "sim/b"]);
        var bob = await GetJsonAsync("/api/leaderboard?models=sim/c", BobKey, cancellationToken);
        bob.GetProperty("models").EnumerateArray().Single().GetProperty("model").GetString().ShouldBe("sim/c");
        bob.GetProperty("filter").GetProperty("models").EnumerateArray().Single().GetString().ShouldBe("sim/c");
    }

    [TestCase("period=7x")]
    [TestCase("from=yesterday")]
    public async Task Leaderboard_SaysWhatToFix_InABadFilter(string query, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, $"/api/leaderboard?{query}", AliceKey, null, cancellationToken);
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync(cancellationToken)).ShouldContain(query.Split('=')[0]);
    }

    [Test]
    public async Task BestAnswer_IsStoredWithTheRun_AndCountsInTheLeaderboard(CancellationToken cancellationToken)
    {
        (await SendAsync(HttpMethod.Put, "/api/runs/alice-1/best-answer", BobKey, new { model = "sim/a" }, cancellationToken)).StatusCode.ShouldBe(HttpStatusCode.NotFound, "bob cannot see alice's run");
        (await SendAsync(HttpMethod.Put, "/api/runs/alice-1/best-answer", AliceKey, new { model = "sim/z" }, cancellationToken)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await SendAsync(HttpMethod.Put, "/api/runs/alice-1/best-answer", AliceKey, new { }, cancellationToken)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await SendAsync(HttpMethod.Put, "/api/runs/alice-1/best-answer", AliceKey, new { model = "sim/b" }, cancellationToken)).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        (await GetJsonAsync("/api/runs/alice-1", AliceKey, cancellationToken)).GetProperty("bestAnswer").GetString().ShouldBe("sim/b");
        var board = await GetJsonAsync("/api/leaderboard", AliceKey, cancellationToken);
        board.GetProperty("picks").GetInt32().ShouldBe(1);
        board.GetProperty("models").EnumerateArray().Single(m => m.GetProperty("model").GetString() == "sim/b").GetProperty("userElo").GetDouble().ShouldBe(1016);

        (await SendAsync(HttpMethod.Delete, "/api/runs/alice-1/best-answer", AliceKey, null, cancellationToken)).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await GetJsonAsync("/api/leaderboard", AliceKey, cancellationToken)).GetProperty("picks").GetInt32().ShouldBe(0);
    }

    private async Task<JsonElement> GetJsonAsync(string path, string key, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, path, key, null, cancellationToken);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync(cancellationToken));
        return await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
    }

    internal async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string key, object? body, CancellationToken cancellationToken)
    {
        using var http = _app.Http();
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }
        return await http.SendAsync(request, cancellationToken);
    }

    private static string Sha256(string key) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key))).ToLowerInvariant();
}
