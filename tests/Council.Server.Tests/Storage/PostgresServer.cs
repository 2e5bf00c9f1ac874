using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Council.Server.Tests.Storage;

/// <summary>
/// A real PostgreSQL from Debian's binaries (<c>/usr/lib/postgresql/*/bin</c>): initdb into a temporary folder, then
/// <c>postgres</c> on a free loopback port, its unix socket in that folder; as root it runs as the <c>postgres</c> user.
/// </summary>
internal sealed class PostgresServer : IAsyncDisposable
{
    private const string Password = "council";
    private readonly string _directory;
    private readonly Process _process;

    private PostgresServer(string directory, int port, Process process)
    {
        _directory = directory;
        Port = port;
        _process = process;
    }

    public int Port { get; }

    /// <summary>An Npgsql connection string to <paramref name="database"/>.</summary>
    public string ConnectionString(string database = "postgres") =>
        $"Host=127.0.0.1;Port={Port};Database={database};Username=council;Password={Password};Pooling=false";

    public static async Task<PostgresServer> StartAsync()
    {
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(v => Path.Combine(v, "bin")).Where(b => File.Exists(Path.Combine(b, "postgres")))
                .OrderByDescending(b => b, StringComparer.Ordinal).FirstOrDefault()
            : null;
        if (bin is null)
        {
            Assert.Fail("PostgreSQL is not installed (apt-get install postgresql; .ci/run does)");
        }
        var directory = Path.Combine(Path.GetTempPath(), "council-tests", "pg-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var passwordFile = Path.Combine(directory, "pw");
        await File.WriteAllTextAsync(passwordFile, Password);
        if (Environment.IsPrivilegedProcess)
        {
            await RunAsync("chown", ["-R", "postgres", directory]);
        }
        var data = Path.Combine(directory, "data");
        await RunAsync(Path.Combine(bin!, "initdb"), ["-D", data, "-U", "council", "--pwfile", passwordFile, "-A", "scram-sha-256", "--no-sync", "-E", "UTF8", "--locale", "C"], asOwner: true);
        var port = FreePort();
        var process = Start(Path.Combine(bin!, "postgres"),
            ["-D", data, "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-h", "127.0.0.1", "-k", directory, "-c", "fsync=off", "-c", "synchronous_commit=off"], asOwner: true);
        var server = new PostgresServer(directory, port, process);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(server.ConnectionString());
                await connection.OpenAsync();
                return server;
            }
            catch (NpgsqlException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                await Task.Delay(100);
            }
        }
    }

    /// <summary>A new empty database; returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "t" + Guid.NewGuid().ToString("N");
        await using var connection = new NpgsqlConnection(ConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await command.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    public async ValueTask DisposeAsync()
    {
        var postmaster = Path.Combine(_directory, "data", "postmaster.pid");
        if (File.Exists(postmaster) && int.TryParse((await File.ReadAllLinesAsync(postmaster))[0], out var pid))
        {
            await RunAsync("kill", ["-INT", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]); // fast shutdown
        }
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private static Process Start(string file, string[] args, bool asOwner = false)
    {
        var info = asOwner && Environment.IsPrivilegedProcess ? new ProcessStartInfo("runuser") : new ProcessStartInfo(file);
        if (asOwner && Environment.IsPrivilegedProcess)
        {
            foreach (var a in (string[])["-u", "postgres", "--", file])
            {
                info.ArgumentList.Add(a);
            }
        }
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        var process = Process.Start(info)!;
        process.OutputDataReceived += static (_, _) => { };
        process.ErrorDataReceived += static (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task RunAsync(string file, string[] args, bool asOwner = false)
    {
        using var process = Start(file, args, asOwner);
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        if (process.ExitCode != 0)
        {
            Assert.Fail($"{file} {string.Join(' ', args)} exited with {process.ExitCode}");
        }
    }
}
