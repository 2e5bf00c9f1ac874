using System.Net.Http.Json;
using System.Text.Json.Serialization;
using Council.Contracts.Messages;
using Microsoft.Extensions.Options;

namespace Council.Server.Search;

/// <summary>SearXNG's JSON API: <c>GET {BaseUrl}/search?q=…&amp;format=json</c>.</summary>
public sealed class SearxngSearchProvider(IHttpClientFactory clients, IOptions<SearchOptions> options) : ISearchProvider
{
    public async Task<IReadOnlyList<SearchResult>> SearchAsync(string query, CancellationToken cancellationToken)
    {
        var o = options.Value;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(o.TimeoutSeconds));
        var url = $"{o.BaseUrl!.TrimEnd('/')}/search?q={Uri.EscapeDataString(query)}&format=json";
        try
        {
            var http = clients.CreateClient(nameof(SearxngSearchProvider));
            using var response = await http.GetAsync(new Uri(url), HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                throw new SearchException($"Web search failed: the search service answered {(int)response.StatusCode} {response.ReasonPhrase}.");
            }
            var body = await response.Content.ReadFromJsonAsync(SearxngJsonContext.Default.SearxngResponse, timeout.Token);
            return (body?.Results ?? [])
                .Where(r => !string.IsNullOrWhiteSpace(r.Url))
                .Take(o.MaxResults)
                .Select(r => new SearchResult(r.Title ?? r.Url!, r.Url!, r.Content ?? ""))
                .ToArray();
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new SearchException($"Web search failed: no answer within {o.TimeoutSeconds} s.");
        }
        catch (HttpRequestException ex)
        {
            throw new SearchException($"Web search failed: {ex.Message}", ex);
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new SearchException("Web search failed: the search service's answer was not the expected JSON.", ex);
        }
    }
}

internal sealed record SearxngResponse([property: JsonPropertyName("results")] List<SearxngResult>? Results);

internal sealed record SearxngResult(
    [property: JsonPropertyName("title")] string? Title,
    [property: JsonPropertyName("url")] string? Url,
    [property: JsonPropertyName("content")] string? Content);

[JsonSerializable(typeof(SearxngResponse))]
internal sealed partial class SearxngJsonContext : JsonSerializerContext;
