using System.Collections.Concurrent;
using Council.Contracts.Messages;
using Council.Server.Grains;
using Council.Server.Workflows;

namespace Council.LoadProbe;

/// <summary>
/// When the tokens of each <c>token</c> event were emitted by their model, by run and seq. Filled by the grain just
/// before it appends the event, so every send finds its stamp; read by <see cref="StampingHubProtocol"/> as it
/// writes the message; a run's stamps are dropped a minute after it ends. Plain arrays per run: no object and no GC
/// handle per token (a weak table keyed by the event cost a dependent handle per live token, and every collection,
/// gen0 included, had to scan them all: the probe lengthened the very pauses it was there to measure).
/// </summary>
public sealed class TokenStamps(TimeProvider time) : IRunObserver
{
    private static readonly TimeSpan KeepAfterEnd = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, RunStamps> _runs = new(StringComparer.Ordinal);

    public void BeforeTokenAppended(RunPlan plan, TokenEvent token, long firstEmittedAt, long lastEmittedAt, int tokens) =>
        _runs.GetOrAdd(token.RunId, static _ => new RunStamps()).Set(token.Seq, firstEmittedAt, lastEmittedAt, tokens);

    public void RunEnded(RunPlan plan, RunCompleteEvent end) => _ = ForgetLaterAsync(plan.RunId);

    public bool TryGet(TokenEvent token, out TokenStamp stamp)
    {
        stamp = default;
        return _runs.TryGetValue(token.RunId, out var run) && run.TryGet(token.Seq, out stamp);
    }

    private async Task ForgetLaterAsync(string runId)
    {
        await Task.Delay(KeepAfterEnd, time).ConfigureAwait(false);
        _runs.TryRemove(runId, out _);
    }

    /// <summary>One run's stamps, indexed by seq (events that are not tokens leave a hole).</summary>
    private sealed class RunStamps
    {
        private readonly Lock _lock = new();
        private long[] _first = new long[256];
        private long[] _last = new long[256];
        private int[] _tokens = new int[256];

        public void Set(long seq, long first, long last, int tokens)
        {
            lock (_lock)
            {
                if (seq >= _tokens.Length)
                {
                    var size = (int)Math.Max(seq + 1, _tokens.Length * 2L);
                    Array.Resize(ref _first, size);
                    Array.Resize(ref _last, size);
                    Array.Resize(ref _tokens, size);
                }
                _first[seq] = first;
                _last[seq] = last;
                _tokens[seq] = tokens;
            }
        }

        public bool TryGet(long seq, out TokenStamp stamp)
        {
            lock (_lock)
            {
                stamp = seq < _tokens.Length && _tokens[seq] > 0 ? new TokenStamp(_first[seq], _last[seq], _tokens[seq]) : default;
                return stamp.Tokens > 0;
            }
        }
    }
}

/// <summary>Emission times (<see cref="TimeProvider"/> timestamps) of the first and last token merged into one event.</summary>
public readonly record struct TokenStamp(long FirstEmittedAt, long LastEmittedAt, int Tokens);
