using System.Buffers;
using System.Text.Json;
using Council.Server.Providers.OpenAiCompatible.Wire;

namespace Council.Server.Providers.Simulated.OpenAiApi;

/// <summary>Writes one streamed completion as SSE <c>data:</c> lines, each flushed at once.</summary>
internal sealed class SseChunkWriter(HttpResponse response, string model, TimeProvider time)
{
    private readonly string _id = NewId();
    private readonly long _created = time.GetUtcNow().ToUnixTimeSeconds();

    public static string NewId() => "chatcmpl-sim-" + Guid.NewGuid().ToString("N")[..24];

    public Task WriteAsync(ChunkDelta delta, string? finishReason, CancellationToken cancellationToken) =>
        WriteChunkAsync(Chunk([new ChunkChoice { Index = 0, Delta = delta, FinishReason = finishReason }]), cancellationToken);

    /// <summary>OpenAI's final usage chunk: no choices, just the counts (and cost, as OpenRouter adds it).</summary>
    public Task WriteUsageAsync(WireUsage usage, CancellationToken cancellationToken) =>
        WriteChunkAsync(Chunk([]) with { Usage = usage }, cancellationToken);

    /// <summary>OpenRouter's mid-stream failure: an <c>error</c> object, and the choice finished with "error".</summary>
    public Task WriteErrorAsync(string message, string? code, CancellationToken cancellationToken) =>
        WriteChunkAsync(
            Chunk([new ChunkChoice { Index = 0, Delta = new ChunkDelta { Content = "" }, FinishReason = "error" }])
                with { Error = WireError.Of(message, code, "server_error") },
            cancellationToken);

    public Task WriteCommentAsync(CancellationToken cancellationToken) =>
        WriteRawAsync(": SIMULATED PROCESSING\n\n"u8.ToArray(), cancellationToken);

    public Task WriteDoneAsync(CancellationToken cancellationToken) =>
        WriteRawAsync("data: [DONE]\n\n"u8.ToArray(), cancellationToken);

    private ChatCompletionChunk Chunk(IReadOnlyList<ChunkChoice> choices) => new()
    {
        Id = _id,
        ObjectType = "chat.completion.chunk",
        Created = _created,
        Model = model,
        Choices = choices,
    };

    private async Task WriteChunkAsync(ChatCompletionChunk chunk, CancellationToken cancellationToken)
    {
        var writer = response.BodyWriter;
        writer.Write("data: "u8);
        using (var json = new Utf8JsonWriter(writer))
        {
            JsonSerializer.Serialize(json, chunk, OpenAiJsonContext.Default.ChatCompletionChunk);
        }
        writer.Write("\n\n"u8);
        await writer.FlushAsync(cancellationToken);
    }

    private async Task WriteRawAsync(byte[] bytes, CancellationToken cancellationToken)
    {
        await response.BodyWriter.WriteAsync(bytes, cancellationToken);
    }
}
