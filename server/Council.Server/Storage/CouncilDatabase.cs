using System.Data.Common;
using Council.Server.Cluster;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Council.Server.Storage;

/// <summary>
/// The database (<see cref="StorageOptions.Provider"/>): the SQLite file, or a PostgreSQL that several nodes share.
/// Opens connections, and at start applies the schema migrations it has not seen (SQLite: tracked in
/// <c>PRAGMA user_version</c>; PostgreSQL: in <c>council_schema</c>, under an advisory lock so that nodes starting at
/// once migrate one after the other). A file that is not a database, or is locked, or a PostgreSQL that cannot be
/// reached, fails the start with a message that says which and what to do.
/// </summary>
public sealed class CouncilDatabase : IDisposable
{
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE conversations (
            id TEXT PRIMARY KEY,
            title TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL);
        CREATE TABLE runs (
            id TEXT PRIMARY KEY,
            conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
            prompt TEXT NOT NULL,
            workflow TEXT NOT NULL,
            models TEXT NOT NULL,
            chairmen TEXT NOT NULL,
            status TEXT NOT NULL,
            final TEXT,
            error TEXT,
            aggregate_rankings TEXT,
            metrics TEXT,
            last_seq INTEGER NOT NULL DEFAULT 0,
            created_at INTEGER NOT NULL,
            completed_at INTEGER);
        CREATE INDEX runs_by_conversation ON runs(conversation_id, created_at);
        CREATE INDEX runs_by_status ON runs(status);
        CREATE TABLE run_events (
            run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            type TEXT NOT NULL,
            payload TEXT NOT NULL,
            PRIMARY KEY (run_id, seq)) WITHOUT ROWID;
        CREATE TABLE model_outputs (
            run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            stage INTEGER NOT NULL,
            model TEXT NOT NULL,
            status TEXT NOT NULL,
            text TEXT NOT NULL,
            error TEXT,
            ttft_ms INTEGER,
            duration_ms INTEGER NOT NULL,
            usage TEXT,
            ranking TEXT,
            PRIMARY KEY (run_id, stage, model)) WITHOUT ROWID;
        """,
        """
        ALTER TABLE conversations ADD COLUMN owner TEXT NOT NULL DEFAULT 'local';
        ALTER TABLE runs ADD COLUMN owner TEXT NOT NULL DEFAULT 'local';
        CREATE INDEX conversations_by_owner ON conversations(owner, updated_at);
        """,
        // A run's last seq comes from its events' primary key; keeping a copy cost an update per running run per commit.
        """
        ALTER TABLE runs DROP COLUMN last_seq;
        """,
        // The user's "Best answer" pick of a finished run. The leaderboard reads a user's runs and every call's figures
        // from these covering indexes alone: the texts stored before those columns are never read.
        """
        ALTER TABLE runs ADD COLUMN best_answer TEXT;
        CREATE INDEX runs_leaderboard ON runs(owner, created_at, status, workflow, id, best_answer, aggregate_rankings);
        CREATE INDEX model_outputs_leaderboard ON model_outputs(run_id, stage, model, status, ttft_ms, duration_ms, usage, ranking);
        """,
    ];

    /// <summary>Migrations that add a column several nodes need to share one database.</summary>
    private static readonly string[] SharedMigrations =
    [
        // The node whose grain runs the run: a node starting marks only its own runs interrupted.
        """
        ALTER TABLE runs ADD COLUMN node TEXT NOT NULL DEFAULT '';
        """,
    ];

    /// <summary>WAL pages between automatic checkpoints (32 MiB of 4 KiB pages).</summary>
    internal const int CheckpointPages = 8192;

    private readonly string _connectionString;
    private readonly NpgsqlDataSource? _postgres;

    public CouncilDatabase(IOptions<StorageOptions> options, IHostEnvironment environment)
    {
        if (options.Value.Provider is not ("sqlite" or "postgres"))
        {
            throw new StartupException($"Council:Storage:Provider is '{options.Value.Provider}': use sqlite (one file, one node) or postgres.");
        }
        if (options.Value.IsPostgres)
        {
            _postgres = PostgresStorage.DataSource(options.Value);
            FilePath = "";
            _connectionString = "";
            Target = PostgresStorage.Describe(_postgres);
            return;
        }
        var path = System.IO.Path.GetFullPath(options.Value.Path, environment.ContentRootPath);
        FilePath = path;
        Target = path;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 5,
        }.ToString();
    }

    /// <summary>The database file's full path (SQLite).</summary>
    public string FilePath { get; }

    /// <summary>What logs and errors name: the file, or the PostgreSQL server and database.</summary>
    public string Target { get; }

    /// <summary>Whether the database is a PostgreSQL (shared by the nodes of a cluster).</summary>
    public bool IsPostgres => _postgres is not null;

    /// <summary>Creates the file (or schema) if needed and brings its schema up to date.</summary>
    public void Migrate()
    {
        if (_postgres is not null)
        {
            PostgresStorage.Migrate(_postgres);
            return;
        }
        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(FilePath)!);
            using var connection = Open();
            Execute(connection, "PRAGMA journal_mode = WAL;");
            var version = Convert.ToInt32(Scalar(connection, "PRAGMA user_version;"), System.Globalization.CultureInfo.InvariantCulture);
            string[] all = [.. Migrations, .. SharedMigrations];
            for (var i = version; i < all.Length; i++)
            {
                using var transaction = connection.BeginTransaction();
                Execute(connection, all[i], transaction);
                Execute(connection, $"PRAGMA user_version = {i + 1};", transaction);
                transaction.Commit();
            }
        }
        catch (SqliteException ex)
        {
            var what = ex.SqliteErrorCode switch
            {
                26 => "is not a SQLite database (corrupt or another kind of file)",
                5 or 6 => "is locked by another process",
                _ => $"cannot be used ({ex.Message})",
            };
            throw new InvalidOperationException(
                $"The database file '{FilePath}' {what}. Stop whatever holds it, move the file aside, or point Council:Storage:Path elsewhere.", ex);
        }
    }

    /// <summary>An open connection to the database, either provider; the caller disposes it.</summary>
    public DbConnection Connect() => _postgres is not null ? _postgres.OpenConnection() : Open();

    /// <summary>An open SQLite connection with foreign keys on; the caller disposes it.</summary>
    public SqliteConnection Open()
    {
        if (_postgres is not null)
        {
            throw new InvalidOperationException("Council:Storage:Provider is postgres: there is no SQLite file.");
        }
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        // synchronous = NORMAL under WAL: a commit is a write to the WAL, no fsync; only checkpoints sync. A checkpoint
        // every CheckpointPages pages instead of SQLite's default 1000: under load each commit writes a page per running
        // run, so 1000 pages meant a checkpoint (two fsyncs and a copy of every page into the database) after every
        // commit or two.
        Execute(connection, $"PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = {CheckpointPages};");
        return connection;
    }

    /// <summary>Closes the PostgreSQL connection pool (SQLite's connections are each caller's).</summary>
    public void Dispose() => _postgres?.Dispose();

    internal static void Execute(DbConnection connection, string sql, DbTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        command.ExecuteNonQuery();
    }

    internal static object? Scalar(DbConnection connection, string sql, DbTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command.ExecuteScalar();
    }
}
