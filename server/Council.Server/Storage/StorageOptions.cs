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
}
