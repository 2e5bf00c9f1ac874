using System.ComponentModel.DataAnnotations;

namespace Council.Server.Storage;

/// <summary>The <c>Council:Storage</c> section.</summary>
public sealed class StorageOptions
{
    public const string Section = "Council:Storage";

    /// <summary><c>sqlite</c> (a file, one node) or <c>postgres</c> (one database that several nodes share).</summary>
    public string Provider { get; set; } = "sqlite";

    /// <summary>The PostgreSQL database, in Npgsql's form (<c>Host=…;Port=…;Database=…;Username=…;Password=…</c>).</summary>
    public string? ConnectionString { get; set; }

    public bool IsPostgres => Provider == "postgres";

    /// <summary>The SQLite file; relative paths are under the content root. Created on first start.</summary>
    [Required]
    public string Path { get; set; } = "data/council.db";

    /// <summary>Queued writes are committed at least this often, in one transaction.</summary>
    [Range(1, 10_000)]
    public int FlushIntervalMs { get; set; } = 50;

    /// <summary>
    /// SQLite page cache of the writer's connection, in MiB. A commit touches a page per running run (plus the
    /// index pages above them): 16 MiB holds those of 4,000 runs at once. A larger cache only keeps finished runs'
    /// pages in memory (under load 64 MiB filled up within a minute and stayed, a third of the server's RSS).
    /// </summary>
    [Range(1, 4096)]
    public int WriterCacheMb { get; set; } = 16;

    /// <summary>Failed commits retried (with backoff) before storage is reported unavailable; it keeps retrying after.</summary>
    [Range(1, 1000)]
    public int CommitRetries { get; set; } = 5;

    /// <summary>The first retry's delay, doubled on each failure up to <see cref="MaxRetryDelayMs"/>.</summary>
    [Range(1, 60_000)]
    public int RetryDelayMs { get; set; } = 50;

    [Range(1, 600_000)]
    public int MaxRetryDelayMs { get; set; } = 2000;

    /// <summary>Changes waiting for the disk past which model streams wait (backpressure) instead of queueing more.</summary>
    [Range(1, 10_000_000)]
    public int MaxQueuedWrites { get; set; } = 20_000;
}
