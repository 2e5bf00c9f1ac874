using System.Buffers;
using System.Text;
using System.Text.Json;
using Council.Contracts;
using Council.Contracts.Messages;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Council.Server.Storage;

/// <summary>
/// Writes run events inside one transaction. The insert every event goes through (nearly all of them tokens) is
/// prepared once per transaction and bound straight from UTF-8: the event is serialized into a reused buffer and
/// handed to SQLite without a string, a boxed number or a per-execution reader in between. A run's last seq is
/// not kept beside its events (that was an update per running run per commit, as many as the token inserts under
/// load); readers take it from the events' primary key.
/// </summary>
internal sealed class RunEventWriter : IDisposable
{
    private readonly sqlite3_stmt _insertEvent;
    private readonly ArrayBufferWriter<byte> _payload = new(1024);
    private readonly Utf8JsonWriter _json;
    private byte[] _runId = new byte[64];
    private readonly SqliteConnection _connection;
    private readonly SqliteTransaction _transaction;

    public RunEventWriter(SqliteConnection connection, SqliteTransaction transaction)
    {
        _connection = connection;
        _transaction = transaction;
        var options = CouncilJsonContext.Default.Options;
        _json = new Utf8JsonWriter(_payload, new JsonWriterOptions { Encoder = options.Encoder, Indented = options.WriteIndented });
        Check(raw.sqlite3_prepare_v2(connection.Handle, "INSERT INTO run_events (run_id, seq, type, payload) VALUES (?1, ?2, ?3, ?4)", out _insertEvent));
    }

    public void Apply(RunEvent runEvent, DateTimeOffset at)
    {
        // The same JSON as StoredEvents.Serialize, written as UTF-8.
        _payload.ResetWrittenCount();
        _json.Reset();
        JsonSerializer.Serialize(_json, runEvent, runEvent.GetType(), CouncilJsonContext.Default);
        _json.Flush();
        var runIdLength = Encoding.UTF8.GetMaxByteCount(runEvent.RunId.Length);
        if (_runId.Length < runIdLength)
        {
            _runId = new byte[runIdLength];
        }
        runIdLength = Encoding.UTF8.GetBytes(runEvent.RunId, _runId);

        Check(raw.sqlite3_bind_text(_insertEvent, 1, _runId.AsSpan(0, runIdLength)));
        Check(raw.sqlite3_bind_int64(_insertEvent, 2, runEvent.Seq));
        Check(raw.sqlite3_bind_text(_insertEvent, 3, StoredEvents.Utf8TypeOf(runEvent)));
        Check(raw.sqlite3_bind_text(_insertEvent, 4, _payload.WrittenSpan));
        var rc = raw.sqlite3_step(_insertEvent);
        raw.sqlite3_reset(_insertEvent);
        if (rc != raw.SQLITE_DONE)
        {
            Check(rc);
        }

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

    public void Dispose()
    {
        _insertEvent.Dispose();
        _json.Dispose();
    }

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(rc, _connection.Handle);
        }
    }
}
