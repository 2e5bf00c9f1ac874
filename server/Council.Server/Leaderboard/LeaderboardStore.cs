using System.Text.Json;
using Council.Contracts;
using Council.Contracts.Api;
using Council.Server.Storage;
using Council.Server.Workflows;

namespace Council.Server.Leaderboard;

/// <summary>
/// Reads a user's finished runs from the database the run store writes (two queries: runs, then their calls) and
/// computes the leaderboard from them. Nothing is cached: what storage holds is the leaderboard, restart or not.
/// </summary>
public sealed class LeaderboardStore(CouncilDatabase database, RunStore runs, WorkflowCatalog workflows)
{
    private static readonly string[] Statuses = ["ok", "failed", "cancelled"];

    public async Task<LeaderboardReport> ComputeAsync(string owner, LeaderboardFilter filter, CancellationToken cancellationToken)
    {
        await runs.FlushAsync(cancellationToken);
        return LeaderboardCalculator.Compute(Read(owner, filter, cancellationToken), filter);
    }

    private List<LeaderboardRun> Read(string owner, LeaderboardFilter filter, CancellationToken cancellationToken)
    {
        using var connection = database.Connect();
        const string where = """
            r.owner = $owner AND r.status <> 'running' AND r.created_at >= $from AND r.created_at < $to
                AND ($workflow IS NULL OR r.workflow = $workflow)
            """;
        void Bind(System.Data.Common.DbCommand command)
        {
            command.Set("$owner", owner);
            command.Set("$from", filter.From?.ToUnixTimeMilliseconds() ?? long.MinValue);
            command.Set("$to", filter.To?.ToUnixTimeMilliseconds() ?? long.MaxValue);
            command.Set("$workflow", filter.Workflow, System.Data.DbType.String);
        }

        // Keyed by the run's rowid, and each distinct JSON ranking parsed once (a review ranks a few models, so the same
        // orders recur): 10,000 runs allocate little beyond the calls themselves.
        var calls = new Dictionary<long, List<LeaderboardCall>>();
        var rankings = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        string Name(string name) => names.TryGetValue(name, out var known) ? known : names[name] = name;
        var sql = StorageDialect.Of(connection);
        using (var command = RunStore.Command(connection, null, $"""
            SELECT r.rowid, o.stage, o.model, CASE o.status WHEN 'ok' THEN 0 WHEN 'failed' THEN 1 ELSE 2 END, o.ttft_ms, o.duration_ms,
                {sql.JsonInt("o.usage", "completionTokens")}, {sql.JsonReal("o.usage", "cost")}, o.ranking
            FROM runs r JOIN model_outputs o ON o.run_id = r.id WHERE {where}
            """))
        {
            Bind(command);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var run = reader.GetInt64(0);
                if (!calls.TryGetValue(run, out var list))
                {
                    calls[run] = list = [];
                }
                IReadOnlyList<string>? ranking = null;
                if (!reader.IsDBNull(8))
                {
                    var json = reader.GetString(8);
                    if (!rankings.TryGetValue(json, out ranking))
                    {
                        ranking = rankings[json] = (JsonSerializer.Deserialize(json, CouncilJsonContext.Default.IReadOnlyListString) ?? []).Select(Name).ToArray();
                    }
                }
                list.Add(new LeaderboardCall(
                    reader.GetInt32(1), Name(reader.GetString(2)), Statuses[reader.GetInt32(3)],
                    reader.IsDBNull(4) ? null : reader.GetInt64(4),
                    reader.GetInt64(5),
                    reader.IsDBNull(6) ? null : reader.GetInt32(6),
                    reader.IsDBNull(7) ? null : (decimal)reader.GetDouble(7),
                    ranking));
                if (list.Count == 1)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }
            }
        }

        var result = new List<LeaderboardRun>();
        using (var command = RunStore.Command(connection, null, $"""
            SELECT r.rowid, r.id, r.workflow, r.aggregate_rankings, r.best_answer FROM runs r WHERE {where} ORDER BY r.created_at, r.id
            """))
        {
            Bind(command);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var aggregate = reader.IsDBNull(3) ? null : JsonSerializer.Deserialize(reader.GetString(3), CouncilJsonContext.Default.IReadOnlyListAggregateRanking);
                result.Add(new LeaderboardRun(
                    reader.GetString(1),
                    AnswerStage.Of(workflows.Find(reader.GetString(2))),
                    aggregate?.Select(a => Name(a.Model)).ToArray() ?? [],
                    reader.IsDBNull(4) ? null : Name(reader.GetString(4)),
                    calls.GetValueOrDefault(reader.GetInt64(0)) ?? []));
            }
        }
        return result;
    }
}
