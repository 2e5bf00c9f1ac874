namespace Council.Contracts.Api;

/// <summary><c>GET /api/limits</c>: what a client can check before it sends, so a person learns it while typing.</summary>
/// <param name="MaxPromptChars">The longest prompt <c>start_run</c> accepts, in characters.</param>
/// <param name="MaxModelsPerRun">The most models one run may name.</param>
public sealed record ServerLimits(int MaxPromptChars, int MaxModelsPerRun);
