using Council.Server.Providers.OpenAiCompatible.Wire;
using Microsoft.AspNetCore.Http.Features;

namespace Council.Server.Providers.Simulated.OpenAiApi;

/// <summary>
/// Answers <c>/v1/chat/completions</c> with a <see cref="SimulatedProvider"/> model in the wire format of OpenAI and
/// OpenRouter: a role chunk, content chunks, a finish chunk, a usage chunk (with OpenRouter's <c>cost</c>) when
/// <c>stream_options.include_usage</c> asks, then <c>[DONE]</c>. While the model thinks, a comment line every second;
/// a failure after the stream started is an <c>error</c> object in a <c>data:</c> line, as OpenRouter sends it.
/// Mapped under <c>/v1</c> beside the councils, by <see cref="ChatCompletions.ChatCompletionsRegistration"/>.
/// </summary>
internal sealed class SimulatedChatCompletions(SimulatedProvider provider, TimeProvider time)
{
    /// <summary>How often a comment (<c>: SIMULATED PROCESSING</c>) is sent while the first token is awaited.</summary>
    public static readonly TimeSpan KeepAliveInterval = TimeSpan.FromSeconds(1);

    /// <summary>Answers a request that <c>/v1/chat/completions</c> has read and checked (<see cref="ChatCompletions.ChatCompletionsEndpoint"/>).</summary>
    public async Task CompleteAsync(HttpContext context, ChatCompletionRequest body)
    {
        var cancellationToken = context.RequestAborted;
        var model = body.Model ?? "";
        if (!SimulatedModelSpec.TryParse(model, out _, out var error))
        {
            await WriteErrorAsync(context, StatusCodes.Status404NotFound, $"The model '{model}' does not exist here: {error}", "invalid_request_error", "model_not_found");
            return;
        }
        var request = new LlmRequest(model, (body.Messages ?? []).Select(m => new ChatMessage(m.Role, m.ContentText())).ToArray());
        try
        {
            if (body.Stream == true)
            {
                await StreamAsync(context, request, body.StreamOptions?.IncludeUsage == true, cancellationToken);
            }
            else
            {
                await CompleteWholeAsync(context, request, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away: nothing left to answer.
        }
    }

    private async Task StreamAsync(HttpContext context, LlmRequest request, bool includeUsage, CancellationToken cancellationToken)
    {
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        await response.StartAsync(cancellationToken);

        var writer = new SseChunkWriter(response, request.Model, time);
        await writer.WriteAsync(new ChunkDelta { Role = ChatRole.Assistant, Content = "" }, null, cancellationToken);

        UsageChunk? usage = null;
        var answered = false;
        await using var chunks = provider.StreamAsync(request, cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            bool more;
            try
            {
                more = await NextAsync(chunks, answered ? null : writer, cancellationToken);
            }
            catch (ProviderException ex)
            {
                await writer.WriteErrorAsync(ex.Message, ex.Code, cancellationToken);
                return;
            }
            if (!more)
            {
                break;
            }
            switch (chunks.Current)
            {
                case TextChunk text:
                    answered = true;
                    await writer.WriteAsync(new ChunkDelta { Content = text.Text }, null, cancellationToken);
                    break;
                case ReasoningChunk reasoning:
                    await writer.WriteAsync(new ChunkDelta { Reasoning = reasoning.Text }, null, cancellationToken);
                    break;
                case UsageChunk u:
                    usage = u;
                    break;
                case FinishChunk finish:
                    await writer.WriteAsync(new ChunkDelta(), finish.Reason, cancellationToken);
                    break;
                case KeepAliveChunk:
                    await writer.WriteCommentAsync(cancellationToken);
                    break;
            }
        }
        if (includeUsage && usage is not null)
        {
            await writer.WriteUsageAsync(ToWire(usage), cancellationToken);
        }
        await writer.WriteDoneAsync(cancellationToken);
    }

    /// <summary>The next chunk; until the first token, a comment goes out every <see cref="KeepAliveInterval"/> of silence.</summary>
    private async Task<bool> NextAsync(IAsyncEnumerator<LlmChunk> chunks, SseChunkWriter? keepAlive, CancellationToken cancellationToken)
    {
        var next = chunks.MoveNextAsync();
        if (keepAlive is null || next.IsCompleted)
        {
            return await next;
        }
        var pending = next.AsTask();
        while (true)
        {
            try
            {
                // No token here: the provider observes it itself, so the enumerator is never left running.
                return await pending.WaitAsync(KeepAliveInterval, time, CancellationToken.None);
            }
            catch (TimeoutException)
            {
                try
                {
                    await keepAlive.WriteCommentAsync(cancellationToken);
                }
                catch
                {
                    // The client is gone: let the model's own MoveNext end (it sees the same abort) before the
                    // enumerator is disposed, which an async iterator refuses while a MoveNext is running.
                    await ((Task)pending).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                    throw;
                }
            }
        }
    }

    private async Task CompleteWholeAsync(HttpContext context, LlmRequest request, CancellationToken cancellationToken)
    {
        var text = new System.Text.StringBuilder();
        var reasoning = new System.Text.StringBuilder();
        UsageChunk? usage = null;
        var finishReason = "stop";
        try
        {
            await foreach (var chunk in provider.StreamAsync(request, cancellationToken))
            {
                switch (chunk)
                {
                    case TextChunk t: text.Append(t.Text); break;
                    case ReasoningChunk r: reasoning.Append(r.Text); break;
                    case UsageChunk u: usage = u; break;
                    case FinishChunk f: finishReason = f.Reason; break;
                }
            }
        }
        catch (ProviderException ex)
        {
            await WriteErrorAsync(context, StatusCodes.Status502BadGateway, ex.Message, "server_error", ex.Code);
            return;
        }

        var completion = new ChatCompletion
        {
            Id = SseChunkWriter.NewId(),
            ObjectType = "chat.completion",
            Created = time.GetUtcNow().ToUnixTimeSeconds(),
            Model = request.Model,
            Choices =
            [
                new CompletionChoice
                {
                    Index = 0,
                    Message = new CompletionMessage
                    {
                        Role = ChatRole.Assistant,
                        Content = text.ToString(),
                        Reasoning = reasoning.Length > 0 ? reasoning.ToString() : null,
                    },
                    FinishReason = finishReason,
                },
            ],
            Usage = usage is null ? null : ToWire(usage),
        };
        await context.Response.WriteAsJsonAsync(completion, OpenAiJsonContext.Default.ChatCompletion, contentType: null, cancellationToken);
    }

    private static WireUsage ToWire(UsageChunk usage) => new()
    {
        PromptTokens = usage.PromptTokens,
        CompletionTokens = usage.CompletionTokens,
        TotalTokens = usage.PromptTokens + usage.CompletionTokens,
        Cost = usage.Cost,
    };

    private static Task WriteErrorAsync(HttpContext context, int status, string message, string type, string? code)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(
            new ErrorBody(WireError.Of(message, code, type)), OpenAiJsonContext.Default.ErrorBody, contentType: null, context.RequestAborted);
    }
}
