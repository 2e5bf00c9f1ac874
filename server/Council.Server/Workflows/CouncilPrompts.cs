using System.Text;
using Council.Contracts.Messages;
using Council.Server.Providers;

namespace Council.Server.Workflows;

/// <summary>The messages each stage kind sends to its models.</summary>
public static class CouncilPrompts
{
    /// <summary>Answers stage: the conversation so far, then the question.</summary>
    public static IReadOnlyList<ChatMessage> Answer(string question, IReadOnlyList<ConversationTurn> history)
    {
        var messages = new List<ChatMessage>(history.Count * 2 + 1);
        foreach (var turn in history)
        {
            messages.Add(new ChatMessage(ChatRole.User, turn.Question));
            messages.Add(new ChatMessage(ChatRole.Assistant, turn.Answer));
        }
        messages.Add(new ChatMessage(ChatRole.User, question));
        return messages;
    }

    /// <summary>Review stage: the answers under anonymous labels, and the ranking format to end with.</summary>
    public static IReadOnlyList<ChatMessage> Review(string question, IReadOnlyList<(string Label, string Text)> answers)
    {
        var prompt = new StringBuilder()
            .Append("You are evaluating different responses to this question:\n\n")
            .Append(question).Append("\n\nThe responses, from different models, anonymized:\n\n");
        foreach (var (label, text) in answers)
        {
            prompt.Append("Response ").Append(label).Append(":\n").Append(text.Trim()).Append("\n\n");
        }
        prompt.Append("""
            Your task:
            1. Evaluate each response on its own: what it does well and what it does poorly.
            2. Then, at the very end, give your final ranking.

            Your final ranking MUST be formatted exactly like this:
            - a line "FINAL RANKING:" (capitals, with the colon)
            - then the responses from best to worst as a numbered list, one per line:
              a number, a period, a space, then only the label ("1. Response A")
            - nothing after the list.
            """);
        return [new ChatMessage(ChatRole.User, prompt.ToString())];
    }

    /// <summary>Synthesis stage: the question, every answer by model, and the peer ranking.</summary>
    public static IReadOnlyList<ChatMessage> Synthesis(
        string question,
        IReadOnlyList<(string Model, string Text)> answers,
        IReadOnlyList<AggregateRanking> rankings)
    {
        var prompt = new StringBuilder().Append(question).Append("\n\n")
            .Append("You are the chairman of a council of AI models. Each answered the question above; ")
            .Append("then they ranked each other's answers anonymously.\n\nThe answers:\n\n");
        foreach (var (model, text) in answers)
        {
            prompt.Append("Model ").Append(model).Append(":\n").Append(text.Trim()).Append("\n\n");
        }
        if (rankings.Count > 0)
        {
            prompt.Append("Peer ranking, best first (average position, votes):\n");
            for (var i = 0; i < rankings.Count; i++)
            {
                var r = rankings[i];
                prompt.Append(i + 1).Append(". ").Append(r.Model).Append(" (")
                    .Append(r.AverageRank.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture))
                    .Append(", ").Append(r.Votes).Append(")\n");
            }
            prompt.Append('\n');
        }
        prompt.Append("Write the council's final answer to the question: one clear, accurate, complete answer that ")
            .Append("draws on the best of the answers and the ranking. Do not mention the council or the models.");
        return [new ChatMessage(ChatRole.User, prompt.ToString())];
    }
}

/// <summary>An earlier question of a conversation and the answer it got.</summary>
public sealed record ConversationTurn(string Question, string Answer);
