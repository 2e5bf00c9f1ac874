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
        AppendHistory(messages, history);
        messages.Add(new ChatMessage(ChatRole.User, question));
        return messages;
    }

    /// <summary>Earlier turns as messages: a turn's instructions (a system message), its question, its answer.</summary>
    public static void AppendHistory(List<ChatMessage> messages, IReadOnlyList<ConversationTurn> history)
    {
        foreach (var turn in history)
        {
            if (!string.IsNullOrEmpty(turn.Instructions))
            {
                messages.Add(new ChatMessage(ChatRole.System, turn.Instructions));
            }
            if (turn.Question.Length > 0)
            {
                messages.Add(new ChatMessage(ChatRole.User, turn.Question));
            }
            if (turn.Answer.Length > 0)
            {
                messages.Add(new ChatMessage(ChatRole.Assistant, turn.Answer));
            }
        }
    }

    /// <summary>Review stage: the answers under anonymous labels, and the ranking format to end with.</summary>
    public static IReadOnlyList<ChatMessage> Review(string question, IReadOnlyList<(string Label, string Text)> answers,
        IReadOnlyList<SearchResult>? sources = null)
    {
        var prompt = new StringBuilder()
            .Append("You are evaluating different responses to this question:\n\n")
            .Append(question).Append("\n\n");
        AppendSources(prompt, sources);
        prompt.Append("The responses, from different models, anonymized:\n\n");
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
        IReadOnlyList<AggregateRanking> rankings,
        IReadOnlyList<SearchResult>? sources = null)
    {
        var prompt = new StringBuilder().Append(question).Append("\n\n")
            .Append("You are the chairman of a council of AI models. Each answered the question above")
            .Append(rankings.Count > 0 ? "; then they ranked each other's answers anonymously." : ".")
            .Append("\n\n");
        AppendSources(prompt, sources);
        prompt.Append("The answers:\n\n");
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

    /// <summary>Web search results as numbered sources, when the run searched.</summary>
    public static void AppendSources(StringBuilder prompt, IReadOnlyList<SearchResult>? sources)
    {
        if (sources is not { Count: > 0 })
        {
            return;
        }
        prompt.Append("Web search results, for reference:\n");
        for (var i = 0; i < sources.Count; i++)
        {
            prompt.Append('[').Append(i + 1).Append("] ").Append(sources[i].Title).Append(" — ").Append(sources[i].Url).Append('\n')
                .Append("    ").Append(sources[i].Snippet).Append('\n');
        }
        prompt.Append('\n');
    }
}

/// <summary>The messages of a pipeline role: its system prompt, the task, and the work of the roles before it.</summary>
public static class RolePrompts
{
    public const string VerdictInstructions = """
        End with your verdict on its own line, exactly one of:
        VERDICT: APPROVE
        VERDICT: CHANGES
        and after CHANGES, the issues to fix as a numbered list.
        """;

    public static IReadOnlyList<ChatMessage> Role(
        string task,
        IReadOnlyList<ConversationTurn> history,
        StageDefinition role,
        IReadOnlyList<(string Stage, string Model, string Text)> workSoFar,
        IReadOnlyList<SearchResult>? sources = null)
    {
        var messages = new List<ChatMessage>();
        if (!string.IsNullOrWhiteSpace(role.SystemPrompt))
        {
            messages.Add(new ChatMessage(ChatRole.System, role.SystemPrompt));
        }
        CouncilPrompts.AppendHistory(messages, history);
        var prompt = new StringBuilder(task);
        if (sources is { Count: > 0 })
        {
            prompt.Append("\n\n");
            CouncilPrompts.AppendSources(prompt, sources);
        }
        if (workSoFar.Count > 0)
        {
            prompt.Append("\n\nThe work so far, oldest first:\n");
            foreach (var (stage, model, text) in workSoFar)
            {
                prompt.Append("\n## ").Append(stage).Append(" (").Append(model).Append(")\n").Append(text.Trim()).Append('\n');
            }
        }
        if (role.Verdict)
        {
            prompt.Append("\n\n").Append(VerdictInstructions);
        }
        messages.Add(new ChatMessage(ChatRole.User, prompt.ToString()));
        return messages;
    }
}

/// <summary>An earlier question of a conversation and the answer it got.</summary>
/// <param name="Instructions">A system message that came before the question (a conversation sent over
/// <c>/v1/chat/completions</c>); empty parts of a turn are not sent.</param>
[GenerateSerializer, Immutable]
public sealed record ConversationTurn(
    [property: Id(0)] string Question,
    [property: Id(1)] string Answer,
    [property: Id(2)] string? Instructions = null);
