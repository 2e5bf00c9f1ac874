using Council.Server.Providers.OpenAiCompatible.Wire;

namespace Council.Server.Providers.OpenAiCompatible;

/// <summary>
/// Turns wire chunks into <see cref="LlmChunk"/>s for one stream. Usage and the finish reason are held back to the
/// end, so every stream ends the same way (usage, then finish) whether the provider sends them in one chunk
/// (OpenRouter) or two (OpenAI), and a provider that repeats usage on every chunk reports it once.
/// </summary>
internal sealed class OpenAiChunkMapper
{
    private WireUsage? _usage;
    private string? _finishReason;

    /// <summary>Whether the provider said why it stopped; a stream that ends without it (or [DONE]) was cut off.</summary>
    public bool Finished => _finishReason is not null;

    /// <summary>
    /// The answer and reasoning text of <paramref name="chunk"/>, in order. A chunk that carries an
    /// <c>error</c> object ends the stream: the caller reports <see cref="FlushUsage"/> and throws <paramref name="error"/>.
    /// </summary>
    public void Accept(ChatCompletionChunk chunk, List<LlmChunk> output, out WireError? error)
    {
        if (chunk.Usage is { } usage)
        {
            _usage = usage;
        }
        foreach (var choice in chunk.Choices ?? [])
        {
            if (choice.Index != 0)
            {
                continue;
            }
            if ((choice.Delta?.Reasoning ?? choice.Delta?.ReasoningContent) is { Length: > 0 } reasoning)
            {
                output.Add(new ReasoningChunk(reasoning));
            }
            if (choice.Delta?.Content is { Length: > 0 } text)
            {
                output.Add(new TextChunk(text));
            }
            if (choice.FinishReason is { Length: > 0 } reason)
            {
                _finishReason = reason;
            }
        }
        error = chunk.Error;
    }

    /// <summary>The usage held back, if the provider sent any: also worth keeping when the stream then fails.</summary>
    public void FlushUsage(List<LlmChunk> output)
    {
        if (_usage is { } usage)
        {
            output.Add(new UsageChunk(usage.PromptTokens, usage.CompletionTokens, usage.Cost));
            _usage = null;
        }
    }

    /// <summary>The chunks held back at the end: usage, then the finish reason (each if the provider gave it).</summary>
    public void Flush(List<LlmChunk> output)
    {
        FlushUsage(output);
        if (_finishReason is { } reason)
        {
            output.Add(new FinishChunk(reason));
        }
    }
}
