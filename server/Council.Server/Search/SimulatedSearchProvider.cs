using Council.Contracts.Messages;
using Council.Server.Providers.Simulated;
using Microsoft.Extensions.Options;

namespace Council.Server.Search;

/// <summary>Offline search: deterministic results for a query, after a configurable delay.</summary>
public sealed class SimulatedSearchProvider(IOptions<SearchOptions> options, TimeProvider time) : ISearchProvider
{
    public async Task<IReadOnlyList<SearchResult>> SearchAsync(string query, CancellationToken cancellationToken)
    {
        var o = options.Value;
        await Task.Delay(TimeSpan.FromMilliseconds(o.SimulatedDelayMs), time, cancellationToken);
        if (!string.IsNullOrEmpty(o.SimulatedFailure))
        {
            throw new SearchException(o.SimulatedFailure);
        }
        var words = query.Split((char[])[' ', '\n', '\t', '?', '!', '.', ','], StringSplitOptions.RemoveEmptyEntries).Take(6).ToArray();
        var topic = words.Length == 0 ? "search" : string.Join(' ', words);
        var slug = string.Join('-', words.Select(w => w.ToLowerInvariant())).Trim('-');
        var hash = Providers.Simulated.StableHash.Of(query);
        return Enumerable.Range(1, o.MaxResults).Select(i => new SearchResult(
            $"{topic} — source {i}",
            $"https://example.org/{(string.IsNullOrEmpty(slug) ? "search" : slug)}/{(hash >> i) % 10_000}",
            $"Simulated result {i} about {topic}: a short passage the models can cite.")).ToArray();
    }
}
