using System.Text.Json;
using System.Threading.Channels;
using Council.Contracts;
using Council.Contracts.Hub;
using Council.Contracts.Messages;
using System.Data.Common;
using Council.Server.Cluster;
using Council.Server.Workflows;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Council.Server.Storage;

/// <summary>
/// Writes runs as they go: every event of every run, each <c>model_complete</c> as a model output, and the
/// run's end. Grains only enqueue (they never wait on the disk); one writer commits what is queued in one
/// transaction at least every <see cref="StorageOptions.FlushIntervalMs"/>. A commit that fails is retried with
/// backoff, the batch kept whole (no seq gap); after <see cref="StorageOptions.CommitRetries"/> failures storage
/// is marked unavailable in <see cref="Health"/> (readiness, <c>start_run</c> and running runs hear of it) and the
/// writer keeps retrying until a commit succeeds. The queue is bounded for producers that can wait
/// (<see cref="WaitForRoomAsync"/>). At start it marks runs that were going when the server stopped as
/// interrupted, closing their logs so they replay to an end (on a PostgreSQL that several nodes share, only the runs
/// of this node, <see cref="ClusterOptions.NodeName"/>).
/// </summary>
public sealed partial class RunStore(CouncilDatabase database, IOptions<StorageOptions> options, TimeProvider time, ILogger<RunStore> logger,
    StorageHealth? health = null, IOptions<ClusterOptions>? cluster = null)
    : BackgroundService
{
    private const int MaxBatch = 4000;
    private const int MaxTombstones = 10_000;
    private readonly Channel<StoreOp> _queue = Channel.CreateUnbounded<StoreOp>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _lock = new();
    private readonly Dictionary<string, int> _runningByConversation = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _conversationOfRun = new(StringComparer.Ordinal);
    private readonly HashSet<string> _deletedConversations = new(StringComparer.Ordinal);
    private readonly Queue<string> _tombstoneOrder = new();
    private TaskCompletionSource? _room;
    private long _queued;

    /// <summary>Whether storage takes writes now, and why not.</summary>
    public StorageHealth Health { get; } = health ?? new StorageHealth();

    /// <summary>Changes queued and not yet committed.</summary>
    public long QueuedCount => Interlocked.Read(ref _queued);

    /// <summary>Records a new run (and its conversation, when new).</summary>
    /// <exception cref="InvalidRunRequestException">Storage is unavailable, or the conversation was deleted meanwhile.</exception>
    public void RunStarted(RunPlan plan)
    {
        if (Health.UnavailableReason is { } reason)
        {
            throw new InvalidRunRequestException($"Storage is unavailable ({reason}), so no run can start now. Try again once the server is ready (/readyz).");
        }
        lock (_lock)
        {
            // Checked and counted together with a delete of the conversation: one of the two wins, never both.
            if (_deletedConversations.Contains(plan.ConversationId))
            {
                throw new InvalidRunRequestException($"Unknown conversation '{plan.ConversationId}'. Leave conversationId out to start a new one.");
            }
            _runningByConversation[plan.ConversationId] = _runningByConversation.GetValueOrDefault(plan.ConversationId) + 1;
            _conversationOfRun[plan.RunId] = plan.ConversationId;
        }
        Enqueue(new RunStartedOp(plan, time.GetUtcNow()));
    }

    /// <summary>Queues an event of a run for writing.</summary>
    public void Append(RunEvent runEvent)
    {
        if (runEvent is RunCompleteEvent)
        {
            lock (_lock)
            {
                if (_conversationOfRun.Remove(runEvent.RunId, out var conversationId)
                    && _runningByConversation.TryGetValue(conversationId, out var running))
                {
                    if (running <= 1)
                    {
                        _runningByConversation.Remove(conversationId);
                    }
                    else
                    {
                        _runningByConversation[conversationId] = running - 1;
                    }
                }
            }
        }
        Enqueue(new EventOp(runEvent));
    }

    /// <summary>
    /// Completes at once while fewer than <see cref="StorageOptions.MaxQueuedWrites"/> changes wait for the disk,
    /// else when the writer has caught up: producers that await it (a model's stream) slow down to what storage takes.
    /// </summary>
    public ValueTask WaitForRoomAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Read(ref _queued) < options.Value.MaxQueuedWrites)
        {
            return ValueTask.CompletedTask;
        }
        Task room;
        lock (_lock)
        {
            room = Interlocked.Read(ref _queued) < options.Value.MaxQueuedWrites
                ? Task.CompletedTask
                : (_room ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }
        return new ValueTask(room.WaitAsync(cancellationToken));
    }

    /// <summary>Completes once everything queued before the call is committed; fails when storage is unavailable.</summary>
    public Task FlushAsync(CancellationToken cancellationToken = default)
    {
        if (Health.UnavailableReason is { } reason)
        {
            return Task.FromException(new StorageUnavailableException(reason));
        }
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return _queue.Writer.TryWrite(new FlushOp(done)) ? done.Task.WaitAsync(cancellationToken) : Task.CompletedTask;
    }

    /// <summary>
    /// Deletes a stored conversation and its runs unless one of them is going, checked in the same step as
    /// <see cref="RunStarted"/> counts a run: a run cannot start in a conversation being deleted, nor a delete
    /// remove a conversation whose run has started. The caller has checked that the conversation is the owner's.
    /// </summary>
    internal async Task<bool> DeleteConversationAsync(string conversationId, string owner, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_runningByConversation.ContainsKey(conversationId))
            {
                return false;
            }
            if (_deletedConversations.Add(conversationId))
            {
                _tombstoneOrder.Enqueue(conversationId);
                while (_tombstoneOrder.Count > MaxTombstones)
                {
                    _deletedConversations.Remove(_tombstoneOrder.Dequeue());
                }
            }
        }
        var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            if (!_queue.Writer.TryWrite(new DeleteConversationOp(conversationId, owner, done)))
            {
                throw new StorageUnavailableException("the server is stopping");
            }
            return await done.Task.WaitAsync(cancellationToken);
        }
        catch
        {
            lock (_lock)
            {
                _deletedConversations.Remove(conversationId); // not deleted after all: it can go on
            }
            throw;
        }
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

    private void Enqueue(StoreOp op)
    {
        Interlocked.Increment(ref _queued);
        if (!_queue.Writer.TryWrite(op))
        {
            Interlocked.Decrement(ref _queued);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var connection = TryOpenWriter(out var whyNot);
        if (connection is null)
        {
            Health.MarkUnavailable(whyNot!); // e.g. a read-only file: say so before the first run is accepted
        }
        try
        {
            var batch = new List<StoreOp>();
            Task<bool>? waitToRead = null;
            // Drains even after stoppingToken: a graceful stop writes everything that was queued.
            while (true)
            {
                waitToRead ??= _queue.Reader.WaitToReadAsync(CancellationToken.None).AsTask();
                if (connection is null && !waitToRead.IsCompleted)
                {
                    // Storage is down and nothing waits to be written: look again now and then, so that the server
                    // becomes ready again by itself once the file can be written.
                    await Task.WhenAny(waitToRead, DelayAsync(options.Value.MaxRetryDelayMs, stoppingToken));
                    if (!waitToRead.IsCompleted)
                    {
                        connection = TryOpenWriter(out _);
                        if (connection is not null && Health.UnavailableReason is not null)
                        {
                            Health.MarkAvailable();
                            LogStorageBack(logger, database.Target);
                        }
                        continue;
                    }
                }
                else if (connection is not null && database.IsPostgres && !waitToRead.IsCompleted)
                {
                    // Nothing to write: ask the server now and then, so that readiness and start_run hear of an outage
                    // before the next run's first commit fails.
                    await Task.WhenAny(waitToRead, DelayAsync(options.Value.MaxRetryDelayMs, stoppingToken));
                    if (!waitToRead.IsCompleted && !stoppingToken.IsCancellationRequested && Probe(connection) is { } down)
                    {
                        Discard(connection);
                        connection = null;
                        Health.MarkUnavailable(down);
                        continue;
                    }
                }
                if (!await waitToRead)
                {
                    break;
                }
                waitToRead = null;
                while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var op))
                {
                    batch.Add(op);
                }
                connection = await CommitWithRetriesAsync(connection, batch, stoppingToken);
                var waiting = batch.Count >= MaxBatch;
                batch.Clear();
                if (!waiting && !stoppingToken.IsCancellationRequested)
                {
                    await DelayAsync(options.Value.FlushIntervalMs, stoppingToken);
                }
            }
        }
        finally
        {
            connection?.Dispose();
        }
    }

    /// <summary>The writer's connection, or null (and why) when the file cannot be opened for writing.</summary>
    private DbConnection? TryOpenWriter(out string? whyNot)
    {
        DbConnection? connection = null;
        try
        {
            connection = database.Connect();
            if (connection is SqliteConnection sqlite)
            {
                // SQLite opens a file it may not write read-only, without an error: every commit would fail.
                if (SQLitePCL.raw.sqlite3_db_readonly(sqlite.Handle, "main") == 1)
                {
                    throw new SqliteException("attempt to write a readonly database", 8);
                }
                // The writer touches a page per running run on every commit; a page cache that holds them all keeps SQLite
                // from reading its own file back (the default 2 MB does not, with hundreds of runs going).
                CouncilDatabase.Execute(connection, $"PRAGMA cache_size = -{options.Value.WriterCacheMb * 1024};");
            }
            whyNot = null;
            return connection;
        }
        catch (Exception ex) when (ex is DbException or TimeoutException)
        {
            Discard(connection);
            LogOpenFailed(logger, ex, database.Target);
            whyNot = Reason(ex);
            return null;
        }
    }

    /// <summary>Null when the writer's connection answers, else why not.</summary>
    private string? Probe(DbConnection connection)
    {
        try
        {
            CouncilDatabase.Execute(connection, "SELECT 1;");
            return null;
        }
        catch (Exception ex) when (ex is DbException or TimeoutException or InvalidOperationException)
        {
            LogOpenFailed(logger, ex, database.Target);
            return Reason(ex);
        }
    }

    /// <summary>
    /// Commits the batch, retrying with backoff until it is in (or the server stops while storage is down): a batch
    /// is never dropped, so the stored log has no gap. Returns the connection to go on with (a new one after a failure).
    /// </summary>
    private async Task<DbConnection?> CommitWithRetriesAsync(DbConnection? connection, List<StoreOp> batch, CancellationToken stoppingToken)
    {
        var o = options.Value;
        var delay = o.RetryDelayMs;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                connection ??= TryOpenWriter(out var whyNot) ?? throw new StorageUnavailableException(whyNot!);
                Commit(connection, batch);
                Done(batch);
                if (Health.UnavailableReason is not null)
                {
                    Health.MarkAvailable();
                    LogStorageBack(logger, database.Target);
                }
                return connection;
            }
            catch (Exception ex)
            {
                var reason = Reason(ex);
                LogWriteFailed(logger, ex, batch.Count, database.Target, attempt);
                // A new connection for the next attempt: the old one may be what broke (a file replaced or gone).
                Discard(connection);
                connection = null;
                if (attempt == o.CommitRetries)
                {
                    Health.MarkUnavailable(reason);
                    Fail(batch, reason);
                }
                if (stoppingToken.IsCancellationRequested && (attempt >= o.CommitRetries || Health.UnavailableReason is not null))
                {
                    // Stopping with storage down: nothing more can be done for these (a restart marks their runs interrupted).
                    LogLostOnStop(logger, batch.Count, database.Target);
                    Fail(batch, reason);
                    Done(batch);
                    return connection;
                }
                await DelayAsync(delay, stoppingToken);
                delay = Math.Min(delay * 2, o.MaxRetryDelayMs);
            }
        }
    }

    /// <summary>
    /// Closes a connection that failed for good: out of the pool too, or the next open would get the same SQLite
    /// handle back (one opened read-only stays read-only after the file is writable again; PostgreSQL: a connection
    /// to a server that went away).
    /// </summary>
    private static void Discard(DbConnection? connection)
    {
        switch (connection)
        {
            case SqliteConnection sqlite:
                SqliteConnection.ClearPool(sqlite);
                break;
            case NpgsqlConnection postgres:
                NpgsqlConnection.ClearPool(postgres);
                break;
        }
        connection?.Dispose();
    }

    private Task DelayAsync(int ms, CancellationToken stoppingToken) =>
        Task.Delay(TimeSpan.FromMilliseconds(ms), time, stoppingToken).ContinueWith(static _ => { }, CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    /// <summary>After the batch is committed: flushes and deletes answered, producers let go on.</summary>
    private void Done(List<StoreOp> batch)
    {
        foreach (var op in batch)
        {
            switch (op)
            {
                case FlushOp flush:
                    flush.Done.TrySetResult();
                    break;
                case DeleteConversationOp delete:
                    delete.Done.TrySetResult(delete.Deleted);
                    break;
            }
        }
        if (Interlocked.Add(ref _queued, -batch.Count(op => op is RunStartedOp or EventOp)) < options.Value.MaxQueuedWrites)
        {
            TaskCompletionSource? room;
            lock (_lock)
            {
                (room, _room) = (_room, null);
            }
            room?.TrySetResult();
        }
    }

    /// <summary>Storage stays down: whoever waits on this batch hears why (the writes themselves are kept and retried).</summary>
    private static void Fail(List<StoreOp> batch, string reason)
    {
        foreach (var op in batch)
        {
            switch (op)
            {
                case FlushOp flush:
                    flush.Done.TrySetException(new StorageUnavailableException(reason));
                    break;
                case DeleteConversationOp delete:
                    delete.Done.TrySetException(new StorageUnavailableException(reason));
                    break;
            }
        }
    }

    private string Reason(Exception ex) => ex switch
    {
        StorageUnavailableException s => s.Reason,
        SqliteException { SqliteErrorCode: 13 } => $"the disk holding '{database.FilePath}' is full",
        SqliteException { SqliteErrorCode: 8 } => $"the database file '{database.FilePath}' is read-only",
        SqliteException { SqliteErrorCode: 5 or 6 } => $"the database file '{database.FilePath}' is locked by another process",
        SqliteException { SqliteErrorCode: 10 } => $"disk I/O error on '{database.FilePath}'",
        SqliteException { SqliteErrorCode: 14 } => $"the database file '{database.FilePath}' cannot be opened",
        SqliteException s => $"SQLite error {s.SqliteErrorCode} on '{database.FilePath}': {s.Message.TrimEnd('.')}",
        PostgresException p => $"{database.Target} ({PostgresStorage.Setting}) refused the write ({p.SqlState}: {p.MessageText.TrimEnd('.')})",
        NpgsqlException or TimeoutException => $"{database.Target} ({PostgresStorage.Setting}) is unreachable",
        _ => $"{ex.GetType().Name} writing '{database.FilePath}': {ex.Message.TrimEnd('.')}",
    };

    private void Commit(DbConnection connection, List<StoreOp> batch)
    {
        using var transaction = connection.BeginTransaction();
        using var events = new RunEventWriter(connection, transaction);
        var at = time.GetUtcNow();
        foreach (var op in batch)
        {
            switch (op)
            {
                case RunStartedOp started:
                    InsertRun(connection, transaction, started.Plan, started.At, Node);
                    break;
                case EventOp e:
                    events.Apply(e.Event, at);
                    break;
                case DeleteConversationOp delete:
                    delete.Deleted = DeleteConversation(connection, transaction, delete.ConversationId, delete.Owner);
                    break;
            }
        }
        events.Flush();
        transaction.Commit();
    }

    /// <summary>This node's name, stored with the runs it starts.</summary>
    private string Node => cluster?.Value.NodeName ?? "";

    private static bool DeleteConversation(DbConnection connection, DbTransaction transaction, string conversationId, string owner)
    {
        // Runs marked running here belong to no grain of this process (those were counted before the op was queued);
        // kept as a guard all the same.
        using var command = Command(connection, transaction, """
            DELETE FROM conversations WHERE id = $id AND owner = $owner
                AND NOT EXISTS (SELECT 1 FROM runs WHERE conversation_id = $id AND status = 'running')
            """);
        command.Set("$id", conversationId);
        command.Set("$owner", owner);
        return command.ExecuteNonQuery() == 1;
    }

    private static void InsertRun(DbConnection connection, DbTransaction transaction, RunPlan plan, DateTimeOffset at, string node)
    {
        using var conversation = Command(connection, transaction, """
            INSERT INTO conversations (id, title, created_at, updated_at, owner) VALUES ($id, $title, $at, $at, $owner)
            ON CONFLICT (id) DO UPDATE SET updated_at = $at
            """);
        conversation.Set("$id", plan.ConversationId);
        conversation.Set("$title", Title(plan.Prompt));
        conversation.Set("$at", at.ToUnixTimeMilliseconds());
        conversation.Set("$owner", plan.Owner);
        conversation.ExecuteNonQuery();

        using var run = Command(connection, transaction, """
            INSERT INTO runs (id, conversation_id, prompt, workflow, models, chairmen, status, created_at, owner, node)
            VALUES ($id, $conversation, $prompt, $workflow, $models, $chairmen, 'running', $at, $owner, $node)
            """);
        run.Set("$node", node);
        run.Set("$id", plan.RunId);
        run.Set("$conversation", plan.ConversationId);
        run.Set("$prompt", plan.Prompt);
        run.Set("$workflow", plan.Workflow.Name);
        run.Set("$models", JsonSerializer.Serialize(plan.Models, CouncilJsonContext.Default.IReadOnlyListString));
        run.Set("$chairmen", JsonSerializer.Serialize(plan.Chairmen, CouncilJsonContext.Default.IReadOnlyListString));
        run.Set("$at", at.ToUnixTimeMilliseconds());
        run.Set("$owner", plan.Owner);
        run.ExecuteNonQuery();
    }

    /// <summary>
    /// Closes the logs of runs that were going when the server stopped: every model still open gets a
    /// <c>model_complete</c> (cancelled, with the text stored so far), then the run a <c>run_complete</c>.
    /// </summary>
    private void MarkInterruptedRuns()
    {
        // A shared database holds the runs other nodes have going: this node closes only its own.
        foreach (var runId in CloseRunsOf(database.IsPostgres ? Node : null, InterruptedRun.ServerStopped))
        {
            LogInterrupted(logger, runId);
        }
    }

    /// <summary>
    /// Closes, as interrupted, the runs that a lost node of the cluster left going in the shared database, so they
    /// read as ended without waiting for that node to come back. Every surviving node may ask at once: each run is
    /// closed once. A run this node mirrored is stored as its viewers here saw it end (<paramref name="seenHere"/>: the
    /// events the lost node had relayed but not stored yet, then the closing ones); any other from its stored events.
    /// Nothing to do on SQLite, where each node has a database of its own.
    /// </summary>
    public async Task CloseRunsOfLostNodeAsync(string node, IReadOnlyDictionary<string, IReadOnlyList<RunEvent>>? seenHere = null)
    {
        if (!database.IsPostgres)
        {
            return;
        }
        var closed = await Task.Run(() => CloseRunsOf(node, InterruptedRun.NodeLost(node), seenHere));
        if (closed.Count > 0)
        {
            LogClosedForLostNode(logger, closed.Count, node);
        }
    }

    /// <summary>Closes the running runs of <paramref name="node"/> (all, when null) with <paramref name="error"/>; returns their ids.</summary>
    private List<string> CloseRunsOf(string? node, string error, IReadOnlyDictionary<string, IReadOnlyList<RunEvent>>? seenHere = null)
    {
        using var connection = database.Connect();
        var running = new List<string>();
        using (var select = Command(connection, null, node is null
            ? "SELECT id FROM runs WHERE status = 'running'"
            : "SELECT id FROM runs WHERE status = 'running' AND node = $node"))
        {
            if (node is not null)
            {
                select.Set("$node", node);
            }
            using var reader = select.ExecuteReader();
            while (reader.Read())
            {
                running.Add(reader.GetString(0));
            }
        }

        var closed = new List<string>();
        foreach (var runId in running)
        {
            using var transaction = connection.BeginTransaction();
            // Another node may be closing it too (the lost node restarted, or another survivor): on PostgreSQL the
            // row is locked and read again, so one of them closes it and the others find it ended.
            using (var claim = Command(connection, transaction, database.IsPostgres
                ? "SELECT status FROM runs WHERE id = $id FOR UPDATE"
                : "SELECT status FROM runs WHERE id = $id"))
            {
                claim.Set("$id", runId);
                if (claim.ExecuteScalar() as string != "running")
                {
                    continue;
                }
            }
            var events = StoredEvents.Load(connection, runId, transaction);
            var rest = seenHere?.GetValueOrDefault(runId) is { } seen && Extends(seen, events)
                ? seen.Skip(events.Count)
                : InterruptedRun.Closing(runId, events, error);
            using (var writer = new RunEventWriter(connection, transaction))
            {
                foreach (var e in rest)
                {
                    writer.Apply(e, time.GetUtcNow());
                }
                writer.Flush();
            }
            transaction.Commit();
            closed.Add(runId);
        }
        return closed;
    }

    /// <summary>True when <paramref name="log"/> is a closed log that holds every event of <paramref name="stored"/> at the same seqs.</summary>
    private static bool Extends(IReadOnlyList<RunEvent> log, List<RunEvent> stored) =>
        log.Count >= stored.Count && log is [.., RunCompleteEvent] && (stored.Count == 0 || log[stored.Count - 1].Seq == stored[^1].Seq)
        && log.Select((e, i) => e.Seq == i + 1).All(x => x);

    internal static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql) =>
        DbCommands.Command(connection, transaction, sql);

    private static string Title(string prompt)
    {
        var line = prompt.Trim().Split('\n', 2)[0].Trim();
        return line.Length <= 80 ? line : line[..79] + "…";
    }

    private abstract record StoreOp;

    private sealed record RunStartedOp(RunPlan Plan, DateTimeOffset At) : StoreOp;

    private sealed record EventOp(RunEvent Event) : StoreOp;

    private sealed record FlushOp(TaskCompletionSource Done) : StoreOp;

    private sealed record DeleteConversationOp(string ConversationId, string Owner, TaskCompletionSource<bool> Done) : StoreOp
    {
        public bool Deleted { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not write {Count} queued changes to {Path} (attempt {Attempt}); kept, retrying")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, int count, string path, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not open {Path} for writing")]
    private static partial void LogOpenFailed(ILogger logger, Exception exception, string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "Storage at {Path} takes writes again")]
    private static partial void LogStorageBack(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Critical, Message = "The server stopped while storage was unavailable: {Count} queued changes were not written to {Path}")]
    private static partial void LogLostOnStop(ILogger logger, int count, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} runs of lost node {Node} were going; marked interrupted")]
    private static partial void LogClosedForLostNode(ILogger logger, int count, string node);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId} was going when the server stopped; marked interrupted")]
    private static partial void LogInterrupted(ILogger logger, string runId);
}
