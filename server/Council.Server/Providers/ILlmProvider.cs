using Council.Contracts.Messages;

namespace Council.Server.Providers;

/// <summary>A source of streamed chat completions: simulated models, or any OpenAI-compatible API.</summary>
public interface ILlmProvider
{
    /// <summary>Short name shown to clients in <c>list_models</c> (never a key or URL).</summary>
    string Name { get; }

    /// <summary>The models this provider advertises to clients.</summary>
    IReadOnlyList<ModelInfo> ListModels();

    /// <summary>Whether this provider serves <paramref name="modelId"/>; ids it does not know are someone else's.</summary>
    bool Serves(string modelId);

    /// <summary>
    /// Streams one completion. Throws <see cref="ProviderException"/> for a provider-side failure
    /// (before or after the first chunk) and <see cref="OperationCanceledException"/> when cancelled.
    /// </summary>
    IAsyncEnumerable<LlmChunk> StreamAsync(LlmRequest request, CancellationToken cancellationToken);
}
