using System.Security.Claims;

namespace Council.Server.Auth;

/// <summary>Who is asking: the user id every run and conversation belongs to.</summary>
public static class CouncilUser
{
    public const string Scheme = "Council";
    public const string AdminRole = "admin";
    public const string LocalUser = "local";

    /// <summary>Claim carrying the SHA-256 of the API key a user signed in with, so open connections can be re-checked.</summary>
    public const string KeyHashClaim = "council:key-hash";

    public static string Id(ClaimsPrincipal? user) =>
        user?.FindFirstValue(ClaimTypes.NameIdentifier) ?? throw new InvalidOperationException("No authenticated user.");

    public static ClaimsPrincipal Principal(string userId, IEnumerable<string> roles) =>
        new(new ClaimsIdentity(
            roles.Select(r => new Claim(ClaimTypes.Role, r)).Prepend(new Claim(ClaimTypes.NameIdentifier, userId)),
            Scheme));
}
