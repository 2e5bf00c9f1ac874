using System.Text;
using System.Text.Json;
using Council.Server.Providers.OpenAiCompatible.Wire;

namespace Council.Server.Providers.OpenAiCompatible;

/// <summary>
/// The payload of one SSE event of a chat-completions stream: a chunk, <c>[DONE]</c>, empty, or data that does not
/// parse (<see cref="Malformed"/>: the reader decides, since an error event that follows says more). An
/// <c>event: error</c> comes as a chunk that carries only its <see cref="ChatCompletionChunk.Error"/>.
/// </summary>
internal readonly record struct OpenAiSseEvent(ChatCompletionChunk? Chunk, bool IsDone, ProviderException? Malformed = null)
{
    public static readonly OpenAiSseEvent Done = new(null, true);

    public static readonly OpenAiSseEvent Empty = new(null, false);

    /// <summary>Whether the event carries the provider's error object.</summary>
    public bool IsError => Chunk?.Error is not null;

    /// <summary>The <see cref="System.Net.ServerSentEvents.SseItemParser{T}"/>: parses straight from the parser's buffer.</summary>
    public static OpenAiSseEvent Parse(string eventType, ReadOnlySpan<byte> data)
    {
        var trimmed = data.Trim(" \t\r\n"u8);
        if (trimmed.IsEmpty)
        {
            return Empty;
        }
        if (trimmed.SequenceEqual("[DONE]"u8))
        {
            return Done;
        }
        try
        {
            var chunk = JsonSerializer.Deserialize(trimmed, OpenAiJsonContext.Default.ChatCompletionChunk)
                ?? throw new JsonException("the data is JSON null");
            if (eventType == "error" && chunk.Error is null)
            {
                // An error event whose data is the error object itself, not wrapped in {"error": …}.
                chunk = new ChatCompletionChunk { Error = JsonSerializer.Deserialize(trimmed, OpenAiJsonContext.Default.WireError) };
            }
            return new OpenAiSseEvent(chunk, false);
        }
        catch (JsonException ex) when (eventType == "error")
        {
            return new OpenAiSseEvent(new ChatCompletionChunk { Error = WireError.Of(Excerpt(trimmed), "stream_error") }, false, MalformedChunk(trimmed, ex));
        }
        catch (JsonException ex)
        {
            return new OpenAiSseEvent(null, false, MalformedChunk(trimmed, ex));
        }
    }

    private static ProviderException MalformedChunk(ReadOnlySpan<byte> data, JsonException ex) =>
        new($"malformed stream chunk ({ex.Message}): {Excerpt(data)}", "malformed_response", ex);

    private static string Excerpt(ReadOnlySpan<byte> data)
    {
        const int max = 200;
        var text = Encoding.UTF8.GetString(data.Length > max ? data[..max] : data);
        return data.Length > max ? text + "…" : text;
    }
}
