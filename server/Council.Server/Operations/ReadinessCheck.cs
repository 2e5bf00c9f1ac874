using Council.Server.Providers;
using Council.Server.Storage;
using Microsoft.Data.Sqlite;

namespace Council.Server.Operations;

/// <summary>
/// Whether the server can take runs: its database answers a trivial query, and at least one provider
/// advertises a model. The database is opened afresh (no pool) and without creating anything, so a file
/// that was deleted, replaced or corrupted since start is noticed, not hidden by an open connection.
/// </summary>
public sealed class ReadinessCheck(CouncilDatabase database, ModelRouter router)
{
    public async Task<ReadinessReport> CheckAsync(CancellationToken cancellationToken)
    {
        var storage = await CheckStorageAsync(cancellationToken);
        var models = router.ListModels().Count;
        var providers = models > 0 ? null : "no provider has models: configure Council:DefaultModels or a provider (and its API key)";
        var reason = storage ?? providers;
        return new ReadinessReport(
            reason is null ? "ready" : "unready",
            reason,
            new ReadinessChecks(storage is null ? "ok" : "failed", models));
    }

    /// <summary>Null when the database answers, else why not.</summary>
    private async Task<string?> CheckStorageAsync(CancellationToken cancellationToken)
    {
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
}

/// <summary>What <c>/readyz</c> returns.</summary>
/// <param name="Status">"ready" (HTTP 200) or "unready" (HTTP 503).</param>
/// <param name="Reason">Why not ready; null when ready.</param>
public sealed record ReadinessReport(string Status, string? Reason, ReadinessChecks Checks);

/// <param name="Storage">"ok" or "failed".</param>
/// <param name="Models">Models the providers advertise.</param>
public sealed record ReadinessChecks(string Storage, int Models);
