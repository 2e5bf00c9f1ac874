using Council.Server.Providers;

namespace Council.Server.Tests.Providers;

/// <summary>Reads a provider stream to its end, keeping the chunks and the exception that ended it, if any.</summary>
internal static class StreamCollector
{
    public static async Task<(List<LlmChunk> Chunks, Exception? Error)> CollectAsync(
        this IAsyncEnumerable<LlmChunk> stream, CancellationToken cancellationToken)
    {
        var chunks = new List<LlmChunk>();
        try
        {
            await foreach (var chunk in stream.WithCancellation(cancellationToken))
            {
                chunks.Add(chunk);
            }
            return (chunks, null);
        }
        catch (Exception ex)
        {
            return (chunks, ex);
        }
    }

    /// <summary>The chunks with content: everything but keep-alives.</summary>
    public static List<LlmChunk> Content(this IEnumerable<LlmChunk> chunks) =>
        chunks.Where(c => c is not KeepAliveChunk).ToList();

    public static string Text(this IEnumerable<LlmChunk> chunks) =>
        string.Concat(chunks.OfType<TextChunk>().Select(c => c.Text));

    public static LlmRequest Ask(string model, string question = "What is the capital of France?") =>
        new(model, [new ChatMessage(ChatRole.System, "Answer briefly."), new ChatMessage(ChatRole.User, question)]);
}
