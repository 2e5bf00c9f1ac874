using System.Buffers;
using System.Text.Json;
using Council.Server.Providers.OpenAiCompatible.Wire;

namespace Council.Server.ChatCompletions;

/// <summary>Writes a council's streamed completion as SSE <c>data:</c> lines of <c>chat.completion.chunk</c>, each flushed at once.</summary>
internal sealed class CompletionChunkWriter(HttpResponse response, string id, string model, long created, ReasoningField field)
{
    public Task RoleAsync(CancellationToken cancellationToken) =>
        WriteAsync(Chunk(new ChunkDelta { Role = Providers.ChatRole.Assistant, Content = "" }, null), cancellationToken);

    public Task PieceAsync(NarrationPiece piece, CancellationToken cancellationToken)
    {
        if (piece.IsContent)
        {
            return WriteAsync(Chunk(new ChunkDelta { Content = piece.Text }, null), cancellationToken);
        }
        return field == ReasoningField.None
            ? Task.CompletedTask
            : WriteAsync(Chunk(ReasoningDelta(piece.Text, field), null), cancellationToken);
    }

    /// <summary>The last chunk: the finish reason and the usage summed over every call of the run.</summary>
    public Task FinishAsync(string finishReason, WireUsage usage, CancellationToken cancellationToken) =>
        WriteAsync(Chunk(new ChunkDelta(), finishReason) with { Usage = usage }, cancellationToken);

    /// <summary>A run that did not end ok: an <c>error</c> object, as OpenRouter fails a stream that has started.</summary>
    public Task FailAsync(OpenAiErrorException error, WireUsage? usage, CancellationToken cancellationToken) =>
        WriteAsync(Chunk(new ChunkDelta(), "error") with { Usage = usage, Error = error.ToWire() }, cancellationToken);

    /// <summary>An SSE comment: keeps proxies from closing a stream that waits on a slow model.</summary>
    public async Task KeepAliveAsync(CancellationToken cancellationToken) =>
        await response.BodyWriter.WriteAsync(": council\n\n"u8.ToArray(), cancellationToken);

    public async Task DoneAsync(CancellationToken cancellationToken) =>
        await response.BodyWriter.WriteAsync("data: [DONE]\n\n"u8.ToArray(), cancellationToken);

    /// <summary>The reasoning text in the delta field(s) <paramref name="field"/> names.</summary>
    public static ChunkDelta ReasoningDelta(string text, ReasoningField field) => new()
    {
        Reasoning = field is ReasoningField.Both or ReasoningField.Reasoning ? text : null,
        ReasoningContent = field is ReasoningField.Both or ReasoningField.ReasoningContent ? text : null,
    };

    private ChatCompletionChunk Chunk(ChunkDelta delta, string? finishReason) => new()
    {
        Id = id,
        ObjectType = "chat.completion.chunk",
        Created = created,
        Model = model,
        Choices = [new ChunkChoice { Index = 0, Delta = delta, FinishReason = finishReason }],
    };

    private async Task WriteAsync(ChatCompletionChunk chunk, CancellationToken cancellationToken)
    {
        var writer = response.BodyWriter;
        writer.Write("data: "u8);
        using (var json = new Utf8JsonWriter(writer, V1Json.WriterOptions))
        {
            JsonSerializer.Serialize(json, chunk, V1Json.Context.ChatCompletionChunk);
        }
        writer.Write("\n\n"u8);
        await writer.FlushAsync(cancellationToken);
    }
}
