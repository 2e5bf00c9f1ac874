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
        // The writer touches a page per running run on every commit; a page cache that holds them all keeps SQLite
        // from reading its own file back (the default 2 MB does not, with hundreds of runs going).
        CouncilDatabase.Execute(connection, $"PRAGMA cache_size = -{options.Value.WriterCacheMb * 1024};");
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
            using var events = new RunEventWriter(connection, transaction);
            var at = time.GetUtcNow();
            foreach (var op in batch)
            {
                switch (op)
                {
                    case RunStartedOp started:
                        InsertRun(connection, transaction, started.Plan, started.At);
                        break;
                    case EventOp e:
                        events.Apply(e.Event, at);
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
            INSERT INTO conversations (id, title, created_at, updated_at, owner) VALUES ($id, $title, $at, $at, $owner)
            ON CONFLICT (id) DO UPDATE SET updated_at = $at
            """);
        conversation.Parameters.AddWithValue("$id", plan.ConversationId);
        conversation.Parameters.AddWithValue("$title", Title(plan.Prompt));
        conversation.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
        conversation.Parameters.AddWithValue("$owner", plan.Owner);
        conversation.ExecuteNonQuery();

        using var run = Command(connection, transaction, """
            INSERT INTO runs (id, conversation_id, prompt, workflow, models, chairmen, status, created_at, owner)
            VALUES ($id, $conversation, $prompt, $workflow, $models, $chairmen, 'running', $at, $owner)
            """);
        run.Parameters.AddWithValue("$id", plan.RunId);
        run.Parameters.AddWithValue("$conversation", plan.ConversationId);
        run.Parameters.AddWithValue("$prompt", plan.Prompt);
        run.Parameters.AddWithValue("$workflow", plan.Workflow.Name);
        run.Parameters.AddWithValue("$models", JsonSerializer.Serialize(plan.Models, CouncilJsonContext.Default.IReadOnlyListString));
        run.Parameters.AddWithValue("$chairmen", JsonSerializer.Serialize(plan.Chairmen, CouncilJsonContext.Default.IReadOnlyListString));
        run.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
        run.Parameters.AddWithValue("$owner", plan.Owner);
        run.ExecuteNonQuery();
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
            using (var writer = new RunEventWriter(connection, transaction))
            {
                foreach (var e in closing)
                {
                    writer.Apply(e, time.GetUtcNow());
                }
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
