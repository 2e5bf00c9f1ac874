using System.Collections.Concurrent;
using Council.Server.Workflows;

namespace Council.Server.Conversations;

/// <summary>
/// The turns of each conversation, so follow-up questions carry what came before.
/// Held in memory for now: conversations last as long as the process.
/// </summary>
public sealed class ConversationStore
{
    private readonly ConcurrentDictionary<string, List<ConversationTurn>> _conversations = new();

    /// <summary>The earlier turns; empty for a new conversation (<paramref name="conversationId"/> null), null when unknown.</summary>
    public IReadOnlyList<ConversationTurn>? History(string? conversationId)
    {
        if (conversationId is null)
        {
            return [];
        }
        if (!_conversations.TryGetValue(conversationId, out var turns))
        {
            return null;
        }
        lock (turns)
        {
            return turns.ToArray();
        }
    }

    /// <summary>Starts a new, empty conversation and returns its id.</summary>
    public string Open()
    {
        var id = Guid.CreateVersion7().ToString("N");
        _conversations[id] = [];
        return id;
    }

    /// <summary>Records a finished turn.</summary>
    public void Append(string conversationId, ConversationTurn turn)
    {
        var turns = _conversations.GetOrAdd(conversationId, _ => []);
        lock (turns)
        {
            turns.Add(turn);
        }
    }
}
