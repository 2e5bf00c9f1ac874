using Council.Contracts.Messages;

namespace Council.Server.Search;

/// <summary>A web search: the simulated one by default, a real API when configured.</summary>
public interface ISearchProvider
{
    /// <summary>Throws <see cref="SearchException"/> with a message a person can act on when the search fails.</summary>
    Task<IReadOnlyList<SearchResult>> SearchAsync(string query, CancellationToken cancellationToken);
}

/// <summary>A failed search; the run goes on without results and the user sees this message.</summary>
public sealed class SearchException : Exception
{
    public SearchException(string message) : base(message) { }

    public SearchException() { }

    public SearchException(string message, Exception inner) : base(message, inner) { }
}
