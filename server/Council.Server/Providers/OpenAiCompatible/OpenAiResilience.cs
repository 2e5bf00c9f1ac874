using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Timeout;

namespace Council.Server.Providers.OpenAiCompatible;

/// <summary>
/// The resilience handler of a provider's HttpClient (<c>Microsoft.Extensions.Http.Resilience</c>): retries with a
/// per-try timeout around sending a request and reading its response headers, that is strictly before the first
/// byte of the answer (the stream is read with <see cref="HttpCompletionOption.ResponseHeadersRead"/>, after the
/// handler has returned). Once a stream has started nothing is retried, so no text is ever sent twice; a cancelled
/// call is not retried either.
/// </summary>
public static class OpenAiResilience
{
    /// <summary>The request option that counts the tries of one request.</summary>
    public const string AttemptsProperty = "Council.Providers.Attempts";

    /// <summary>Counts the tries of one request, for error messages ("gave up after 3 attempts").</summary>
    public static readonly HttpRequestOptionsKey<Attempts> AttemptsKey = new(AttemptsProperty);

    internal static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> pipeline, string provider, OpenAiProviderOptions options, TimeProvider time, ILogger logger)
    {
        var maxDelay = TimeSpan.FromSeconds(options.MaxRetryDelaySeconds);
        if (options.MaxAttempts > 1)
        {
            pipeline.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(options.RetryBaseDelayMs),
                MaxDelay = maxDelay,
                // The wait a 429 or 503 asks for in Retry-After, in place of the backoff.
                ShouldRetryAfterHeader = true,
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome, maxDelay, time)),
                OnRetry = args =>
                {
                    var status = args.Outcome.Result is { } r ? ((int)r.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture) : args.Outcome.Exception?.GetType().Name ?? "?";
                    logger.Retrying(provider, args.AttemptNumber + 1, status, (long)args.RetryDelay.TotalMilliseconds);
                    if (args.Context.GetRequestMessage()?.Options.TryGetValue(AttemptsKey, out var attempts) == true)
                    {
                        attempts.Count++;
                    }
                    return default;
                },
            });
        }
        pipeline.AddTimeout(TimeSpan.FromSeconds(options.ResponseTimeoutSeconds));
    }

    /// <summary>Connect errors, per-try timeouts, 408, 429 and 5xx; not a wait longer than we are willing to make.</summary>
    internal static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, TimeSpan maxDelay, TimeProvider time) => outcome switch
    {
        { Exception: HttpRequestException or TimeoutRejectedException } => true,
        { Result: { } response } => IsTransient(response.StatusCode) && !(RetryAfter(response, time) > maxDelay),
        _ => false,
    };

    internal static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500;

    /// <summary>The wait a response asks for in <c>Retry-After</c> (seconds or a date), or null when it names none.</summary>
    internal static TimeSpan? RetryAfter(HttpResponseMessage? response, TimeProvider time)
    {
        var header = response?.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }
        if (header?.Date is { } date)
        {
            var wait = date - time.GetUtcNow();
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }
        return null;
    }

    /// <summary>Tries of one request so far.</summary>
    public sealed class Attempts
    {
        public int Count { get; set; } = 1;
    }
}
