using Council.Server.Providers.OpenAiCompatible.Wire;
using Refit;

namespace Council.Server.Providers.OpenAiCompatible;

/// <summary>The OpenAI-compatible API surface Council calls (Refit; the HttpClient's BaseAddress is the provider's BaseUrl).</summary>
public interface IOpenAiApi
{
    /// <summary>
    /// <c>POST /chat/completions</c> with <c>stream: true</c>: the response as soon as its headers are in, body unread,
    /// whatever its status (the caller reads the stream or the error body, and disposes it).
    /// </summary>
    [Post("/chat/completions")]
    [Headers("Accept: text/event-stream")]
    Task<HttpResponseMessage> ChatCompletionsAsync(
        [Body(buffered: true)] ChatCompletionRequest request,
        [HeaderCollection] IDictionary<string, string> headers,
        [Property(OpenAiResilience.AttemptsProperty)] OpenAiResilience.Attempts attempts,
        CancellationToken cancellationToken);
}
