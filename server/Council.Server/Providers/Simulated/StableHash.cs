namespace Council.Server.Providers.Simulated;

/// <summary>FNV-1a, 64 bits: the same on every machine and run, unlike <see cref="string.GetHashCode()"/>.</summary>
internal static class StableHash
{
    public static ulong Of(string text, ulong seed = 14695981039346656037UL)
    {
        var hash = seed;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }
        return hash;
    }

    public static ulong Of(params ReadOnlySpan<string> parts)
    {
        var hash = 14695981039346656037UL;
        foreach (var part in parts)
        {
            hash = Of(part, hash);
            hash = (hash ^ 0x1F) * 1099511628211UL;
        }
        return hash;
    }
}
