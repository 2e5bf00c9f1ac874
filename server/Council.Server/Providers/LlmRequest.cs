namespace Council.Server.Providers;

/// <summary>One chat-completion request to a provider.</summary>
/// <param name="Model">Council's model id, as the client named it.</param>
/// <param name="Messages">System, user and assistant turns, oldest first.</param>
public sealed record LlmRequest(string Model, IReadOnlyList<ChatMessage> Messages)
{
    /// <summary>The last user message: what a simulated model answers.</summary>
    public string LastUserContent => Messages.LastOrDefault(m => m.Role == ChatRole.User)?.Content ?? "";
}

/// <summary>A message of a chat conversation.</summary>
public sealed record ChatMessage(string Role, string Content);

/// <summary>The roles of the OpenAI chat API.</summary>
public static class ChatRole
{
    public const string System = "system";
    public const string User = "user";
    public const string Assistant = "assistant";
}
