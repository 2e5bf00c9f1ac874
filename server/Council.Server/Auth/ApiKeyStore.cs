using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Council.Server.Auth;

/// <summary>The configured API keys, by hash; loaded once. A presented key is hashed and looked up, never stored.</summary>
public sealed class ApiKeyStore(IOptions<AuthOptions> options)
{
    private readonly Lazy<Dictionary<string, ApiKeyEntry>> _byHash = new(() => Load(options.Value));

    public ApiKeyEntry? Find(string key) => _byHash.Value.GetValueOrDefault(Hash(key));

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

    private static Dictionary<string, ApiKeyEntry> Load(AuthOptions o) =>
        Entries(o).ToDictionary(e => e.Hash.Trim().ToLowerInvariant());
}
