using System.Text;
using System.Text.RegularExpressions;

namespace Council.Server.Providers.Simulated;

/// <summary>
/// Writes a simulated model's answer as a list of tokens: deterministic for the same model, prompt and seed,
/// markdown-shaped, and in a review prompt an evaluation that ends with a valid <c>FINAL RANKING:</c>.
/// </summary>
internal static partial class SimulatedText
{
    private static readonly string[] Openers =
    [
        "In short,", "Put simply,", "The key point is that", "Looking at it closely,", "To answer directly,",
        "From experience,", "It depends, but", "A useful way to see it:",
    ];

    private static readonly string[] Verbs =
    [
        "shapes", "depends on", "improves", "constrains", "clarifies", "drives", "limits", "balances", "reveals",
    ];

    private static readonly string[] Nouns =
    [
        "latency", "the trade-off", "cost", "the design", "reliability", "the data", "throughput", "the approach",
        "the evidence", "clarity", "the context", "the risk", "the outcome", "naïve assumptions", "the model — and its limits",
    ];

    private static readonly string[] Closers =
    [
        "in practice.", "over time.", "for most teams.", "when it matters.", "at scale.", "in the common case.",
        "more than it seems.", "without much effort.",
    ];

    /// <summary>The tokens of the answer; concatenated they are the whole text.</summary>
    public static IReadOnlyList<string> Tokens(SimulatedModelSpec spec, string prompt)
    {
        var random = new Random(unchecked((int)StableHash.Of(spec.Name, prompt, spec.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        var labels = ReviewLabels(prompt);
        if (labels.Count > 0)
        {
            var ranking = Tokenize(RankingBlock(labels, random));
            var evaluation = Tokenize(Evaluation(labels, random, spec.Tokens));
            var budget = Math.Max(spec.Tokens - ranking.Count, Math.Min(8, evaluation.Count));
            return [.. evaluation.Take(budget), .. ranking];
        }

        if (prompt.Contains("VERDICT: APPROVE", StringComparison.Ordinal))
        {
            var round = VerdictChanges().Count(prompt); // earlier reviews that asked for changes
            var verdict = Tokenize(VerdictBlock(spec.ApproveOnRound > 0 && round + 1 >= spec.ApproveOnRound, random));
            var review = Tokenize(Answer(prompt, random, spec.Tokens));
            return [.. review.Take(Math.Max(spec.Tokens - verdict.Count, Math.Min(8, review.Count))), .. verdict];
        }

        return Tokenize(Answer(prompt, random, spec.Tokens)).Take(spec.Tokens).ToArray();
    }

    /// <summary>The anonymous labels ("A", "B", …) a review prompt asks to rank, in order of appearance.</summary>
    public static IReadOnlyList<string> ReviewLabels(string prompt)
    {
        if (!prompt.Contains("FINAL RANKING", StringComparison.Ordinal))
        {
            return [];
        }
        return LabelPattern().Matches(prompt).Select(m => m.Groups[1].Value).Distinct().ToArray();
    }

    private static string Answer(string prompt, Random random, int tokens)
    {
        var topic = Topic(prompt);
        var text = new StringBuilder();
        text.Append("**").Append(Pick(random, Openers)).Append(' ').Append(topic).Append(' ')
            .Append(Pick(random, Verbs)).Append(' ').Append(Pick(random, Nouns)).Append(".**\n\n");
        var section = 0;
        // Overshoot, then let the caller cut at exactly the token budget.
        while (text.Length < tokens * 8 + 64)
        {
            switch (section++ % 4)
            {
                case 1:
                    for (var i = 0; i < 3; i++)
                    {
                        text.Append("- ").Append(Capitalize(Pick(random, Nouns))).Append(' ').Append(Pick(random, Verbs))
                            .Append(' ').Append(Pick(random, Nouns)).Append('\n');
                    }
                    text.Append('\n');
                    break;
                case 3 when random.Next(2) == 0:
                    text.Append("```python\ndef ").Append(Slug(topic)).Append("(x):\n    return x * ")
                        .Append(random.Next(2, 9)).Append("\n```\n\n");
                    break;
                default:
                    for (var i = 0; i < 3; i++)
                    {
                        text.Append(Capitalize(Pick(random, Nouns))).Append(' ').Append(Pick(random, Verbs)).Append(' ')
                            .Append(Pick(random, Nouns)).Append(' ').Append(Pick(random, Closers)).Append(' ');
                    }
                    text.Length--;
                    text.Append("\n\n");
                    break;
            }
        }
        return text.ToString();
    }

    private static string Evaluation(IReadOnlyList<string> labels, Random random, int tokens)
    {
        var text = new StringBuilder();
        while (text.Length < tokens * 8)
        {
            foreach (var label in labels)
            {
                text.Append("Response ").Append(label).Append(' ').Append(Pick(random, Verbs)).Append(' ')
                    .Append(Pick(random, Nouns)).Append(' ').Append(Pick(random, Closers)).Append('\n');
            }
        }
        return text.ToString();
    }

    private static string RankingBlock(IReadOnlyList<string> labels, Random random)
    {
        var order = labels.ToArray();
        random.Shuffle(order);
        var text = new StringBuilder("\n\nFINAL RANKING:\n");
        for (var i = 0; i < order.Length; i++)
        {
            text.Append(i + 1).Append(". Response ").Append(order[i]).Append('\n');
        }
        return text.ToString();
    }

    private static string VerdictBlock(bool approve, Random random) => approve
        ? "\n\nVERDICT: APPROVE\n"
        : $"\n\nVERDICT: CHANGES\n1. Handle {Pick(random, Nouns)} at the edges.\n2. Make {Pick(random, Nouns)} explicit.\n";

    /// <summary>Splits text into tokens of leading white space plus up to six other characters.</summary>
    internal static List<string> Tokenize(string text)
    {
        // EnumerateMatches: no Match objects, only the token strings.
        var tokens = new List<string>(text.Length / 4);
        foreach (var match in TokenPattern().EnumerateMatches(text))
        {
            tokens.Add(text.Substring(match.Index, match.Length));
        }
        return tokens;
    }

    private static string Topic(string prompt)
    {
        var firstLine = prompt.AsSpan().TrimStart().ToString().Split('\n', 2)[0];
        var words = WordPattern().Matches(firstLine).Select(m => m.Value.ToLowerInvariant()).Where(w => w.Length >= 3).Distinct().Take(3).ToArray();
        return words.Length == 0 ? "this question" : string.Join(' ', words);
    }

    private static string Slug(string topic) => new(topic.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray());

    private static string Pick(Random random, string[] items) => items[random.Next(items.Length)];

    private static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];

    [GeneratedRegex(@"^Response ([A-Z]{1,2}):\s*$", RegexOptions.Multiline)]
    private static partial Regex LabelPattern();

    [GeneratedRegex(@"^VERDICT: CHANGES\r?\n\s*1\.", RegexOptions.Multiline)]
    private static partial Regex VerdictChanges();

    [GeneratedRegex(@"\s*\S{1,6}|\s+$")]
    private static partial Regex TokenPattern();

    [GeneratedRegex(@"\p{L}[\p{L}\p{N}'-]*")]
    private static partial Regex WordPattern();
}
