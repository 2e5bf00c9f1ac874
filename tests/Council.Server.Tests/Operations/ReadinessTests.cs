using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Council.Server.Providers;
using Council.Server.Tests.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Council.Server.Tests.Operations;

/// <summary><c>/readyz</c>: ready with a working database and models; 503 with a reason otherwise; <c>/healthz</c> stays live.</summary>
[CancelAfter(30_000)]
public sealed class ReadinessTests
{
    [Test]
    public async Task Ready_WithItsDatabaseAndModels(CancellationToken cancellationToken)
    {
        await using var app = new CouncilApp().Start();
        using var http = app.Http();

        var (status, body) = await ReadyzAsync(http, cancellationToken);

        status.ShouldBe(HttpStatusCode.OK);
        body.GetProperty("status").GetString().ShouldBe("ready");
        body.GetProperty("checks").GetProperty("storage").GetString().ShouldBe("ok");
        body.GetProperty("checks").GetProperty("models").GetInt32().ShouldBeGreaterThan(0);
    }

    [Test]
    public async Task Unready_WhenTheDatabaseFileIsReplacedByGarbage_WhileLiveStaysOk(CancellationToken cancellationToken)
    {
        await using var app = new CouncilApp().Start();
        using var http = app.Http();
        (await ReadyzAsync(http, cancellationToken)).Status.ShouldBe(HttpStatusCode.OK);

        await File.WriteAllBytesAsync(app.DatabasePath, new byte[8192].Select((_, i) => (byte)(i * 7 + 3)).ToArray(), cancellationToken);

        var (status, body) = await ReadyzAsync(http, cancellationToken);
        status.ShouldBe(HttpStatusCode.ServiceUnavailable);
        body.GetProperty("status").GetString().ShouldBe("unready");
        body.GetProperty("reason").GetString()!.ShouldContain("database");
        body.GetProperty("checks").GetProperty("storage").GetString().ShouldBe("failed");
        (await http.GetAsync(new Uri("/healthz", UriKind.Relative), cancellationToken)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Test]
    public async Task Unready_WhenTheDatabaseFolderIsGone(CancellationToken cancellationToken)
    {
        await using var app = new CouncilApp().Start();
        using var http = app.Http();
        (await ReadyzAsync(http, cancellationToken)).Status.ShouldBe(HttpStatusCode.OK);

        Directory.Delete(Path.GetDirectoryName(app.DatabasePath)!, recursive: true);

        var (status, body) = await ReadyzAsync(http, cancellationToken);
        status.ShouldBe(HttpStatusCode.ServiceUnavailable);
        body.GetProperty("reason").GetString()!.ShouldContain("database");
    }

    [Test]
    public async Task Unready_WhenNoProviderHasModels(CancellationToken cancellationToken)
    {
        await using var app = new CouncilApp(services: s =>
        {
            s.RemoveAll<ModelRouter>();
            s.AddSingleton(new ModelRouter([]));
        }).Start();
        using var http = app.Http();

        var (status, body) = await ReadyzAsync(http, cancellationToken);

        status.ShouldBe(HttpStatusCode.ServiceUnavailable);
        body.GetProperty("reason").GetString()!.ShouldContain("no provider has models");
        body.GetProperty("checks").GetProperty("storage").GetString().ShouldBe("ok");
        body.GetProperty("checks").GetProperty("models").GetInt32().ShouldBe(0);
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> ReadyzAsync(HttpClient http, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(new Uri("/readyz", UriKind.Relative), cancellationToken);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken));
    }
}
