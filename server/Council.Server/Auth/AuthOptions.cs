namespace Council.Server.Auth;

/// <summary>How users are identified: <c>Council:Auth</c>.</summary>
public sealed class AuthOptions
{
    public const string Section = "Council:Auth";

    /// <summary>None (one local user; loopback only), ApiKeys, or TrustedProxy.</summary>
    public AuthMode Mode { get; set; } = AuthMode.None;

    /// <summary>None mode: allow listening beyond loopback anyway (everyone reaching the port is the local user).</summary>
    public bool AllowNonLoopback { get; set; }

    /// <summary>ApiKeys mode: the keys, stored as SHA-256 hashes (hex), never in plain text.</summary>
    public List<ApiKeyEntry> ApiKeys { get; set; } = [];

    /// <summary>ApiKeys mode: a JSON file holding more entries (<c>[{ "hash": "…", "user": "…", "roles": ["admin"] }]</c>).</summary>
    public string? ApiKeysFile { get; set; }

    /// <summary>ApiKeys mode: how often open hub connections have their key checked again (revoked or expired: closed).</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 3600)]
    public int RevalidateSeconds { get; set; } = 10;

    /// <summary>TrustedProxy mode: the header the authenticating proxy sets to the user id.</summary>
    public string UserHeader { get; set; } = "X-Forwarded-User";

    /// <summary>TrustedProxy mode: an optional header with comma-separated roles.</summary>
    public string? RolesHeader { get; set; }

    /// <summary>TrustedProxy mode: the proxy's addresses; requests from anywhere else are refused.</summary>
    public List<string> TrustedProxies { get; set; } = [];
}

public enum AuthMode
{
    None,
    ApiKeys,
    TrustedProxy,
}

/// <summary>One API key: its SHA-256 hash (hex), the user it stands for, roles, and an optional expiry or revocation.</summary>
public sealed class ApiKeyEntry
{
    public string Hash { get; set; } = "";
    public string User { get; set; } = "";
    public List<string> Roles { get; set; } = [];
    public DateTimeOffset? Expires { get; set; }
    public bool Revoked { get; set; }
}
