namespace Council.Server.Leaderboard;

/// <summary>
/// Online Elo over pairwise preferences, as Chatbot Arena first ranked models: every model starts at
/// <see cref="Initial"/>; a preference moves both ratings by <see cref="K"/> times how unexpected it was
/// (base 10, scale 400). K is 32, not the Arena's 4: one user's council casts hundreds of votes, not millions.
/// Preferences are applied in the order given (oldest run first), so the same votes always give the same ratings.
/// </summary>
public sealed class EloRating
{
    public const double Initial = 1000;
    public const double K = 32;
    private const double Scale = 400;

    private readonly Dictionary<string, (double Rating, int Comparisons)> _models = new(StringComparer.Ordinal);

    /// <summary><paramref name="winner"/> was preferred to <paramref name="loser"/>.</summary>
    public void Record(string winner, string loser)
    {
        var (w, wn) = _models.GetValueOrDefault(winner, (Initial, 0));
        var (l, ln) = _models.GetValueOrDefault(loser, (Initial, 0));
        var expected = 1 / (1 + Math.Pow(10, (l - w) / Scale));
        var change = K * (1 - expected);
        _models[winner] = (w + change, wn + 1);
        _models[loser] = (l - change, ln + 1);
    }

    /// <summary>The model's rating, or null when it was never compared.</summary>
    public double? Rating(string model) => _models.TryGetValue(model, out var m) ? m.Rating : null;

    /// <summary>How many preferences involved the model.</summary>
    public int Comparisons(string model) => _models.TryGetValue(model, out var m) ? m.Comparisons : 0;
}
