using Microsoft.Extensions.Options;

namespace Council.Server.Search;

/// <summary>Registers the configured web search provider.</summary>
public static class SearchRegistration
{
    public static IHostApplicationBuilder AddCouncilSearch(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<SearchOptions>()
            .BindConfiguration(SearchOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => o.Provider is "simulated" or "searxng", "Council:Search:Provider must be 'simulated' or 'searxng'.")
            .Validate(o => o.Provider != "searxng" || Uri.TryCreate(o.BaseUrl, UriKind.Absolute, out _),
                "Council:Search:BaseUrl must be the SearXNG instance's absolute URL when Council:Search:Provider is 'searxng'.")
            .ValidateOnStart();
        builder.Services.AddHttpClient(nameof(SearxngSearchProvider));
        builder.Services.AddSingleton<SearxngSearchProvider>();
        builder.Services.AddSingleton<SimulatedSearchProvider>();
        builder.Services.AddSingleton<ISearchProvider>(sp =>
            sp.GetRequiredService<IOptions<SearchOptions>>().Value.Provider == "searxng"
                ? sp.GetRequiredService<SearxngSearchProvider>()
                : sp.GetRequiredService<SimulatedSearchProvider>());
        return builder;
    }
}
