namespace Council.Server.Storage;

/// <summary>Storage cannot commit now (disk full, read-only, gone); the message says why.</summary>
public sealed class StorageUnavailableException(string reason) : Exception($"Storage is unavailable: {reason}")
{
    public string Reason { get; } = reason;
}
