using System.Text.RegularExpressions;

namespace Council.Server.Workflows;

/// <summary>A reviewer's machine-readable verdict.</summary>
public sealed record Verdict(bool Approved, IReadOnlyList<string> Issues);

/// <summary>Reads the <c>VERDICT:</c> line a verdict role ends with.</summary>
public static partial class VerdictParser
{
    /// <summary>
    /// The last verdict in <paramref name="text"/>: <c>VERDICT: APPROVE</c>, or <c>VERDICT: CHANGES</c> followed by the
    /// issues as a list. Null when there is none (the engine then takes the work as it is).
    /// </summary>
    public static Verdict? Parse(string text)
    {
        var match = VerdictLine().Matches(text).LastOrDefault();
        if (match is null)
        {
            return null;
        }
        if (match.Groups[1].Value.Equals("APPROVE", StringComparison.OrdinalIgnoreCase))
        {
            return new Verdict(true, []);
        }
        var issues = IssueLine().Matches(text[(match.Index + match.Length)..]).Select(m => m.Groups[1].Value.Trim()).ToArray();
        return new Verdict(false, issues);
    }

    [GeneratedRegex(@"^\s*\**VERDICT:\**\s*\**(APPROVE|CHANGES)\b", RegexOptions.Multiline | RegexOptions.IgnoreCase)]
    private static partial Regex VerdictLine();

    [GeneratedRegex(@"^\s*(?:\d+[.)]|[-*])\s+(.+)$", RegexOptions.Multiline)]
    private static partial Regex IssueLine();
}
