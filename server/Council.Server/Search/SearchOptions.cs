using System.ComponentModel.DataAnnotations;

namespace Council.Server.Search;

/// <summary>The <c>Council:Search</c> section.</summary>
public sealed class SearchOptions
{
    public const string Section = "Council:Search";

    /// <summary>"simulated" (default, offline) or "searxng" (a SearXNG instance's JSON API at <see cref="BaseUrl"/>).</summary>
    public string Provider { get; set; } = "simulated";

    /// <summary>SearXNG: the instance, e.g. http://127.0.0.1:8888 (its settings must allow the json format).</summary>
    public string? BaseUrl { get; set; }

    [Range(1, 50)]
    public int MaxResults { get; set; } = 5;

    [Range(1, 120)]
    public int TimeoutSeconds { get; set; } = 10;

    /// <summary>Simulated: how long a search takes.</summary>
    [Range(0, 600_000)]
    public int SimulatedDelayMs { get; set; } = 400;

    /// <summary>Simulated: fail every search with this message (to see failures handled).</summary>
    public string? SimulatedFailure { get; set; }
}
