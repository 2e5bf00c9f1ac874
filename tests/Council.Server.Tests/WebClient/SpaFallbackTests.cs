using System.Net;
using System.Text.Json;
using Council.Server.Tests.Telemetry;

namespace Council.Server.Tests.WebClient;

/// <summary>The SPA's fallback serves its routes; unknown API paths answer 404 with JSON, never index.html.</summary>
[CancelAfter(30_000)]
public sealed class SpaFallbackTests
{
    private CouncilApp _app = null!;
    private string _webRoot = "";

    [OneTimeSetUp]
    public void Start()
    {
        _webRoot = Path.Combine(Path.GetTempPath(), "council-tests", "webroot-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_webRoot);
        File.WriteAllText(Path.Combine(_webRoot, "index.html"), "<!doctype html><title>Council SPA</title>");
        _app = new CouncilApp(new Dictionary<string, string?> { ["Council:WebRoot"] = _webRoot }).Start();
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        await _app.DisposeAsync();
        Directory.Delete(_webRoot, recursive: true);
    }

    [TestCase("/api/nothing-here")]
    [TestCase("/api/conversations/x/unknown/deeper")]
    [TestCase("/api/file.json")]
    [TestCase("/hubs/other")]
    [TestCase("/v1/unknown")]
    [TestCase("/v1/models/x/y")]
    public async Task UnknownApiPath_Answers404WithJson(string path, CancellationToken cancellationToken)
    {
        using var http = _app.Http();
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative), cancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        response.Content.Headers.ContentType!.MediaType!.ShouldContain("json");
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        body.ShouldNotContain("<!doctype html>");
        using var json = JsonDocument.Parse(body);
        if (path.StartsWith("/v1/", StringComparison.Ordinal))
        {
            json.RootElement.GetProperty("error").GetProperty("code").GetString().ShouldBe("unknown_url");
        }
        else
        {
            json.RootElement.GetProperty("status").GetInt32().ShouldBe(404);
        }
    }

    [TestCase("/")]
    [TestCase("/conversations/abc")]
    public async Task SpaRoute_ServesIndexHtml(string path, CancellationToken cancellationToken)
    {
        using var http = _app.Http();
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative), cancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync(cancellationToken)).ShouldContain("Council SPA");
    }

    [Test]
    public async Task KnownApiPaths_StillAnswer(CancellationToken cancellationToken)
    {
        using var http = _app.Http();
        (await http.GetAsync(new Uri("/api/conversations", UriKind.Relative), cancellationToken)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await http.GetAsync(new Uri("/v1/models", UriKind.Relative), cancellationToken)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await http.GetAsync(new Uri("/healthz", UriKind.Relative), cancellationToken)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
