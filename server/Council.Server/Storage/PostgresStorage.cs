using Council.Server.Cluster;
using Npgsql;

namespace Council.Server.Storage;

/// <summary>
/// PostgreSQL as the database (<c>Council:Storage:Provider</c> postgres): the connection string checked, the schema
/// created and migrated at start. A missing, malformed or unreachable PostgreSQL is a <see cref="StartupException"/>
/// naming the setting.
/// </summary>
internal static class PostgresStorage
{
    public const string Setting = "Council:Storage:ConnectionString";

    /// <summary>Taken by every node that migrates, so nodes starting at once against an empty database go one by one.</summary>
    private const long MigrationLock = 0x436F_756E_6369_6C; // "Council"

    /// <summary>The same schema as SQLite's migrations end with; <c>rowid</c> stands in for SQLite's own.</summary>
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE conversations (
            id TEXT PRIMARY KEY,
            title TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            owner TEXT NOT NULL DEFAULT 'local');
        CREATE INDEX conversations_by_owner ON conversations(owner, updated_at);
        CREATE TABLE runs (
            rowid BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
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
            created_at BIGINT NOT NULL,
            completed_at BIGINT,
            owner TEXT NOT NULL DEFAULT 'local',
            best_answer TEXT,
            node TEXT NOT NULL DEFAULT '');
        CREATE INDEX runs_by_conversation ON runs(conversation_id, created_at);
        CREATE INDEX runs_by_status ON runs(status, node);
        CREATE INDEX runs_leaderboard ON runs(owner, created_at, status, workflow, id, best_answer) INCLUDE (aggregate_rankings);
        CREATE TABLE run_events (
            run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            seq BIGINT NOT NULL,
            type TEXT NOT NULL,
            payload TEXT NOT NULL,
            PRIMARY KEY (run_id, seq));
        CREATE TABLE model_outputs (
            run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            stage INTEGER NOT NULL,
            model TEXT NOT NULL,
            status TEXT NOT NULL,
            text TEXT NOT NULL,
            error TEXT,
            ttft_ms BIGINT,
            duration_ms BIGINT NOT NULL,
            usage TEXT,
            ranking TEXT,
            PRIMARY KEY (run_id, stage, model));
        """,
    ];

    public static NpgsqlDataSource DataSource(StorageOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            throw new StartupException($"Council:Storage:Provider is postgres, but {Setting} is not set (e.g. Host=127.0.0.1;Port=5432;Database=council;Username=council;Password=…).");
        }
        try
        {
            var builder = new NpgsqlDataSourceBuilder(options.ConnectionString);
            return builder.Build();
        }
        catch (ArgumentException ex)
        {
            throw new StartupException($"{Setting} is not an Npgsql connection string: {ex.Message}", ex);
        }
    }

    public static string Describe(NpgsqlDataSource source)
    {
        var b = new NpgsqlConnectionStringBuilder(source.ConnectionString);
        return $"PostgreSQL {b.Host}:{b.Port}/{b.Database ?? b.Username}";
    }

    /// <summary>Brings the schema up to date, one node at a time; a PostgreSQL that cannot be used is a startup error.</summary>
    public static void Migrate(NpgsqlDataSource source)
    {
        try
        {
            using var connection = source.OpenConnection();
            using var transaction = connection.BeginTransaction();
            // A transaction-scoped lock: released by the commit (or by the connection closing, if this node dies).
            CouncilDatabase.Execute(connection, $"SELECT pg_advisory_xact_lock({MigrationLock});", transaction);
            CouncilDatabase.Execute(connection, "CREATE TABLE IF NOT EXISTS council_schema (version INTEGER NOT NULL);", transaction);
            var version = Convert.ToInt32(CouncilDatabase.Scalar(connection, "SELECT COALESCE(MAX(version), 0) FROM council_schema;", transaction),
                System.Globalization.CultureInfo.InvariantCulture);
            for (var i = version; i < Migrations.Length; i++)
            {
                CouncilDatabase.Execute(connection, Migrations[i], transaction);
                CouncilDatabase.Execute(connection, $"DELETE FROM council_schema; INSERT INTO council_schema VALUES ({i + 1});", transaction);
            }
            transaction.Commit();
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            throw new StartupException($"Cannot use {Describe(source)} ({Setting}): {ex.Message.TrimEnd('.')}.", ex);
        }
    }
}
