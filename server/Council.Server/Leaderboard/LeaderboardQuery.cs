using System.Globalization;
using System.Text.RegularExpressions;
using Council.Contracts.Api;

namespace Council.Server.Leaderboard;

/// <summary>
/// The filter of <c>GET /api/leaderboard</c> from its query: <c>period</c> (<c>24h</c>, <c>7d</c>, <c>30d</c>, … or
/// <c>all</c>, the default), or <c>from</c> and <c>to</c> (ISO 8601); <c>workflow</c>; <c>models</c> (comma-separated,
/// or the parameter repeated).
/// </summary>
public static partial class LeaderboardQuery
{
    /// <summary>The filter, or a message saying what to fix.</summary>
    public static (LeaderboardFilter? Filter, string? Error) Parse(IQueryCollection query, DateTimeOffset now)
    {
        DateTimeOffset? from = null, to = null;
        var period = query["period"].ToString().Trim();
        if (period.Length > 0 && !period.Equals("all", StringComparison.OrdinalIgnoreCase))
        {
            var match = PeriodPattern().Match(period);
            if (!match.Success)
            {
                return (null, $"period must be like 24h, 7d or 30d, or all; not '{period}'.");
            }
            var amount = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            from = now - (match.Groups[2].Value is "h" or "H" ? TimeSpan.FromHours(amount) : TimeSpan.FromDays(amount));
        }
        foreach (var (name, set) in new (string, Action<DateTimeOffset>)[] { ("from", v => from = v), ("to", v => to = v) })
        {
            var text = query[name].ToString().Trim();
            if (text.Length == 0)
            {
                continue;
            }
            if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value))
            {
                return (null, $"{name} must be an ISO 8601 date or time, e.g. 2026-11-01 or 2026-11-01T12:00:00Z; not '{text}'.");
            }
            set(value);
        }
        var workflow = query["workflow"].ToString().Trim();
        var models = query["models"].SelectMany(v => (v ?? "").Split(',')).Select(m => m.Trim()).Where(m => m.Length > 0).Distinct().ToArray();
        return (new LeaderboardFilter(from, to, workflow.Length > 0 ? workflow : null, models.Length > 0 ? models : null), null);
    }

    [GeneratedRegex("^([1-9][0-9]{0,4})([hHdD])$")]
    private static partial Regex PeriodPattern();
}
