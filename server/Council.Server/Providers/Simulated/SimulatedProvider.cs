using System.Diagnostics;
using System.Runtime.CompilerServices;
using Council.Contracts.Messages;
using Microsoft.Extensions.Options;

namespace Council.Server.Providers.Simulated;

/// <summary>
/// The embedded default: deterministic models with realistic, per-token timing, so Council runs with no key
/// and no network. Serves every valid <c>sim/…</c> id.
/// </summary>
public sealed class SimulatedProvider(IOptions<CouncilOptions> options, TimeProvider time) : ILlmProvider
{
    public const string ProviderName = "simulated";

    public string Name => ProviderName;

    public IReadOnlyList<ModelInfo> ListModels()
    {
        var o = options.Value;
        return o.DefaultModels.Append(o.Chairman).Concat(o.FallbackChairmen)
            .Where(Serves).Distinct().Select(id => new ModelInfo(id, ProviderName)).ToArray();
    }

    public bool Serves(string modelId) => SimulatedModelSpec.TryParse(modelId, out _, out _);

    public async IAsyncEnumerable<LlmChunk> StreamAsync(LlmRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (!SimulatedModelSpec.TryParse(request.Model, out var spec, out var error))
        {
            throw new ProviderException(error, "invalid_model");
        }

        var tokens = SimulatedText.Tokens(spec, request.LastUserContent);
        var promptTokens = request.Messages.Sum(m => m.Content.Length) / 4 + 1;
        var start = time.GetTimestamp();
        // The real clock paces every stream from one thread; any other clock (a test's) goes through its own timers.
        using var pacer = ReferenceEquals(time, TimeProvider.System) ? SimulatedPacer.Shared.CreateWaiter(cancellationToken) : null;

        await DelayUntil(pacer, start, spec.TtftMs, cancellationToken);
        if (spec.Fault == SimulatedFault.Before)
        {
            throw new ProviderException($"{spec.Name}: simulated failure before the first token", "simulated_before");
        }

        var stopAt = spec.Fault is SimulatedFault.Midstream or SimulatedFault.Stall ? Math.Max(1, tokens.Count / 2) : tokens.Count;
        var interval = 1000.0 / spec.TokensPerSecond;
        for (var i = 0; i < stopAt; i++)
        {
            // Absolute schedule, so timer slack never accumulates into drift.
            var due = spec.TtftMs + i * interval;
            await DelayUntil(pacer, start, due, cancellationToken);
            // Emitted on schedule; or earlier, when the timer fired a little early (timers round to milliseconds).
            var emittedAt = Math.Min(start + (long)(due * time.TimestampFrequency / 1000), time.GetTimestamp());
            yield return new TextChunk(tokens[i]) { EmittedAt = emittedAt };
        }

        switch (spec.Fault)
        {
            case SimulatedFault.Midstream:
                throw new ProviderException($"{spec.Name}: simulated failure after {stopAt} tokens", "simulated_midstream");
            case SimulatedFault.Stall:
                await Task.Delay(Timeout.InfiniteTimeSpan, time, cancellationToken);
                break;
        }

        yield return new UsageChunk(promptTokens, tokens.Count, Price(promptTokens, tokens.Count));
        yield return new FinishChunk("stop");
    }

    /// <summary>A made-up but stable price, so cost shows up end to end: $0.50 / $1.50 per million tokens.</summary>
    public static decimal Price(int promptTokens, int completionTokens) =>
        (promptTokens * 0.5m + completionTokens * 1.5m) / 1_000_000m;

    private ValueTask DelayUntil(SimulatedPacer.Waiter? pacer, long start, double offsetMs, CancellationToken cancellationToken)
    {
        if (pacer is not null)
        {
            return pacer.WaitUntilAsync(start + (long)(offsetMs * time.TimestampFrequency / 1000));
        }
        var wait = TimeSpan.FromMilliseconds(offsetMs) - time.GetElapsedTime(start);
        if (wait <= TimeSpan.Zero)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return ValueTask.CompletedTask;
        }
        return new ValueTask(Task.Delay(wait, time, cancellationToken));
    }
}
