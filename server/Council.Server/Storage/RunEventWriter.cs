using System.Text.Json;
using Council.Contracts;
using Council.Contracts.Messages;
using Microsoft.Data.Sqlite;

namespace Council.Server.Storage;

/// <summary>
/// Writes run events inside one transaction with statements prepared once per transaction (not once per event), and
/// moves each run's <c>last_seq</c> once, at <see cref="Complete"/>, instead of once per event.
/// </summary>
internal sealed class RunEventWriter : IDisposable
{
    private readonly SqliteCommand _insertEvent;
    private readonly SqliteParameter _eventRun;
    private readonly SqliteParameter _eventSeq;
    private readonly SqliteParameter _eventType;
    private readonly SqliteParameter _eventPayload;
    private readonly SqliteConnection _connection;
    private readonly SqliteTransaction _transaction;
    private readonly Dictionary<string, long> _lastSeq = new(StringComparer.Ordinal);

    public RunEventWriter(SqliteConnection connection, SqliteTransaction transaction)
    {
        _connection = connection;
        _transaction = transaction;
        _insertEvent = RunStore.Command(connection, transaction, "INSERT INTO run_events (run_id, seq, type, payload) VALUES ($run, $seq, $type, $payload)");
        _eventRun = _insertEvent.Parameters.Add("$run", SqliteType.Text);
        _eventSeq = _insertEvent.Parameters.Add("$seq", SqliteType.Integer);
        _eventType = _insertEvent.Parameters.Add("$type", SqliteType.Text);
        _eventPayload = _insertEvent.Parameters.Add("$payload", SqliteType.Text);
    }

    public void Apply(RunEvent runEvent, DateTimeOffset at)
    {
        _eventRun.Value = runEvent.RunId;
        _eventSeq.Value = runEvent.Seq;
        _eventType.Value = StoredEvents.TypeOf(runEvent);
        _eventPayload.Value = StoredEvents.Serialize(runEvent);
        _insertEvent.ExecuteNonQuery();
        _lastSeq[runEvent.RunId] = runEvent.Seq;

        switch (runEvent)
        {
            case ModelCompleteEvent m:
                using (var output = RunStore.Command(_connection, _transaction, """
                    INSERT OR REPLACE INTO model_outputs (run_id, stage, model, status, text, error, ttft_ms, duration_ms, usage, ranking)
                    VALUES ($run, $stage, $model, $status, $text, $error, $ttft, $duration, $usage, $ranking)
                    """))
                {
                    output.Parameters.AddWithValue("$run", m.RunId);
                    output.Parameters.AddWithValue("$stage", m.Stage);
                    output.Parameters.AddWithValue("$model", m.Model);
                    output.Parameters.AddWithValue("$status", StoredEvents.Wire(m.Status));
                    output.Parameters.AddWithValue("$text", m.Text);
                    output.Parameters.AddWithValue("$error", (object?)m.Error ?? DBNull.Value);
                    output.Parameters.AddWithValue("$ttft", (object?)m.TtftMs ?? DBNull.Value);
                    output.Parameters.AddWithValue("$duration", m.DurationMs);
                    output.Parameters.AddWithValue("$usage", m.Usage is null ? DBNull.Value : JsonSerializer.Serialize(m.Usage, CouncilJsonContext.Default.Usage));
                    output.Parameters.AddWithValue("$ranking", m.Ranking is null ? DBNull.Value : JsonSerializer.Serialize(m.Ranking, CouncilJsonContext.Default.IReadOnlyListString));
                    output.ExecuteNonQuery();
                }
                break;
            case RunCompleteEvent r:
                using (var end = RunStore.Command(_connection, _transaction, """
                    UPDATE runs SET status = $status, final = $final, error = $error, aggregate_rankings = $rankings,
                        metrics = $metrics, completed_at = $at WHERE id = $run
                    """))
                {
                    end.Parameters.AddWithValue("$run", r.RunId);
                    end.Parameters.AddWithValue("$status", r.Error == RunStore.InterruptedError ? "interrupted" : StoredEvents.Wire(r.Status));
                    end.Parameters.AddWithValue("$final", (object?)r.Final ?? DBNull.Value);
                    end.Parameters.AddWithValue("$error", (object?)r.Error ?? DBNull.Value);
                    end.Parameters.AddWithValue("$rankings", r.AggregateRankings is null ? DBNull.Value : JsonSerializer.Serialize(r.AggregateRankings, CouncilJsonContext.Default.IReadOnlyListAggregateRanking));
                    end.Parameters.AddWithValue("$metrics", JsonSerializer.Serialize(r.Metrics, CouncilJsonContext.Default.RunMetrics));
                    end.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
                    end.ExecuteNonQuery();
                }
                break;
        }
    }

    /// <summary>Moves <c>last_seq</c> of every run written to; call before committing.</summary>
    public void Complete()
    {
        if (_lastSeq.Count == 0)
        {
            return;
        }
        using var update = RunStore.Command(_connection, _transaction, "UPDATE runs SET last_seq = $seq WHERE id = $run");
        var run = update.Parameters.Add("$run", SqliteType.Text);
        var seq = update.Parameters.Add("$seq", SqliteType.Integer);
        foreach (var (runId, lastSeq) in _lastSeq)
        {
            run.Value = runId;
            seq.Value = lastSeq;
            update.ExecuteNonQuery();
        }
        _lastSeq.Clear();
    }

    public void Dispose() => _insertEvent.Dispose();
}
