using System.ComponentModel.DataAnnotations;

namespace Council.Server.Storage;

/// <summary>The <c>Council:Storage</c> section.</summary>
public sealed class StorageOptions
{
    public const string Section = "Council:Storage";

    /// <summary>The SQLite file; relative paths are under the content root. Created on first start.</summary>
    [Required]
    public string Path { get; set; } = "data/council.db";

    /// <summary>Queued writes are committed at least this often, in one transaction.</summary>
    [Range(1, 10_000)]
    public int FlushIntervalMs { get; set; } = 50;

    /// <summary>SQLite page cache of the writer's connection, in MiB.</summary>
    [Range(1, 4096)]
    public int WriterCacheMb { get; set; } = 64;

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
