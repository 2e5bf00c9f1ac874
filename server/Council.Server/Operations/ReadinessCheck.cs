using Council.Server.Cluster;
using Council.Server.Providers;
using Council.Server.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Council.Server.Operations;

/// <summary>
/// Whether the server can take runs: its database answers a trivial query, and at least one provider
/// advertises a model. The database is opened afresh (no pool) and without creating anything, so a file
/// that was deleted, replaced or corrupted since start is noticed, not hidden by an open connection; and the run
/// store's writer must be committing (a full disk or a read-only file fails its commits, not this query).
/// </summary>
public sealed class ReadinessCheck(
    CouncilDatabase database,
    ModelRouter router,
    IOptions<ClusterOptions> cluster,
    StorageHealth? health = null,
    NodeAvailability? node = null)
{
    private static readonly byte[] SqliteHeader = "SQLite format 3\0"u8.ToArray();

    public async Task<ReadinessReport> CheckAsync(CancellationToken cancellationToken)
    {
        var storage = health?.UnavailableReason is { } down ? $"storage is unavailable: {down}" : await CheckStorageAsync(cancellationToken);
        var models = router.ListModels().Count;
        var providers = models > 0 ? null : "no provider has models: configure Council:DefaultModels or a provider (and its API key)";
        var reason = storage ?? node?.UnavailableReason ?? providers;
        return new ReadinessReport(
            cluster.Value.NodeName,
            reason is null ? "ready" : "unready",
            reason,
            new ReadinessChecks(storage is null ? "ok" : "failed", models));
    }

    /// <summary>Null when the database answers, else why not.</summary>
    /// <remarks>
    /// The file's header is checked first: in WAL mode SQLite may read the first page from the write-ahead log,
    /// so a query alone can still succeed on a main file that was overwritten.
    /// </remarks>
    private async Task<string?> CheckStorageAsync(CancellationToken cancellationToken)
    {
        if (database.IsPostgres)
        {
            return await CheckPostgresAsync(cancellationToken);
        }
        try
        {
            var header = new byte[SqliteHeader.Length];
            await using var file = new FileStream(database.FilePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (await file.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, cancellationToken) < header.Length
                || !header.AsSpan().SequenceEqual(SqliteHeader))
            {
                return "the database file is not a SQLite database (overwritten or corrupt)";
            }
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return "the database file is missing";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"the database file cannot be read ({ex.GetType().Name})";
        }

        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = database.FilePath,
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = false,
            DefaultTimeout = 2,
        }.ToString();
        try
        {
            await using var connection = new SqliteConnection(connectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'runs';";
            var tables = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
            return tables == 1 ? null : "the database has no runs table";
        }
        catch (SqliteException ex)
        {
            return $"the database cannot be used (SQLite error {ex.SqliteErrorCode}: {ex.Message.TrimEnd('.')})";
        }
    }

    /// <summary>PostgreSQL: null when it answers and has the schema, else why not.</summary>
    private async Task<string?> CheckPostgresAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = database.Connect();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT to_regclass('runs') IS NOT NULL;";
            command.CommandTimeout = 2;
            return await command.ExecuteScalarAsync(cancellationToken) is true ? null : "the database has no runs table";
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return $"{database.Target} ({PostgresStorage.Setting}) is unreachable ({ex.Message.TrimEnd('.')})";
        }
    }
}

/// <summary>What <c>/readyz</c> returns.</summary>
/// <param name="Node">This node's <c>Council:Cluster:NodeName</c>.</param>
/// <param name="Status">"ready" (HTTP 200) or "unready" (HTTP 503).</param>
/// <param name="Reason">Why not ready; null when ready.</param>
public sealed record ReadinessReport(string Node, string Status, string? Reason, ReadinessChecks Checks);

/// <param name="Storage">"ok" or "failed".</param>
/// <param name="Models">Models the providers advertise.</param>
public sealed record ReadinessChecks(string Storage, int Models);
