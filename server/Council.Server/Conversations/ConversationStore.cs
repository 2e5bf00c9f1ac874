using System.Text.Json;
using Council.Contracts;
using Council.Contracts.Api;
using Council.Contracts.Messages;
using Council.Server.Storage;
using Council.Server.Workflows;
using System.Data.Common;

namespace Council.Server.Conversations;

/// <summary>
/// Conversations and their runs, read from the database the run store writes. Every call names the user: another
/// user's conversation or run is reported exactly like one that does not exist.
/// </summary>
public sealed class ConversationStore(CouncilDatabase database, RunStore runs)
{
    /// <summary>
    /// The earlier turns (question and final answer of each run that ended ok), oldest first; empty for a new
    /// conversation (<paramref name="conversationId"/> null); null when the conversation is unknown.
    /// </summary>
    public async Task<IReadOnlyList<ConversationTurn>?> HistoryAsync(string? conversationId, string owner, CancellationToken cancellationToken)
    {
        if (conversationId is null)
        {
            return [];
        }
        await runs.FlushAsync(cancellationToken); // a follow-up sent right after an answer must see it
        using var connection = database.Connect();
        if (!Exists(connection, conversationId, owner))
        {
            return null;
        }
        using var command = RunStore.Command(connection, null,
            "SELECT prompt, final FROM runs WHERE conversation_id = $id AND status = 'ok' AND final IS NOT NULL ORDER BY created_at");
        command.Set("$id", conversationId);
        using var reader = command.ExecuteReader();
        var turns = new List<ConversationTurn>();
        while (reader.Read())
        {
            turns.Add(new ConversationTurn(reader.GetString(0), reader.GetString(1)));
        }
        return turns;
    }

    public async Task<IReadOnlyList<ConversationSummary>> ListAsync(string owner, CancellationToken cancellationToken)
    {
        await runs.FlushAsync(cancellationToken);
        using var connection = database.Connect();
        using var command = RunStore.Command(connection, null, """
            SELECT c.id, c.title, c.created_at, c.updated_at, (SELECT CAST(COUNT(*) AS INTEGER) FROM runs r WHERE r.conversation_id = c.id),
                (SELECT r.id FROM runs r WHERE r.conversation_id = c.id AND r.status = 'running' ORDER BY r.created_at DESC LIMIT 1)
            FROM conversations c WHERE c.owner = $owner ORDER BY c.updated_at DESC LIMIT 500
            """);
        command.Set("$owner", owner);
        using var reader = command.ExecuteReader();
        var list = new List<ConversationSummary>();
        while (reader.Read())
        {
            list.Add(new ConversationSummary(reader.GetString(0), reader.GetString(1), Time(reader.GetInt64(2)), Time(reader.GetInt64(3)), reader.GetInt32(4),
                reader.IsDBNull(5) ? null : reader.GetString(5)));
        }
        return list;
    }

    public async Task<ConversationDetail?> GetAsync(string conversationId, string owner, CancellationToken cancellationToken)
    {
        await runs.FlushAsync(cancellationToken);
        using var connection = database.Connect();
        using var command = RunStore.Command(connection, null, "SELECT id, title, created_at, updated_at FROM conversations WHERE id = $id AND owner = $owner");
        command.Set("$id", conversationId);
        command.Set("$owner", owner);
        ConversationDetail detail;
        using (var reader = command.ExecuteReader())
        {
            if (!reader.Read())
            {
                return null;
            }
            detail = new ConversationDetail(reader.GetString(0), reader.GetString(1), Time(reader.GetInt64(2)), Time(reader.GetInt64(3)), []);
        }
        // Read after the reader is closed: a PostgreSQL connection runs one command at a time.
        return detail with { Runs = Runs(connection, "conversation_id", conversationId, owner) };
    }

    /// <summary>A run as stored, or null when unknown.</summary>
    public async Task<StoredRun?> GetRunAsync(string runId, string owner, CancellationToken cancellationToken)
    {
        await runs.FlushAsync(cancellationToken);
        using var connection = database.Connect();
        return Runs(connection, "id", runId, owner).SingleOrDefault();
    }

    /// <summary>A stored run's owner and every event, in seq order; null when the run is unknown.</summary>
    public Task<StoredRunEvents?> StoredRunAsync(string runId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var connection = database.Connect();
        using var command = RunStore.Command(connection, null, "SELECT owner FROM runs WHERE id = $id");
        command.Set("$id", runId);
        return Task.FromResult(command.ExecuteScalar() is string owner ? new StoredRunEvents(owner, StoredEvents.Load(connection, runId)) : null);
    }

    public async Task<bool> RenameAsync(string conversationId, string owner, string title, CancellationToken cancellationToken)
    {
        await runs.FlushAsync(cancellationToken);
        using var connection = database.Connect();
        using var command = RunStore.Command(connection, null, "UPDATE conversations SET title = $title WHERE id = $id AND owner = $owner");
        command.Set("$id", conversationId);
        command.Set("$owner", owner);
        command.Set("$title", title);
        return command.ExecuteNonQuery() == 1;
    }

