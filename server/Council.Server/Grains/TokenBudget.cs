namespace Council.Server.Grains;

/// <summary>
/// Tokens a run has generated, against <see cref="CouncilOptions.MaxTokensPerRun"/>. While a call streams its text
/// is counted by estimate (<see cref="Estimate"/>); when the provider reports the call's usage, its figure replaces
/// the estimate. Owned by a grain: touched only from its activation.
/// </summary>
public sealed class TokenBudget(int max)
{
    private readonly Dictionary<int, Call> _calls = [];

    /// <summary>The limit.</summary>
    public int Max { get; } = max;

    /// <summary>Tokens counted so far: reported where the provider said, estimated elsewhere.</summary>
    public long Used { get; private set; }

    /// <summary>Whether the run is past its limit.</summary>
    public bool Exceeded => Used > Max;

    /// <summary>
    /// Counts a piece of text of call <paramref name="callId"/>; false (nothing counted) when it would take the run
    /// past its limit.
    /// </summary>
    public bool TryAdd(int callId, string text)
    {
        var tokens = Estimate(text);
        if (Used + tokens > Max)
        {
            return false;
        }
        var call = CallOf(callId);
        call.Estimated += tokens;
        if (call.Reported is null)
        {
            Used += tokens;
        }
        return true;
    }

    /// <summary>The provider's count of a call's completion tokens: it replaces what was estimated for the call.</summary>
    public void Report(int callId, int completionTokens)
    {
        var call = CallOf(callId);
        Used += completionTokens - (call.Reported ?? call.Estimated);
        call.Reported = completionTokens;
    }

    /// <summary>
    /// Tokens in <paramref name="text"/> by the usual rule of thumb for English with BPE tokenizers (about four
    /// characters a token), at least one for any text.
    /// </summary>
    public static int Estimate(string text) => text.Length == 0 ? 0 : Math.Max(1, (text.Length + 3) / 4);

    private Call CallOf(int callId)
    {
        if (!_calls.TryGetValue(callId, out var call))
        {
            _calls[callId] = call = new Call();
        }
        return call;
    }

    private sealed class Call
    {
        public long Estimated;
        public int? Reported;
    }
}
