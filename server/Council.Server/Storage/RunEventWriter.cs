using System.Buffers;
using System.Data.Common;
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
/// load); readers take it from the events' primary key. On PostgreSQL the events are collected and inserted at
/// <see cref="Flush"/> in one statement (arrays unnested), not one round trip each.
/// </summary>
internal sealed class RunEventWriter : IDisposable
{
    private readonly sqlite3_stmt? _insertEvent;
    private readonly ArrayBufferWriter<byte> _payload = new(1024);
    private readonly Utf8JsonWriter _json;
    private byte[] _runId = new byte[64];
    private readonly DbConnection _connection;
    private readonly DbTransaction _transaction;
    private readonly List<RunEvent>? _pending;

    public RunEventWriter(DbConnection connection, DbTransaction transaction)
    {
        _connection = connection;
        _transaction = transaction;
        var options = CouncilJsonContext.Default.Options;
        _json = new Utf8JsonWriter(_payload, new JsonWriterOptions { Encoder = options.Encoder, Indented = options.WriteIndented });
        if (connection is SqliteConnection sqlite)
        {
            Check(raw.sqlite3_prepare_v2(sqlite.Handle, "INSERT INTO run_events (run_id, seq, type, payload) VALUES (?1, ?2, ?3, ?4)", out _insertEvent));
        }
        else
        {
            _pending = [];
        }
    }

    public void Apply(RunEvent runEvent, DateTimeOffset at)
    {
        if (_pending is not null)
        {
            _pending.Add(runEvent);
        }
        else
        {
            InsertSqlite(runEvent);
        }

        switch (runEvent)
        {
            case ModelCompleteEvent m:
                using (var output = RunStore.Command(_connection, _transaction, """
                    INSERT INTO model_outputs (run_id, stage, model, status, text, error, ttft_ms, duration_ms, usage, ranking)
                    VALUES ($run, $stage, $model, $status, $text, $error, $ttft, $duration, $usage, $ranking)
                    ON CONFLICT (run_id, stage, model) DO UPDATE SET status = excluded.status, text = excluded.text, error = excluded.error,
                        ttft_ms = excluded.ttft_ms, duration_ms = excluded.duration_ms, usage = excluded.usage, ranking = excluded.ranking
                    """))
                {
                    output.Set("$run", m.RunId);
                    output.Set("$stage", m.Stage);
                    output.Set("$model", m.Model);
                    output.Set("$status", StoredEvents.Wire(m.Status));
                    output.Set("$text", m.Text);
                    output.Set("$error", m.Error);
                    output.Set("$ttft", m.TtftMs);
                    output.Set("$duration", m.DurationMs);
                    output.Set("$usage", m.Usage is null ? null : JsonSerializer.Serialize(m.Usage, CouncilJsonContext.Default.Usage));
                    output.Set("$ranking", m.Ranking is null ? null : JsonSerializer.Serialize(m.Ranking, CouncilJsonContext.Default.IReadOnlyListString));
                    output.ExecuteNonQuery();
                }
                break;
            case RunCompleteEvent r:
                using (var end = RunStore.Command(_connection, _transaction, """
                    UPDATE runs SET status = $status, final = $final, error = $error, aggregate_rankings = $rankings,
                        metrics = $metrics, completed_at = $at WHERE id = $run
                    """))
                {
                    end.Set("$run", r.RunId);
                    end.Set("$status", InterruptedRun.IsInterruption(r.Error) ? "interrupted" : StoredEvents.Wire(r.Status));
                    end.Set("$final", r.Final);
                    end.Set("$error", r.Error);
                    end.Set("$rankings", r.AggregateRankings is null ? null : JsonSerializer.Serialize(r.AggregateRankings, CouncilJsonContext.Default.IReadOnlyListAggregateRanking));
                    end.Set("$metrics", JsonSerializer.Serialize(r.Metrics, CouncilJsonContext.Default.RunMetrics));
                    end.Set("$at", at.ToUnixTimeMilliseconds());
                    end.ExecuteNonQuery();
                }
                break;
        }
    }

    /// <summary>Writes the events collected (PostgreSQL); call before committing. SQLite has written each already.</summary>
    public void Flush()
    {
        if (_pending is not { Count: > 0 })
        {
            return;
        }
        using var command = RunStore.Command(_connection, _transaction, """
            INSERT INTO run_events (run_id, seq, type, payload) SELECT * FROM unnest($runs, $seqs, $types, $payloads)
            """);
        command.Set("$runs", _pending.Select(e => e.RunId).ToArray());
        command.Set("$seqs", _pending.Select(e => e.Seq).ToArray());
        command.Set("$types", _pending.Select(StoredEvents.TypeOf).ToArray());
        command.Set("$payloads", _pending.Select(StoredEvents.Serialize).ToArray());
        command.ExecuteNonQuery();
        _pending.Clear();
    }

    private void InsertSqlite(RunEvent runEvent)
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
    }

    public void Dispose()
    {
        _insertEvent?.Dispose();
        _json.Dispose();
    }

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(rc, ((SqliteConnection)_connection).Handle);
        }
    }
}
