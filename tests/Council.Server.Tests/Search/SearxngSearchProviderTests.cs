using Council.Server.Search;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Council.Server.Tests.Search;

/// <summary>The SearXNG client against recorded responses served by a real Kestrel on loopback.</summary>
public class SearxngSearchProviderTests
{
    private const string Recorded = """
        {"query":"sky blue","number_of_results":0,"results":[
          {"url":"https://en.wikipedia.org/wiki/Rayleigh_scattering","title":"Rayleigh scattering - Wikipedia","content":"Rayleigh scattering is the scattering of light by particles much smaller than the wavelength.","engine":"wikipedia","score":3.0},
          {"url":"https://spaceplace.nasa.gov/blue-sky/","title":"Why Is the Sky Blue? | NASA Space Place","content":"Sunlight reaches Earth's atmosphere and is scattered in all directions.","engine":"duckduckgo"},
          {"title":"no url, skipped","content":"x"}
        ],"answers":[],"suggestions":[]}
        """;

    private WebApplication _app = null!;
    private string _baseUrl = "";
    private string? _lastQuery;

    [OneTimeSetUp]
    public async Task StartRecordedServer()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.MapGet("/ok/search", (HttpContext c) =>
        {
            _lastQuery = c.Request.QueryString.Value;
            return Results.Text(Recorded, "application/json");
        });
        _app.MapGet("/down/search", () => Results.StatusCode(503));
        _app.MapGet("/garbage/search", () => Results.Text("<html>not json</html>", "text/html"));
        _app.MapGet("/slow/search", async (CancellationToken ct) => { await Task.Delay(10_000, ct); return Results.Text("{}"); });
        await _app.StartAsync();
        _baseUrl = _app.Urls.First();
    }

    [OneTimeTearDown]
    public async Task Stop() => await _app.DisposeAsync();

    private SearxngSearchProvider Provider(string path, int timeoutSeconds = 10)
    {
        var services = new ServiceCollection().AddHttpClient().BuildServiceProvider();
        return new SearxngSearchProvider(services.GetRequiredService<IHttpClientFactory>(),
            Options.Create(new SearchOptions { Provider = "searxng", BaseUrl = $"{_baseUrl}/{path}", MaxResults = 5, TimeoutSeconds = timeoutSeconds }));
    }

    [Test]
    public async Task Search_MapsResultsAndSkipsEntriesWithoutUrl()
    {
        var results = await Provider("ok").SearchAsync("why is the sky blue?", CancellationToken.None);

        results.Select(r => r.Url).ShouldBe(["https://en.wikipedia.org/wiki/Rayleigh_scattering", "https://spaceplace.nasa.gov/blue-sky/"]);
        results[0].Title.ShouldBe("Rayleigh scattering - Wikipedia");
        results[1].Snippet.ShouldStartWith("Sunlight reaches");
        _lastQuery.ShouldBe("?q=why%20is%20the%20sky%20blue%3F&format=json");
    }

    [Test]
    public async Task Search_ServiceDown_IsAClearSearchException()
    {
        var ex = await Should.ThrowAsync<SearchException>(() => Provider("down").SearchAsync("q", CancellationToken.None));
        ex.Message.ShouldContain("503");
    }

    [Test]
    public async Task Search_NotJson_IsAClearSearchException()
    {
        var ex = await Should.ThrowAsync<SearchException>(() => Provider("garbage").SearchAsync("q", CancellationToken.None));
        ex.Message.ShouldContain("not the expected JSON");
    }

    [Test]
    public async Task Search_NoAnswerInTime_IsAClearSearchException()
    {
        var ex = await Should.ThrowAsync<SearchException>(() => Provider("slow", timeoutSeconds: 1).SearchAsync("q", CancellationToken.None));
        ex.Message.ShouldContain("no answer within 1 s");
    }
}
