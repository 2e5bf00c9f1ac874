using Council.Contracts.Api;

namespace Council.Server.Leaderboard;

/// <summary>
/// Turns finished runs (oldest first) into the leaderboard. With a model set, only those models are ranked and
/// only against each other: aggregate places, wins and preferences are taken among the set.
/// </summary>
public static class LeaderboardCalculator
{
    public static LeaderboardReport Compute(IEnumerable<LeaderboardRun> runs, LeaderboardFilter filter)
    {
        var set = filter.Models is { Count: > 0 } models ? new HashSet<string>(models, StringComparer.Ordinal) : null;
        bool Counts(string model) => set is null || set.Contains(model);

        var stats = new Dictionary<string, ModelTally>(StringComparer.Ordinal);
        ModelTally Tally(string model) => stats.TryGetValue(model, out var t) ? t : stats[model] = new ModelTally();
        var council = new EloRating();
        var users = new EloRating();
        int runCount = 0, picks = 0, agreementRuns = 0, agreements = 0;

        foreach (var run in runs)
        {
            runCount++;
            foreach (var call in run.Calls)
            {
                if (Counts(call.Model))
                {
                    Tally(call.Model).Add(call, call.Stage == run.AnswerStage, runCount);
                }
            }

            var ranked = run.AggregateRanking.Where(Counts).ToList();
            for (var i = 0; i < ranked.Count; i++)
            {
                var tally = Tally(ranked[i]);
                tally.RankedRuns++;
                tally.RankSum += i + 1;
                tally.Wins += i == 0 ? 1 : 0;
            }

            // Every pair a review orders is a preference, the reviewer's own answer included: reviewers see the answers
            // anonymized, as the aggregate ranking counts them (and a two-model council has no other pairs).
            foreach (var review in run.Calls.Where(c => c.Ranking is not null && c.Status == "ok").OrderBy(c => c.Stage).ThenBy(c => c.Model, StringComparer.Ordinal))
            {
                var order = review.Ranking!.Where(Counts).ToList();
                for (var i = 0; i < order.Count; i++)
                {
                    for (var j = i + 1; j < order.Count; j++)
                    {
                        council.Record(order[i], order[j]);
                    }
                }
            }

            if (run.BestAnswer is { } pick && Counts(pick))
            {
                picks++;
                Tally(pick).UserPicks++;
                var others = run.Calls
                    .Where(c => c.Stage == run.AnswerStage && c.Status == "ok" && c.Model != pick && Counts(c.Model))
                    .Select(c => c.Model).Distinct().OrderBy(m => m, StringComparer.Ordinal);
                foreach (var other in others)
                {
                    users.Record(pick, other);
                }
                if (ranked.Count > 0)
                {
                    agreementRuns++;
                    agreements += ranked[0] == pick ? 1 : 0;
                }
            }
        }

        var entries = stats
            .Select(s => s.Value.ToEntry(s.Key, council, users))
            .OrderByDescending(e => e.Elo ?? double.MinValue)
            .ThenBy(e => e.AverageRank ?? double.MaxValue)
            .ThenBy(e => e.Model, StringComparer.Ordinal)
            .ToArray();
        return new LeaderboardReport(filter, runCount, picks, agreementRuns, agreementRuns == 0 ? null : (double)agreements / agreementRuns, entries);
    }

    private sealed class ModelTally
    {
        private readonly List<double> _ttfts = [];
        private readonly List<double> _speeds = [];
        private int _calls, _failures;
        private decimal? _cost;

        private int _lastRun;

        public int Runs { get; private set; }
        public int Answers { get; private set; }
        public int RankedRuns { get; set; }
        public int RankSum { get; set; }
        public int Wins { get; set; }
        public int UserPicks { get; set; }

        /// <param name="run">The number of the run the call is from: calls of one run come together.</param>
        public void Add(LeaderboardCall call, bool answer, int run)
        {
            Runs += run == _lastRun ? 0 : 1;
            _lastRun = run;
            _calls++;
            _failures += call.Status == "failed" ? 1 : 0;
            Answers += answer && call.Status == "ok" ? 1 : 0;
            if (call.TtftMs is { } ttft)
            {
                _ttfts.Add(ttft);
            }
            var streaming = call.DurationMs - (call.TtftMs ?? 0);
            if (call.Status == "ok" && call.CompletionTokens is { } tokens && tokens > 0 && streaming > 0)
            {
                _speeds.Add(tokens * 1000.0 / streaming);
            }
            if (call.Cost is { } cost)
            {
                _cost = (_cost ?? 0) + cost;
            }
        }

        public LeaderboardEntry ToEntry(string model, EloRating council, EloRating users) => new(
            model, Runs, Answers, RankedRuns,
            RankedRuns == 0 ? null : (double)RankSum / RankedRuns,
            RankedRuns == 0 ? null : (double)Wins / RankedRuns,
            council.Rating(model), council.Comparisons(model),
            users.Rating(model), users.Comparisons(model), UserPicks,
            _calls, Median(_ttfts), Median(_speeds),
            _calls == 0 ? 0 : (double)_failures / _calls,
            _cost);

        private static double? Median(List<double> values)
        {
            if (values.Count == 0)
            {
                return null;
            }
            values.Sort();
            var mid = values.Count / 2;
            return values.Count % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
        }
    }
}
