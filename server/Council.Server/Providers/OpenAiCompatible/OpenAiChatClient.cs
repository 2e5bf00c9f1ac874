using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Council.Server.Providers.OpenAiCompatible.Wire;
using Microsoft.Extensions.Logging;
using Polly.Timeout;
using Refit;

namespace Council.Server.Providers.OpenAiCompatible;

/// <summary>
/// Typed <see cref="HttpClient"/> for <c>POST /chat/completions</c> with <c>stream: true</c>: sends through
/// <see cref="IOpenAiApi"/> (Refit; the client's resilience handler retries until the response headers are in), then reads the SSE body with <see cref="SseParser"/> and maps it to <see cref="LlmChunk"/>s.
/// </summary>
public sealed class OpenAiChatClient(HttpClient http, ILogger<OpenAiChatClient> logger)
{
    private const int MaxErrorBodyBytes = 64 * 1024;

    /// <summary>Chunks buffered between the network reader and the consumer; beyond this, reading waits (TCP backpressure).</summary>
    private const int BufferedChunks = 64;

    /// <summary>Refit's settings for <see cref="IOpenAiApi"/>: the wire format's source-generated JSON.</summary>
    private static readonly RefitSettings Api = new()
    {
        ContentSerializer = new SystemTextJsonContentSerializer(OpenAiJsonContext.Default.Options),
    };

    internal async IAsyncEnumerable<LlmChunk> StreamAsync(OpenAiChatCall call, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var response = await SendAsync(call, cancellationToken);
        try
        {
            if (response.Content.Headers.ContentType?.MediaType == "application/json")
            {
                // Some servers ignore stream: true and answer in one piece.
                foreach (var chunk in await ReadWholeCompletionAsync(response, call, cancellationToken))
                {
                    yield return chunk;
                }
                yield break;
            }

            var channel = Channel.CreateBounded<LlmChunk>(new BoundedChannelOptions(BufferedChunks)
            {
                SingleReader = true,
                SingleWriter = true,
                FullMode = BoundedChannelFullMode.Wait,
            });
            using var pumpCancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var pump = PumpAsync(response, call, channel.Writer, pumpCancel.Token);
            try
            {
                await foreach (var chunk in channel.Reader.ReadAllAsync(cancellationToken))
                {
                    yield return chunk;
                }
            }
            finally
            {
                // Cancelled, failed or done: close the connection now. An unread HTTP/1.1 body is not reused,
                // so disposing the response closes the socket and the provider sees the request aborted.
                response.Dispose();
                await pumpCancel.CancelAsync();
                await pump;
            }
        }
        finally
        {
            response.Dispose();
        }
    }

