using System.Text.Json;
using System.Threading.Channels;
using Council.Contracts;
using Council.Contracts.Hub;
using Council.Contracts.Messages;
using Council.Server.Workflows;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Council.Server.Storage;

/// <summary>
/// Writes runs as they go: every event of every run, each <c>model_complete</c> as a model output, and the
/// run's end. Grains only enqueue (they never wait on the disk); one writer commits what is queued in one
/// transaction at least every <see cref="StorageOptions.FlushIntervalMs"/>. At start it marks runs that were
/// going when the server stopped as interrupted, closing their logs so they replay to an end.
/// </summary>
public sealed partial class RunStore(CouncilDatabase database, IOptions<StorageOptions> options, TimeProvider time, ILogger<RunStore> logger)
    : BackgroundService
{
    public const string InterruptedError = "Interrupted: the server stopped during this run. Completed outputs are kept; run it again.";

    private const int MaxBatch = 4000;
    private readonly Channel<StoreOp> _queue = Channel.CreateUnbounded<StoreOp>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Records a new run (and its conversation, when new).</summary>
    public void RunStarted(RunPlan plan) => _queue.Writer.TryWrite(new RunStartedOp(plan, time.GetUtcNow()));

    /// <summary>Queues an event of a run for writing.</summary>
    public void Append(RunEvent runEvent) => _queue.Writer.TryWrite(new EventOp(runEvent));

    /// <summary>Completes once everything queued before the call is committed.</summary>
    public Task FlushAsync(CancellationToken cancellationToken = default)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return _queue.Writer.TryWrite(new FlushOp(done)) ? done.Task.WaitAsync(cancellationToken) : Task.CompletedTask;
    }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        database.Migrate();
        MarkInterruptedRuns();
        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var connection = database.Open();
        var batch = new List<StoreOp>();
        // Drains even after stoppingToken: a graceful stop writes everything that was queued.
        while (await _queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var op))
            {
                batch.Add(op);
            }
            Commit(connection, batch);
            foreach (var flush in batch.OfType<FlushOp>())
            {
                flush.Done.TrySetResult();
            }
            var waiting = batch.Count >= MaxBatch;
            batch.Clear();
            if (!waiting && !stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(options.Value.FlushIntervalMs), time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }
    }

    private void Commit(SqliteConnection connection, List<StoreOp> batch)
    {
        try
        {
            using var transaction = connection.BeginTransaction();
            foreach (var op in batch)
            {
                switch (op)
                {
                    case RunStartedOp started:
                        InsertRun(connection, transaction, started.Plan, started.At);
                        break;
                    case EventOp e:
                        ApplyEvent(connection, transaction, e.Event, time.GetUtcNow());
                        break;
                }
            }
            transaction.Commit();
        }
        catch (Exception ex)
        {
            LogWriteFailed(logger, ex, batch.Count, database.FilePath);
        }
    }

    private static void InsertRun(SqliteConnection connection, SqliteTransaction transaction, RunPlan plan, DateTimeOffset at)
    {
        using var conversation = Command(connection, transaction, """
            INSERT INTO conversations (id, title, created_at, updated_at) VALUES ($id, $title, $at, $at)
            ON CONFLICT (id) DO UPDATE SET updated_at = $at
            """);
        conversation.Parameters.AddWithValue("$id", plan.ConversationId);
        conversation.Parameters.AddWithValue("$title", Title(plan.Prompt));
        conversation.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
        conversation.ExecuteNonQuery();

        using var run = Command(connection, transaction, """
            INSERT INTO runs (id, conversation_id, prompt, workflow, models, chairmen, status, created_at)
            VALUES ($id, $conversation, $prompt, $workflow, $models, $chairmen, 'running', $at)
            """);
        run.Parameters.AddWithValue("$id", plan.RunId);
        run.Parameters.AddWithValue("$conversation", plan.ConversationId);
        run.Parameters.AddWithValue("$prompt", plan.Prompt);
        run.Parameters.AddWithValue("$workflow", plan.Workflow.Name);
        run.Parameters.AddWithValue("$models", JsonSerializer.Serialize(plan.Models, CouncilJsonContext.Default.IReadOnlyListString));
        run.Parameters.AddWithValue("$chairmen", JsonSerializer.Serialize(plan.Chairmen, CouncilJsonContext.Default.IReadOnlyListString));
        run.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
        run.ExecuteNonQuery();
    }

    private static void ApplyEvent(SqliteConnection connection, SqliteTransaction transaction, RunEvent runEvent, DateTimeOffset at)
    {
        using var insert = Command(connection, transaction,
            "INSERT INTO run_events (run_id, seq, type, payload) VALUES ($run, $seq, $type, $payload); UPDATE runs SET last_seq = $seq WHERE id = $run");
        insert.Parameters.AddWithValue("$run", runEvent.RunId);
        insert.Parameters.AddWithValue("$seq", runEvent.Seq);
        insert.Parameters.AddWithValue("$type", StoredEvents.TypeOf(runEvent));
        insert.Parameters.AddWithValue("$payload", StoredEvents.Serialize(runEvent));
        insert.ExecuteNonQuery();

        switch (runEvent)
        {
            case ModelCompleteEvent m:
                using (var output = Command(connection, transaction, """
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
                using (var end = Command(connection, transaction, """
                    UPDATE runs SET status = $status, final = $final, error = $error, aggregate_rankings = $rankings,
                        metrics = $metrics, completed_at = $at WHERE id = $run
                    """))
                {
                    end.Parameters.AddWithValue("$run", r.RunId);
                    end.Parameters.AddWithValue("$status", r.Error == InterruptedError ? "interrupted" : StoredEvents.Wire(r.Status));
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

    /// <summary>
    /// Closes the logs of runs that were going when the server stopped: every model still open gets a
    /// <c>model_complete</c> (cancelled, with the text stored so far), then the run a <c>run_complete</c>.
    /// </summary>
    private void MarkInterruptedRuns()
    {
        using var connection = database.Open();
        var running = new List<string>();
        using (var select = Command(connection, null, "SELECT id FROM runs WHERE status = 'running'"))
        using (var reader = select.ExecuteReader())
        {
            while (reader.Read())
            {
                running.Add(reader.GetString(0));
            }
        }

        foreach (var runId in running)
        {
            var events = StoredEvents.Load(connection, runId);
            var seq = events.Count == 0 ? 0 : events[^1].Seq;
            var closing = new List<RunEvent>();
            var completed = events.OfType<ModelCompleteEvent>().Select(c => (c.Stage, c.Model)).ToHashSet();
            foreach (var start in events.OfType<ModelStartEvent>().Where(s => !completed.Contains((s.Stage, s.Model))))
            {
                var text = string.Concat(events.OfType<TokenEvent>().Where(t => t.Stage == start.Stage && t.Model == start.Model).Select(t => t.Delta));
                closing.Add(new ModelCompleteEvent(runId, ++seq, start.Stage, start.Model, ModelStatus.Cancelled, text, InterruptedError, null, 0, null));
            }
            var calls = events.OfType<ModelCompleteEvent>().Concat(closing.OfType<ModelCompleteEvent>())
                .Select(c => new ModelCallMetrics(c.Stage, c.Model, c.Status, c.TtftMs, c.DurationMs, c.Usage?.PromptTokens ?? 0, c.Usage?.CompletionTokens ?? 0, c.Usage?.Cost))
                .ToArray();
            closing.Add(new RunCompleteEvent(runId, ++seq, RunStatus.Failed, null, InterruptedError, null,
                new RunMetrics(0, calls.Sum(c => c.PromptTokens), calls.Sum(c => c.CompletionTokens), null, calls)));

            using var transaction = connection.BeginTransaction();
            foreach (var e in closing)
            {
                ApplyEvent(connection, transaction, e, time.GetUtcNow());
            }
            transaction.Commit();
            LogInterrupted(logger, runId);
        }
    }

    internal static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }

    private static string Title(string prompt)
    {
        var line = prompt.Trim().Split('\n', 2)[0].Trim();
        return line.Length <= 80 ? line : line[..79] + "…";
    }

    private abstract record StoreOp;

    private sealed record RunStartedOp(RunPlan Plan, DateTimeOffset At) : StoreOp;

    private sealed record EventOp(RunEvent Event) : StoreOp;

    private sealed record FlushOp(TaskCompletionSource Done) : StoreOp;

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not write {Count} queued changes to {Path}")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, int count, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId} was going when the server stopped; marked interrupted")]
    private static partial void LogInterrupted(ILogger logger, string runId);
}
