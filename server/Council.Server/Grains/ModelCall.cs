using System.Text;
using Council.Contracts.Messages;
using Council.Server.Providers;

namespace Council.Server.Grains;

/// <summary>One model's call in one stage. Owned by its grain: touched only inside the grain's activation.</summary>
internal sealed class ModelCall(int id, int stage, string model, ILlmProvider provider, LlmRequest request, long startedAt, TokenBatcher batcher)
{
    public int Id { get; } = id;
    public int Stage { get; } = stage;
    public string Model { get; } = model;
    public ILlmProvider Provider { get; } = provider;
    public LlmRequest Request { get; } = request;
    public CancellationTokenSource Cancellation { get; } = new();

    public long StartedAt { get; } = startedAt;
    public long? FirstTokenAt { get; set; }
    public long? EndedAt { get; set; }
    public long LastActivityAt { get; set; } = startedAt;

    /// <summary>Everything the model wrote; the concatenation of all its token events.</summary>
    public StringBuilder Text { get; } = new();

    /// <summary>Deltas received but not yet sent, merged within the batching window.</summary>
    public TokenBatcher Batcher { get; } = batcher;

    public int TextChunks { get; set; }
    public UsageChunk? ReportedUsage { get; set; }
    public string? FinishReason { get; set; }

    /// <summary>Null while the call runs.</summary>
    public ModelStatus? Status { get; set; }
    public string? Error { get; set; }
    public IReadOnlyList<string>? Ranking { get; set; }

    public bool IsRunning => Status is null;

    /// <summary>The provider's figures, or an estimate marked partial when it gave none (cancelled, failed).</summary>
    public Usage Usage()
    {
        if (ReportedUsage is { } u)
        {
            return new Usage(u.PromptTokens, u.CompletionTokens, u.Cost, Status == ModelStatus.Ok ? null : true);
        }
        var promptTokens = Request.Messages.Sum(m => m.Content.Length) / 4 + 1;
        return new Usage(promptTokens, TextChunks, null, true);
    }
}
