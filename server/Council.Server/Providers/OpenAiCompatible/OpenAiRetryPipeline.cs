using System.Net;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Council.Server.Providers.OpenAiCompatible;

/// <summary>
/// The resilience pipeline around sending a request and reading its response headers: that is, strictly before
/// the first byte of the answer. Once a stream has started nothing is retried, so no text is ever sent twice.
/// </summary>
internal static class OpenAiRetryPipeline
{
    public static ResiliencePipeline<HttpResponseMessage> Create(
        string provider, OpenAiProviderOptions options, TimeProvider time, ILogger logger)
    {
        var maxDelay = TimeSpan.FromSeconds(options.MaxRetryDelaySeconds);
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time };
        if (options.MaxAttempts > 1)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = options.MaxAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(options.RetryBaseDelayMs),
                MaxDelay = maxDelay,
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome, maxDelay, time)),
                DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Result, time)),
                OnRetry = args =>
                {
                    var status = args.Outcome.Result is { } r ? ((int)r.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture) : args.Outcome.Exception?.GetType().Name ?? "?";
                    logger.Retrying(provider, args.AttemptNumber + 1, status, (long)args.RetryDelay.TotalMilliseconds);
                    // The failed response is dropped: release its connection now rather than at finalization.
                    args.Outcome.Result?.Dispose();
                    return default;
                },
            });
        }
        builder.AddTimeout(TimeSpan.FromSeconds(options.ResponseTimeoutSeconds));
        return builder.Build();
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
}
