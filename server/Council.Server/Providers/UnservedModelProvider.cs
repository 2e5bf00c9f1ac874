using System.Runtime.CompilerServices;
using Council.Contracts.Messages;

namespace Council.Server.Providers;

/// <summary>
/// Stands in for a model no provider serves any more (its provider dropped it after the run was planned): the call
/// fails like any provider failure, so a chairman's fallbacks take over instead of the run hitting an internal error.
/// </summary>
internal sealed class UnservedModelProvider(string model) : ILlmProvider
{
    public string Name => "none";

    public IReadOnlyList<ModelInfo> ListModels() => [];

    public bool Serves(string modelId) => false;

    public async IAsyncEnumerable<LlmChunk> StreamAsync(LlmRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.CompletedTask;
        throw new ProviderException($"No provider serves '{model}' any more (it was there when the run started).", "model_not_found");
#pragma warning disable CS0162 // an iterator needs a yield to be one
        yield break;
#pragma warning restore CS0162
    }
}
