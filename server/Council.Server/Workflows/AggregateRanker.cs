using Council.Contracts.Messages;

namespace Council.Server.Workflows;

/// <summary>Averages every reviewer's positions into one ranking, best first.</summary>
public static class AggregateRanker
{
    /// <param name="rankings">Per reviewer, model ids best first (reviewers with no valid ranking left out).</param>
    public static IReadOnlyList<AggregateRanking> Aggregate(IEnumerable<IReadOnlyList<string>> rankings)
    {
        var positions = new Dictionary<string, List<int>>();
        foreach (var ranking in rankings)
        {
            for (var i = 0; i < ranking.Count; i++)
            {
                if (!positions.TryGetValue(ranking[i], out var list))
                {
                    positions[ranking[i]] = list = [];
                }
                list.Add(i + 1);
            }
        }

        return positions
            .Select(p => new AggregateRanking(p.Key, Math.Round(p.Value.Average(), 3), p.Value.Count))
            .OrderBy(r => r.AverageRank)
            .ThenByDescending(r => r.Votes)
            .ThenBy(r => r.Model, StringComparer.Ordinal)
            .ToArray();
    }
}
