namespace Council.Server.Providers.OpenAiCompatible;

/// <summary>Everything one streamed chat completion needs. A class, not a record, so the key never shows in ToString.</summary>
internal sealed class OpenAiChatCall(
    string provider,
    Uri endpoint,
    string upstreamModel,
    IReadOnlyList<ChatMessage> messages,
    string? apiKey,
    OpenAiProviderOptions options)
{
    public string Provider { get; } = provider;

    /// <summary><c>{BaseUrl}/chat/completions</c>.</summary>
    public Uri Endpoint { get; } = endpoint;

    public string UpstreamModel { get; } = upstreamModel;

    public IReadOnlyList<ChatMessage> Messages { get; } = messages;

    public string? ApiKey { get; } = apiKey;

    public OpenAiProviderOptions Options { get; } = options;

    /// <summary>Removes the key from text that came from the provider (some echo it back in errors).</summary>
    public string Scrub(string text) =>
        string.IsNullOrEmpty(ApiKey) ? text : text.Replace(ApiKey, "***", StringComparison.Ordinal);

    public override string ToString() => $"{Provider}/{UpstreamModel}";
}
