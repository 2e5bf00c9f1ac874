using System.Text;
using System.Text.Json;
using Council.Server.Providers.OpenAiCompatible.Wire;

namespace Council.Server.Providers.OpenAiCompatible;

/// <summary>The payload of one SSE <c>data:</c> event of a chat-completions stream: a chunk, <c>[DONE]</c>, or empty.</summary>
internal readonly record struct OpenAiSseEvent(ChatCompletionChunk? Chunk, bool IsDone)
{
    public static readonly OpenAiSseEvent Done = new(null, true);

    public static readonly OpenAiSseEvent Empty = new(null, false);

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
            return new OpenAiSseEvent(
                JsonSerializer.Deserialize(trimmed, OpenAiJsonContext.Default.ChatCompletionChunk)
                    ?? throw new JsonException("the data is JSON null"),
                false);
        }
        catch (JsonException ex)
        {
            throw new ProviderException(
                $"malformed stream chunk ({ex.Message}): {Excerpt(trimmed)}", "malformed_response", ex);
        }
    }

    private static string Excerpt(ReadOnlySpan<byte> data)
    {
        const int max = 200;
        var text = Encoding.UTF8.GetString(data.Length > max ? data[..max] : data);
        return data.Length > max ? text + "…" : text;
    }
}
