using Council.Server.Storage;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Council.Benchmarks;

/// <summary>
/// A real SQLite file in a temporary folder with its run store writing, as the server has it; or, with
/// <c>COUNCIL_BENCH_POSTGRES</c> set to an Npgsql connection string, that PostgreSQL (an empty database).
/// </summary>
internal sealed class BenchStorage : IAsyncDisposable
{
    private readonly string _directory;

    private BenchStorage(string directory, CouncilDatabase database, RunStore store)
    {
        _directory = directory;
        Database = database;
        Store = store;
    }

    public CouncilDatabase Database { get; }

    public RunStore Store { get; }

    public static async Task<BenchStorage> StartAsync()
    {
        var directory = Path.Combine(Path.GetTempPath(), "council-bench", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        // Commits at most 1 ms apart, so a benchmark that waits for a commit measures the writing, not the interval.
        var postgres = System.Environment.GetEnvironmentVariable("COUNCIL_BENCH_POSTGRES");
        var options = Options.Create(new StorageOptions
        {
            Path = Path.Combine(directory, "council.db"),
            FlushIntervalMs = 1,
            Provider = postgres is null ? "sqlite" : "postgres",
            ConnectionString = postgres,
        });
        var database = new CouncilDatabase(options, new Environment(directory));
        var store = new RunStore(database, options, TimeProvider.System, NullLogger<RunStore>.Instance);
        await store.StartAsync(CancellationToken.None);
        return new BenchStorage(directory, database, store);
    }

    public async ValueTask DisposeAsync()
    {
        await Store.StopAsync(CancellationToken.None);
        Store.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private sealed class Environment(string contentRoot) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Benchmark";
        public string ApplicationName { get; set; } = "Council.Benchmarks";
        public string ContentRootPath { get; set; } = contentRoot;
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
