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
    public async Task<LeaderboardReport> ComputeAsync(string owner, LeaderboardFilter filter, CancellationToken cancellationToken)
    {
        await runs.FlushAsync(cancellationToken);
        return LeaderboardCalculator.Compute(Read(owner, filter, cancellationToken), filter);
    }

    private List<LeaderboardRun> Read(string owner, LeaderboardFilter filter, CancellationToken cancellationToken)
    {
        using var connection = database.Open();
        const string where = """
            r.owner = $owner AND r.status <> 'running' AND r.created_at >= $from AND r.created_at < $to
                AND ($workflow IS NULL OR r.workflow = $workflow)
            """;
        void Bind(Microsoft.Data.Sqlite.SqliteCommand command)
        {
            command.Parameters.AddWithValue("$owner", owner);
            command.Parameters.AddWithValue("$from", filter.From?.ToUnixTimeMilliseconds() ?? long.MinValue);
            command.Parameters.AddWithValue("$to", filter.To?.ToUnixTimeMilliseconds() ?? long.MaxValue);
            command.Parameters.AddWithValue("$workflow", (object?)filter.Workflow ?? DBNull.Value);
        }

        var calls = new Dictionary<string, List<LeaderboardCall>>(StringComparer.Ordinal);
        using (var command = RunStore.Command(connection, null, $"""
            SELECT o.run_id, o.stage, o.model, o.status, o.ttft_ms, o.duration_ms,
                json_extract(o.usage, '$.completionTokens'), json_extract(o.usage, '$.cost'), o.ranking
            FROM runs r JOIN model_outputs o ON o.run_id = r.id WHERE {where}
            """))
        {
            Bind(command);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var runId = reader.GetString(0);
                if (!calls.TryGetValue(runId, out var list))
                {
                    calls[runId] = list = [];
                }
                list.Add(new LeaderboardCall(
                    reader.GetInt32(1), reader.GetString(2), reader.GetString(3),
                    reader.IsDBNull(4) ? null : reader.GetInt64(4),
                    reader.GetInt64(5),
                    reader.IsDBNull(6) ? null : reader.GetInt32(6),
                    reader.IsDBNull(7) ? null : reader.GetDecimal(7),
                    reader.IsDBNull(8) ? null : JsonSerializer.Deserialize(reader.GetString(8), CouncilJsonContext.Default.IReadOnlyListString)));
                cancellationToken.ThrowIfCancellationRequested();
            }
        }

        var result = new List<LeaderboardRun>();
        using (var command = RunStore.Command(connection, null, $"""
            SELECT r.id, r.workflow, r.aggregate_rankings, r.best_answer FROM runs r WHERE {where} ORDER BY r.created_at, r.id
            """))
        {
            Bind(command);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var runId = reader.GetString(0);
                var ranking = reader.IsDBNull(2) ? null : JsonSerializer.Deserialize(reader.GetString(2), CouncilJsonContext.Default.IReadOnlyListAggregateRanking);
                result.Add(new LeaderboardRun(
                    runId,
                    AnswerStage.Of(workflows.Find(reader.GetString(1))),
                    ranking?.Select(a => a.Model).ToArray() ?? [],
                    reader.IsDBNull(3) ? null : reader.GetString(3),
                    calls.GetValueOrDefault(runId) ?? []));
            }
        }
        return result;
    }
}