    /// <summary>Sends the request (retried by the HttpClient's resilience handler) and returns a 2xx response with its body unread.</summary>
    private async Task<HttpResponseMessage> SendAsync(OpenAiChatCall call, CancellationToken cancellationToken)
    {
        var body = new ChatCompletionRequest
        {
            Model = call.UpstreamModel,
            Messages = call.Messages.Select(m => WireMessage.Text(m.Role, m.Content)).ToArray(),
            Stream = true,
            StreamOptions = call.Options.IncludeUsage ? new StreamOptions(true) : null,
        };
        var headers = new Dictionary<string, string>(call.Options.Headers, StringComparer.OrdinalIgnoreCase);
        if (call.ApiKey is { } key)
        {
            headers["Authorization"] = $"Bearer {key}";
        }

        // The provider's HttpClient retries (its resilience handler) until the response headers are in.
        var attempt = new OpenAiResilience.Attempts();
        HttpResponseMessage response;
        try
        {
            try
            {
                response = await RestService.ForGenerated<IOpenAiApi>(http, Api).ChatCompletionsAsync(body, headers, attempt, cancellationToken);
            }
            catch (ApiRequestException ex) when (ex.InnerException is { } cause)
            {
                // Refit wraps what the transport threw (connect errors, the per-try timeout): unwrap it.
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(cause);
                throw;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (TimeoutRejectedException ex)
        {
            throw Failed(call, new ProviderException(
                $"no response from {call.Endpoint.Host} within {call.Options.ResponseTimeoutSeconds} s{Tries(attempt.Count)}", "timeout", ex));
        }
        catch (HttpRequestException ex)
        {
            throw Failed(call, new ProviderException(
                call.Scrub($"could not reach {call.Endpoint.Host}: {ex.Message}{Tries(attempt.Count)}"), "connection_failed", ex));
        }

        if (!response.IsSuccessStatusCode)
        {
            using (response)
            {
                throw Failed(call, await ErrorFromResponseAsync(response, call, attempt.Count, cancellationToken));
            }
        }
        return response;
    }

    /// <summary>
    /// Reads the SSE body into <paramref name="writer"/> and completes it: normally at <c>[DONE]</c>, or with the
    /// <see cref="ProviderException"/> that ended the stream. Never throws, so the consumer can always await it.
    /// </summary>
    private async Task PumpAsync(HttpResponseMessage response, OpenAiChatCall call, ChannelWriter<LlmChunk> writer, CancellationToken cancellationToken)
    {
        Exception? failure = null;
        var output = new List<LlmChunk>(4);
        var mapper = new OpenAiChunkMapper();
        try
        {
            var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            await using var sniffer = new CommentSniffingStream(body, () => writer.TryWrite(KeepAliveChunk.Instance));
            var done = false;
            // Data that did not parse fails the stream, unless the provider's error event comes next: then its message does.
            ProviderException? malformed = null;
            await foreach (var item in SseParser.Create(sniffer, OpenAiSseEvent.Parse).EnumerateAsync(cancellationToken))
            {
                if (malformed is not null && !item.Data.IsError)
                {
                    throw malformed;
                }
                if (item.Data.Malformed is { } unparsed && !item.Data.IsError)
                {
                    malformed = unparsed;
                    continue;
                }
                if (item.Data.IsDone)
                {
                    done = true;
                    break;
                }
                output.Clear();
                WireError? error = null;
                if (item.Data.Chunk is { } chunk)
                {
                    mapper.Accept(chunk, output, out error);
                }
                if (error is not null)
                {
                    mapper.FlushUsage(output);
                    await WriteAllAsync(writer, output, cancellationToken);
                    throw new ProviderException(error.Message ?? "the provider reported an error without a message", error.CodeText());
                }
                // An event with nothing to show (role, empty delta, usage held back) is still a sign of life.
                await WriteAllAsync(writer, output.Count > 0 ? output : [KeepAliveChunk.Instance], cancellationToken);
            }
            if (malformed is not null)
            {
                throw malformed;
            }
            if (!done && !mapper.Finished)
            {
                throw new ProviderException("the stream ended before the model finished (no finish_reason, no [DONE])", "incomplete_stream");
            }
            output.Clear();
            mapper.Flush(output);
            await WriteAllAsync(writer, output, cancellationToken);
        }
        catch (OperationCanceledException ex) when (cancellationToken.IsCancellationRequested)
        {
            failure = ex;
        }
        catch (ProviderException ex)
        {
            failure = Scrubbed(call, ex);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException or ObjectDisposedException)
        {
            failure = new ProviderException(call.Scrub($"the connection to {call.Endpoint.Host} was lost mid-stream: {ex.Message}"), "connection_lost", ex);
        }
        catch (Exception ex)
        {
            failure = new ProviderException(call.Scrub($"reading the stream failed: {ex.Message}"), "stream_error", ex);
        }
        if (failure is ProviderException providerFailure)
        {
            logger.StreamFailed(call.Provider, call.UpstreamModel, providerFailure.Code, providerFailure.Message);
        }
        writer.TryComplete(failure);
    }

    private static async ValueTask WriteAllAsync(ChannelWriter<LlmChunk> writer, IReadOnlyList<LlmChunk> chunks, CancellationToken cancellationToken)
    {
        foreach (var chunk in chunks)
        {
            await writer.WriteAsync(chunk, cancellationToken);
        }
    }

    private static async Task<List<LlmChunk>> ReadWholeCompletionAsync(HttpResponseMessage response, OpenAiChatCall call, CancellationToken cancellationToken)
    {
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        ChatCompletion? completion;
        try
        {
            if (ErrorBodyOf(bytes) is { } error)
            {
                throw new ProviderException(call.Scrub(error.Message ?? "the provider reported an error without a message"), error.CodeText());
            }
            completion = JsonSerializer.Deserialize(bytes, OpenAiJsonContext.Default.ChatCompletion);
        }
        catch (JsonException ex)
        {
            throw new ProviderException("malformed JSON response (expected an SSE stream or a chat.completion)", "malformed_response", ex);
        }

        var chunks = new List<LlmChunk>();
        var choice = completion?.Choices?.FirstOrDefault(c => c.Index == 0);
        if ((choice?.Message?.Reasoning ?? choice?.Message?.ReasoningContent) is { Length: > 0 } reasoning)
        {
            chunks.Add(new ReasoningChunk(reasoning));
        }
        if (choice?.Message?.Content is { Length: > 0 } text)
        {
            chunks.Add(new TextChunk(text));
        }
        if (completion?.Usage is { } usage)
        {
            chunks.Add(new UsageChunk(usage.PromptTokens, usage.CompletionTokens, usage.Cost));
        }
        if (choice?.FinishReason is { Length: > 0 } reason)
        {
            chunks.Add(new FinishChunk(reason));
        }
        return chunks;
    }

    /// <summary>A non-2xx response as a <see cref="ProviderException"/> with the provider's own message and code when it gave them.</summary>
    private static async Task<ProviderException> ErrorFromResponseAsync(
        HttpResponseMessage response, OpenAiChatCall call, int attempts, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        string? message = null;
        string? code = null;
        try
        {
            var bytes = await ReadCappedAsync(response.Content, cancellationToken);
            if (ErrorBodyOf(bytes) is { } error)
            {
                message = error.Message;
                code = error.CodeText();
            }
            else if (response.Content.Headers.ContentType?.MediaType == "text/plain" && bytes.Length > 0)
            {
                var text = Encoding.UTF8.GetString(bytes).Trim();
                message = text.Length > 300 ? text[..300] + "…" : text;
            }
        }
        catch (Exception ex) when (ex is JsonException or IOException or HttpRequestException)
        {
            // An unreadable error body: the status line alone has to do.
        }

        var detail = new StringBuilder("HTTP ").Append(status);
        if (attempts > 1)
        {
            detail.Append("; gave up after ").Append(attempts).Append(" attempts");
        }
        else if (OpenAiResilience.IsTransient(response.StatusCode) && OpenAiResilience.RetryAfter(response, TimeProvider.System) is { } wait)
        {
            detail.Append("; asked to retry after ").Append((long)wait.TotalSeconds).Append(" s");
        }
        message = string.IsNullOrWhiteSpace(message) ? response.ReasonPhrase ?? "request failed" : message;
        return new ProviderException(call.Scrub($"{message} ({detail})"), code ?? status.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary><c>{"error": {...}}</c>, or null when the body is not one.</summary>
    private static WireError? ErrorBodyOf(byte[] bytes)
    {
        if (bytes.Length == 0 || bytes.AsSpan().TrimStart(" \t\r\n"u8) is not [(byte)'{', ..])
        {
            return null;
        }
        return JsonSerializer.Deserialize(bytes, OpenAiJsonContext.Default.ErrorBody)?.Error;
    }

    private static async Task<byte[]> ReadCappedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[MaxErrorBodyBytes];
        var total = 0;
        int read;
        while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken)) > 0)
        {
            total += read;
        }
        return buffer[..total];
    }

    private ProviderException Failed(OpenAiChatCall call, ProviderException ex)
    {
        logger.RequestFailed(call.Provider, call.UpstreamModel, ex.Code, ex.Message);
        return ex;
    }

    private static ProviderException Scrubbed(OpenAiChatCall call, ProviderException ex)
    {
        var message = call.Scrub(ex.Message);
        return ReferenceEquals(message, ex.Message) || message == ex.Message ? ex : new ProviderException(message, ex.Code, ex.InnerException);
    }

    private static string Tries(int attempts) => attempts > 1 ? $" (gave up after {attempts} attempts)" : "";
}
