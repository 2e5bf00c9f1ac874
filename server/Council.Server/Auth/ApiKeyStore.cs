using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Council.Server.Auth;

/// <summary>
/// The configured API keys, by hash. A presented key is hashed and looked up, never stored. The keys follow their
/// sources: configuration that reloads, and <see cref="AuthOptions.ApiKeysFile"/>, read again when it changes (a
/// file that cannot be read or parsed keeps the keys read before), so a revoked key stops working.
/// </summary>
public sealed class ApiKeyStore(IOptionsMonitor<AuthOptions> options)
{
    private readonly Lock _lock = new();
    private Snapshot? _snapshot;

    public ApiKeyEntry? Find(string key) => FindByHash(Hash(key));

    /// <summary>The entry whose hash is <paramref name="hash"/> (lower-case hex), as the sources say now.</summary>
    public ApiKeyEntry? FindByHash(string hash) => Current().GetValueOrDefault(hash);

    /// <summary>SHA-256 of the key as lower-case hex: what configuration holds (<c>printf %s "$KEY" | sha256sum</c>).</summary>
    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    internal static List<ApiKeyEntry> Entries(AuthOptions o)
    {
        var entries = new List<ApiKeyEntry>(o.ApiKeys);
        if (!string.IsNullOrEmpty(o.ApiKeysFile))
        {
            entries.AddRange(JsonSerializer.Deserialize<List<ApiKeyEntry>>(File.ReadAllText(o.ApiKeysFile), JsonSerializerOptions.Web) ?? []);
        }
        return entries;
    }

    private Dictionary<string, ApiKeyEntry> Current()
    {
        var o = options.CurrentValue;
        var stamp = FileStamp(o.ApiKeysFile);
        var snapshot = Volatile.Read(ref _snapshot);
        if (snapshot is not null && ReferenceEquals(snapshot.Options, o) && snapshot.FileStamp == stamp)
        {
            return snapshot.ByHash;
        }
        lock (_lock)
        {
            try
            {
                snapshot = new Snapshot(o, stamp, Entries(o).ToDictionary(e => e.Hash.Trim().ToLowerInvariant()));
            }
            catch (Exception ex) when (snapshot is not null && ex is IOException or JsonException or UnauthorizedAccessException or ArgumentException)
            {
                return snapshot.ByHash; // half-written or broken: keep what was read before, look again next time
            }
            Volatile.Write(ref _snapshot, snapshot);
            return snapshot.ByHash;
        }
    }

    private static (DateTime, long) FileStamp(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return default;
        }
        var file = new FileInfo(path);
        return file.Exists ? (file.LastWriteTimeUtc, file.Length) : default;
    }

    private sealed record Snapshot(AuthOptions Options, (DateTime, long) FileStamp, Dictionary<string, ApiKeyEntry> ByHash);
}
