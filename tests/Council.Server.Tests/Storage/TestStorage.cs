using Council.Server.Conversations;
using Council.Server.Storage;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Council.Server.Tests.Storage;

/// <summary>A real SQLite database in a temporary folder, with its run store writing.</summary>
internal sealed class TestStorage : IAsyncDisposable
{
    private TestStorage(string directory, CouncilDatabase database, RunStore store)
    {
        Directory = directory;
        Database = database;
        Store = store;
        Conversations = new ConversationStore(database, store);
    }

    public string Directory { get; }
    public CouncilDatabase Database { get; }
    public RunStore Store { get; }
    public ConversationStore Conversations { get; }

    public static async Task<TestStorage> StartAsync(string? path = null)
    {
        var directory = Path.Combine(Path.GetTempPath(), "council-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        var (database, store) = Create(directory, path ?? Path.Combine(directory, "council.db"));
        await store.StartAsync(CancellationToken.None);
        return new TestStorage(directory, database, store);
    }

    public static (CouncilDatabase Database, RunStore Store) Create(string contentRoot, string path, Action<StorageOptions>? configure = null)
    {
        var storage = new StorageOptions { Path = path, FlushIntervalMs = 5 };
        configure?.Invoke(storage);
        var options = Options.Create(storage);
        var database = new CouncilDatabase(options, new Environment(contentRoot));
        return (database, new RunStore(database, options, TimeProvider.System, NullLogger<RunStore>.Instance));
    }

    public async ValueTask DisposeAsync()
    {
        await Store.StopAsync(CancellationToken.None);
        Store.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private sealed class Environment(string contentRoot) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = "Test";
        public string ApplicationName { get; set; } = "Council.Server.Tests";
        public string ContentRootPath { get; set; } = contentRoot;
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
