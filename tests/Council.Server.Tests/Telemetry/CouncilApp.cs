using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Council.Server.Tests.Telemetry;

/// <summary>
/// The real app (its <c>Program</c>, appsettings and registrations) on Kestrel at a free loopback port, with
/// its own SQLite file in a temporary folder, no real provider key, and no OTLP export unless a test sets it.
/// </summary>
internal sealed class CouncilApp : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _services;

    public CouncilApp(IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null, int? port = null)
    {
        Folder = Path.Combine(Path.GetTempPath(), "council-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
        Port = port ?? FreePort();
        _settings = new Dictionary<string, string?>
        {
            ["Council:Storage:Path"] = DatabasePath,
            ["Council:Storage:FlushIntervalMs"] = "5",
            ["Council:OpenRouterDefaults:Enabled"] = "false",
            ["OPENROUTER_API_KEY"] = "",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        // Whatever the machine has, nothing is exported unless a test asks. Only variables that are set are blanked:
        // the SDK takes a blank per-signal endpoint as set, over the shared one a test may give.
        foreach (var key in new[] { "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT" })
        {
            if (Environment.GetEnvironmentVariable(key) is not null)
            {
                _settings[key] = "";
            }
        }
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }
        _services = services;
        UseKestrel(Port);
    }

    public string Folder { get; }

    public string DatabasePath => Path.Combine(Folder, "data", "council.db");

    public int Port { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");

    /// <summary>Starts the server; the host is built on first use.</summary>
    public CouncilApp Start()
    {
        StartServer();
        return this;
    }

    public HttpClient Http() => new() { BaseAddress = BaseAddress };

    public Task<HubTestClient> ConnectAsync(CancellationToken cancellationToken) =>
        HubTestClient.ConnectAsync(new Uri($"ws://127.0.0.1:{Port}/hubs/council"), cancellationToken);

    public T Get<T>() where T : notnull => Services.GetRequiredService<T>();

    /// <summary>A port nobody listens on now, for settings that must name the server's own address up front.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        if (_services is not null)
        {
            builder.ConfigureTestServices(_services);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
