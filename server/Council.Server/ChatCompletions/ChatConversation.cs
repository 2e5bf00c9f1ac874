using System.Text;
using System.Text.Json;
using Council.Server.Workflows;

namespace Council.Server.ChatCompletions;

/// <summary>
/// The messages of a chat-completions request as a council run takes them: the last message (the user's) is the
/// question and the stored run's prompt; earlier ones are the history (user and assistant turns, system or developer
/// messages as instructions sent before the turn they precede).
/// </summary>
public sealed record ChatConversation(string Question, IReadOnlyList<ConversationTurn> History)
{
    /// <summary>How much longer than one prompt a whole conversation (history and instructions) may be.</summary>
    public const int ConversationToPromptRatio = 8;

    /// <summary>Checks the messages and splits them; every refusal says what to fix.</summary>
    public static ChatConversation From(IReadOnlyList<ChatCompletionsMessage?>? messages, int maxPromptChars)
    {
        if (messages is not { Count: > 0 })
        {
            throw OpenAiErrorException.BadRequest("'messages' must hold the conversation: at least one message, the last one the user's question.", "missing_messages");
        }
        var texts = new (string Role, string Text)[messages.Count];
        long total = 0;
        for (var i = 0; i < messages.Count; i++)
        {
            texts[i] = Read(messages[i], i);
            total += texts[i].Text.Length;
        }
        var maxTotal = (long)maxPromptChars * ConversationToPromptRatio;
        if (total > maxTotal)
        {
            throw OpenAiErrorException.BadRequest($"The messages hold {total} characters; a conversation may have at most {maxTotal}. Send fewer or shorter earlier turns.", "context_length_exceeded");
        }
        var (lastRole, question) = texts[^1];
        if (lastRole != "user" || string.IsNullOrWhiteSpace(question))
        {
            throw OpenAiErrorException.BadRequest("The last message must be the user's question (role 'user', with text).", "invalid_messages");
        }
        return new ChatConversation(question, Turns(texts.AsSpan(0, texts.Length - 1)));
    }

    private static List<ConversationTurn> Turns(ReadOnlySpan<(string Role, string Text)> earlier)
    {
        var turns = new List<ConversationTurn>();
        var instructions = new StringBuilder();
        var question = new StringBuilder();
        void Flush(string answer)
        {
            turns.Add(new ConversationTurn(question.ToString(), answer, instructions.Length > 0 ? instructions.ToString() : null));
            question.Clear();
            instructions.Clear();
        }
        foreach (var (role, text) in earlier)
        {
            switch (role)
            {
                case "system":
                    if (question.Length > 0)
                    {
                        Flush("");
                    }
                    Join(instructions, text);
                    break;
                case "user":
                    Join(question, text); // consecutive user messages are one question
                    break;
                default:
                    Flush(text);
                    break;
            }
        }
        if (question.Length > 0 || instructions.Length > 0)
        {
            Flush("");
        }
        return turns;
    }

    private static void Join(StringBuilder into, string text)
    {
        if (text.Length == 0)
        {
            return;
        }
        if (into.Length > 0)
        {
            into.Append("\n\n");
        }
        into.Append(text);
    }

    private static (string Role, string Text) Read(ChatCompletionsMessage? message, int index)
    {
        var role = message?.Role switch
        {
            "system" or "developer" => "system",
            "user" => "user",
            "assistant" => "assistant",
            null => throw OpenAiErrorException.BadRequest($"messages[{index}] needs a 'role': system, developer, user or assistant.", "invalid_messages"),
            var other => throw OpenAiErrorException.BadRequest($"messages[{index}] has role '{other}'; a council takes system, developer, user and assistant messages (it calls no tools).", "invalid_messages"),
        };
        return (role, Text(message!.Content, index));
    }

    private static string Text(JsonElement? content, int index)
    {
        switch (content)
        {
            case null or { ValueKind: JsonValueKind.Null }:
                return "";
            case { ValueKind: JsonValueKind.String } s:
                return s.GetString() ?? "";
            case { ValueKind: JsonValueKind.Array } parts:
                var text = new StringBuilder();
                var j = 0;
                foreach (var part in parts.EnumerateArray())
                {
                    if (part.ValueKind != JsonValueKind.Object || !part.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
                    {
                        throw OpenAiErrorException.BadRequest($"messages[{index}].content[{j}] must be a part like {{ \"type\": \"text\", \"text\": \"…\" }}.", "invalid_messages");
                    }
                    if (type.GetString() != "text" || !part.TryGetProperty("text", out var t) || t.ValueKind != JsonValueKind.String)
                    {
                        throw OpenAiErrorException.BadRequest($"messages[{index}].content[{j}] is a '{type.GetString()}' part; a council takes text parts only.", "invalid_messages");
                    }
                    text.Append(t.GetString());
                    j++;
                }
                return text.ToString();
            default:
                throw OpenAiErrorException.BadRequest($"messages[{index}].content must be a string or an array of text parts.", "invalid_messages");
        }
    }
}
