using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Council.Server.Tests.Telemetry;

namespace Council.Server.Tests.Operations;

/// <summary>With API keys: <c>/api/stats</c> is for admins, <c>/readyz</c> and <c>/healthz</c> answer anyone (probes).</summary>
[CancelAfter(30_000)]
public sealed class OperationsAuthTests
{
    private const string AdminKey = "council-admin-key-0001";
    private const string UserKey = "council-user-key-0002";
    private CouncilApp _app = null!;

    [OneTimeSetUp]
    public void StartApp() => _app = new CouncilApp(new Dictionary<string, string?>
    {
        ["Council:Auth:Mode"] = "ApiKeys",
        ["Council:Auth:ApiKeys:0:Hash"] = Sha256(AdminKey),
        ["Council:Auth:ApiKeys:0:User"] = "ops",
        ["Council:Auth:ApiKeys:0:Roles:0"] = "admin",
        ["Council:Auth:ApiKeys:1:Hash"] = Sha256(UserKey),
        ["Council:Auth:ApiKeys:1:User"] = "alice",
    }).Start();

    [OneTimeTearDown]
    public async Task StopApp() => await _app.DisposeAsync();

    [TestCase(null, HttpStatusCode.Unauthorized)]
    [TestCase(UserKey, HttpStatusCode.Forbidden)]
    [TestCase(AdminKey, HttpStatusCode.OK)]
    public async Task Stats_AreForAdmins(string? key, HttpStatusCode expected, CancellationToken cancellationToken) =>
        (await GetAsync("/api/stats", key, cancellationToken)).ShouldBe(expected);

    [TestCase("/readyz")]
    [TestCase("/healthz")]
    public async Task Probes_NeedNoKey(string path, CancellationToken cancellationToken) =>
        (await GetAsync(path, null, cancellationToken)).ShouldBe(HttpStatusCode.OK);

    private async Task<HttpStatusCode> GetAsync(string path, string? key, CancellationToken cancellationToken)
    {
        using var http = _app.Http();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
        using var response = await http.SendAsync(request, cancellationToken);
        return response.StatusCode;
    }

    private static string Sha256(string key) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key))).ToLowerInvariant();
}
