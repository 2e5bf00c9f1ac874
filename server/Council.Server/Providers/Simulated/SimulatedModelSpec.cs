using System.Globalization;

namespace Council.Server.Providers.Simulated;

/// <summary>The fault a simulated model injects.</summary>
public enum SimulatedFault
{
    None,
    /// <summary>Fails after its time to first token, before any text.</summary>
    Before,
    /// <summary>Fails halfway through its answer, keeping the text so far.</summary>
    Midstream,
    /// <summary>Goes silent halfway through and never finishes.</summary>
    Stall,
}

/// <summary>
/// A parsed simulated model id: <c>sim/&lt;name&gt;?ttft=MS&amp;tps=N&amp;tokens=N&amp;fail=none|before|midstream|stall&amp;seed=N</c>.
/// Parameters left out are derived from the name, so <c>sim/alpha</c> always behaves the same.
/// As a reviewer asked for a <c>VERDICT:</c>, it asks for changes until review round <c>approve=N</c> (default 2;
/// 0 never approves).
/// </summary>
public sealed record SimulatedModelSpec(
    string Id,
    string Name,
    int TtftMs,
    double TokensPerSecond,
    int Tokens,
    SimulatedFault Fault,
    int Seed,
    int ApproveOnRound = 2)
{
    public const string Prefix = "sim/";
    public const int MaxTokens = 20_000;
    public const int MaxTtftMs = 600_000;

    public static bool TryParse(string id, out SimulatedModelSpec spec, out string error)
    {
        spec = null!;
        error = "";
        if (!id.StartsWith(Prefix, StringComparison.Ordinal))
        {
            error = $"'{id}' is not a simulated model id (they start with '{Prefix}')";
            return false;
        }

        var rest = id[Prefix.Length..];
        var queryAt = rest.IndexOf('?', StringComparison.Ordinal);
        var name = queryAt < 0 ? rest : rest[..queryAt];
        if (name.Length == 0 || name.Length > 64 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            error = $"'{id}': the name after '{Prefix}' must be 1-64 letters, digits, '-', '_' or '.'";
            return false;
        }

        var hash = StableHash.Of(name);
        var ttft = 150 + (int)(hash % 900);
        double tps = 15 + (int)((hash >> 12) % 50);
        var tokens = 60 + (int)((hash >> 24) % 140);
        var fault = SimulatedFault.None;
        var seed = 0;
        var approve = 2;

        if (queryAt >= 0)
        {
            foreach (var pair in rest[(queryAt + 1)..].Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = pair.IndexOf('=', StringComparison.Ordinal);
                var key = eq < 0 ? pair : pair[..eq];
                var value = eq < 0 ? "" : pair[(eq + 1)..];
                var ok = key switch
                {
                    "ttft" => TryInt(value, 0, MaxTtftMs, out ttft),
                    "tps" => TryDouble(value, 0.1, 100_000, out tps),
                    "tokens" => TryInt(value, 1, MaxTokens, out tokens),
                    "seed" => TryInt(value, int.MinValue, int.MaxValue, out seed),
                    "fail" => TryFault(value, out fault),
                    "approve" => TryInt(value, 0, 100, out approve),
                    _ => false,
                };
                if (!ok)
                {
                    error = $"'{id}': bad parameter '{pair}' (ttft=0-{MaxTtftMs} ms, tps=0.1-100000, tokens=1-{MaxTokens}, fail=none|before|midstream|stall, seed=integer, approve=0-100)";
                    return false;
                }
            }
        }

        spec = new SimulatedModelSpec(id, name, ttft, tps, tokens, fault, seed, approve);
        return true;
    }

    private static bool TryInt(string s, int min, int max, out int value) =>
        int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out value) && value >= min && value <= max;

    private static bool TryDouble(string s, double min, double max, out double value) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && value >= min && value <= max;

    private static bool TryFault(string s, out SimulatedFault fault)
    {
        fault = s switch
        {
            "none" => SimulatedFault.None,
            "before" => SimulatedFault.Before,
            "midstream" => SimulatedFault.Midstream,
            "stall" => SimulatedFault.Stall,
            _ => (SimulatedFault)(-1),
        };
        return fault >= 0;
    }
}