    /// <summary>
    /// Deletes a conversation and all its runs; refused while one of its runs is going. Atomic with
    /// <c>start_run</c>: a run starting in the conversation either counts (the delete is refused) or is refused.
    /// </summary>
    public async Task<DeleteResult> DeleteAsync(string conversationId, string owner, CancellationToken cancellationToken)
    {
        await runs.FlushAsync(cancellationToken);
        using (var connection = database.Connect())
        {
            if (!Exists(connection, conversationId, owner))
            {
                return DeleteResult.NotFound;
            }
        }
        return await runs.DeleteConversationAsync(conversationId, owner, cancellationToken) ? DeleteResult.Deleted : DeleteResult.RunInProgress;
    }

    private static bool Exists(DbConnection connection, string conversationId, string owner)
    {
        using var command = RunStore.Command(connection, null, "SELECT 1 FROM conversations WHERE id = $id AND owner = $owner");
        command.Set("$id", conversationId);
        command.Set("$owner", owner);
        return command.ExecuteScalar() is not null;
    }

    private static List<StoredRun> Runs(DbConnection connection, string column, string value, string owner)
    {
        var ctx = CouncilJsonContext.Default;
        using var command = RunStore.Command(connection, null, $"""
            SELECT id, conversation_id, prompt, workflow, models, status, final, error, aggregate_rankings, metrics,
                (SELECT COALESCE(MAX(e.seq), 0) FROM run_events e WHERE e.run_id = runs.id), created_at, completed_at, best_answer
            FROM runs WHERE {column} = $value AND owner = $owner ORDER BY created_at
            """);
        command.Set("$value", value);
        command.Set("$owner", owner);
        var runs = new List<StoredRun>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                runs.Add(new StoredRun(
                    reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                    JsonSerializer.Deserialize(reader.GetString(4), ctx.IReadOnlyListString) ?? [],
                    Parse<RunStatus>(reader.GetString(5)),
                    reader.IsDBNull(6) ? null : reader.GetString(6),
                    reader.IsDBNull(7) ? null : reader.GetString(7),
                    reader.IsDBNull(8) ? null : JsonSerializer.Deserialize(reader.GetString(8), ctx.IReadOnlyListAggregateRanking),
                    reader.IsDBNull(9) ? null : JsonSerializer.Deserialize(reader.GetString(9), ctx.RunMetrics),
                    reader.GetInt64(10), Time(reader.GetInt64(11)),
                    reader.IsDBNull(12) ? null : Time(reader.GetInt64(12)),
                    [],
                    reader.IsDBNull(13) ? null : reader.GetString(13)));
            }
        }
        return runs.Select(r => r with { Outputs = Outputs(connection, r.RunId) }).ToList();
    }

    private static List<StoredModelOutput> Outputs(DbConnection connection, string runId)
    {
        var ctx = CouncilJsonContext.Default;
        var sql = StorageDialect.Of(connection);
        using var command = RunStore.Command(connection, null, $"""
            SELECT o.stage, o.model, o.status, o.text, o.error, o.ttft_ms, o.duration_ms, o.usage, o.ranking
            FROM model_outputs o JOIN run_events e ON e.run_id = o.run_id AND e.type = 'model_complete'
                AND {sql.JsonInt("e.payload", "stage")} = o.stage AND {sql.JsonText("e.payload", "model")} = o.model
            WHERE o.run_id = $run ORDER BY e.seq
            """);
        command.Set("$run", runId);
        using var reader = command.ExecuteReader();
        var outputs = new List<StoredModelOutput>();
        while (reader.Read())
        {
            outputs.Add(new StoredModelOutput(
                reader.GetInt32(0), reader.GetString(1), Parse<ModelStatus>(reader.GetString(2)), reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetInt64(5),
                reader.GetInt64(6),
                reader.IsDBNull(7) ? null : JsonSerializer.Deserialize(reader.GetString(7), ctx.Usage),
                reader.IsDBNull(8) ? null : JsonSerializer.Deserialize(reader.GetString(8), ctx.IReadOnlyListString)));
        }
        return outputs;
    }

    private static T Parse<T>(string wire) where T : struct, Enum =>
        (T)JsonSerializer.Deserialize($"\"{wire}\"", typeof(T), CouncilJsonContext.Default)!;

    private static DateTimeOffset Time(long unixMs) => DateTimeOffset.FromUnixTimeMilliseconds(unixMs);
}

/// <summary>What <see cref="ConversationStore.DeleteAsync"/> did.</summary>
public enum DeleteResult
{
    Deleted,
    NotFound,
    RunInProgress,
}

/// <summary>A stored run's owner and its events in seq order.</summary>
public sealed record StoredRunEvents(string Owner, IReadOnlyList<RunEvent> Events);
