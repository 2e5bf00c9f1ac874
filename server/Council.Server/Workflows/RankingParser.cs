using System.Text.RegularExpressions;

namespace Council.Server.Workflows;

/// <summary>Reads the <c>FINAL RANKING:</c> block a reviewer ends its evaluation with.</summary>
public static partial class RankingParser
{
    public const string Header = "FINAL RANKING:";

    /// <summary>
    /// The labels ("A", "B", …) in the order the reviewer ranked them, each once, only those in
    /// <paramref name="knownLabels"/>. Empty when the text has no ranking block or it names no known label:
    /// a reviewer who did not follow the format casts no vote rather than a guessed one.
    /// </summary>
    public static IReadOnlyList<string> Parse(string text, IReadOnlyCollection<string> knownLabels)
    {
        var at = text.LastIndexOf(Header, StringComparison.OrdinalIgnoreCase);
        if (at < 0)
        {
            return [];
        }

        var block = text[(at + Header.Length)..];
        var numbered = NumberedLine().Matches(block).Select(m => m.Groups[1].Value).ToList();
        var labels = numbered.Count > 0 ? numbered : AnyLabel().Matches(block).Select(m => m.Groups[1].Value).ToList();
        return labels.Where(knownLabels.Contains).Distinct().ToArray();
    }

    /// <summary>The label for the answer at <paramref name="index"/>: A … Z, then AA, AB, ….</summary>
    public static string Label(int index) =>
        index < 26 ? ((char)('A' + index)).ToString() : Label(index / 26 - 1) + (char)('A' + index % 26);

    [GeneratedRegex(@"^\s*\d+\s*[.):-]\s*\**\s*Response\s+([A-Z]{1,2})\b", RegexOptions.Multiline)]
    private static partial Regex NumberedLine();

    [GeneratedRegex(@"Response\s+([A-Z]{1,2})\b")]
    private static partial Regex AnyLabel();
}
