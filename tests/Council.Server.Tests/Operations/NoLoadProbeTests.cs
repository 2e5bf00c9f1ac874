using System.Net;
using Council.Server.Tests.Telemetry;

namespace Council.Server.Tests.Operations;

/// <summary>The load probe lives in its own assembly (tests/load/probe), loaded only by the load driver.</summary>
[CancelAfter(30_000)]
public sealed class NoLoadProbeTests
{
    [Test]
    public void TheServerAssembly_HasNoProbeCode()
    {
        var types = typeof(Program).Assembly.GetTypes();

        types.ShouldNotContain(t => (t.Namespace ?? "").Contains("LoadProbe", StringComparison.Ordinal));
        types.ShouldNotContain(t => t.Name.Contains("Stamp", StringComparison.Ordinal));
    }

    [Test]
    public async Task TheProbeEndpoint_IsNotThere_WhateverTheSettings(CancellationToken cancellationToken)
    {
        await using var app = new CouncilApp(new Dictionary<string, string?> { ["Council:LoadProbe:Enabled"] = "true" }).Start();
        using var http = app.Http();

        using var response = await http.GetAsync(new Uri("/api/load-probe", UriKind.Relative), cancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }
}
