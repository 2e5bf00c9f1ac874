using Council.Contracts.Messages;

namespace Council.Server.Providers;

/// <summary>Finds the provider that serves a model id; the one place that knows all providers.</summary>
public sealed class ModelRouter(IEnumerable<ILlmProvider> providers)
{
    private readonly ILlmProvider[] _providers = providers.ToArray();

    /// <summary>Every model any provider advertises.</summary>
    public IReadOnlyList<ModelInfo> ListModels() =>
        _providers.SelectMany(p => p.ListModels()).DistinctBy(m => m.Id).ToArray();

    /// <summary>The provider for <paramref name="modelId"/>, or null when no provider serves it.</summary>
    public ILlmProvider? Find(string modelId) => _providers.FirstOrDefault(p => p.Serves(modelId));
}
