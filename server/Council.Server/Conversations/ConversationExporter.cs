using System.Globalization;
using System.Text;
using Council.Contracts.Api;
using Council.Contracts.Messages;
using Council.Server.Storage;

namespace Council.Server.Conversations;

/// <summary>
/// A conversation as a file: JSON is <c>GET /api/conversations/{id}</c>'s detail (every run, every output, rankings
/// and metrics); Markdown is the same for a person to read, stage by stage, with the user's pick marked.
/// </summary>
public sealed class ConversationExporter(CouncilDatabase database, ConversationStore conversations)
{
    public Task<ConversationDetail?> DetailAsync(string conversationId, string owner, CancellationToken cancellationToken) =>
        conversations.GetAsync(conversationId, owner, cancellationToken);

    public async Task<string?> MarkdownAsync(string conversationId, string owner, CancellationToken cancellationToken)
    {
        if (await conversations.GetAsync(conversationId, owner, cancellationToken) is not { } detail)
        {
            return null;
        }
        var md = new StringBuilder();
        md.Append("# ").AppendLine(detail.Title).AppendLine();
        md.Append(CultureInfo.InvariantCulture, $"Exported from Council · {detail.Runs.Count} run{(detail.Runs.Count == 1 ? "" : "s")} · started {detail.CreatedAt:yyyy-MM-dd HH:mm} UTC").AppendLine().AppendLine();
        var number = 0;
        foreach (var run in detail.Runs)
        {
            AppendRun(md, ++number, run, StageNames(run.RunId));
        }
        return md.ToString();
    }

    private static void AppendRun(StringBuilder md, int number, StoredRun run, IReadOnlyDictionary<int, string> stages)
    {
        md.Append(CultureInfo.InvariantCulture, $"## {number}. {FirstLine(run.Prompt)}").AppendLine().AppendLine();
        foreach (var line in run.Prompt.Trim().Split('\n'))
        {
            md.Append("> ").AppendLine(line.TrimEnd());
        }
        md.AppendLine();
        var figures = new List<string> { $"workflow {run.Workflow}", $"status {Wire(run.Status)}", $"{run.CreatedAt:yyyy-MM-dd HH:mm} UTC" };
        if (run.Metrics is { } metrics)
        {
            figures.Add(Seconds(metrics.DurationMs));
            figures.Add($"{metrics.PromptTokens + metrics.CompletionTokens} tokens");
            if (metrics.Cost is { } cost)
            {
                figures.Add(Dollars(cost));
            }
        }
        md.AppendLine(string.Join(" · ", figures)).AppendLine();
        if (run.Error is { } error)
        {
            md.Append("**Error:** ").AppendLine(error).AppendLine();
        }

        foreach (var stage in run.Outputs.GroupBy(o => o.Stage).OrderBy(g => g.Key))
        {
            md.Append("### ").AppendLine(stages.GetValueOrDefault(stage.Key) ?? $"stage {stage.Key + 1}").AppendLine();
            foreach (var output in stage)
            {
                var about = new List<string> { Wire(output.Status) };
                if (output.TtftMs is { } ttft)
                {
                    about.Add($"first token {ttft} ms");
                }
                about.Add(Seconds(output.DurationMs));
                if (output.Usage is { } usage)
                {
                    about.Add($"{usage.CompletionTokens} tokens");
                }
                var pick = stage.Key == 0 && output.Model == run.BestAnswer ? " · ★ best answer (your pick)" : "";
                md.Append(CultureInfo.InvariantCulture, $"#### {output.Model} ({string.Join(" · ", about)}){pick}").AppendLine().AppendLine();
                if (output.Error is { } outputError)
                {
                    md.Append("**Error:** ").AppendLine(outputError).AppendLine();
                }
                if (output.Text.Length > 0)
                {
                    md.AppendLine(output.Text.TrimEnd()).AppendLine();
                }
                if (output.Ranking is { Count: > 0 } ranking)
                {
                    md.Append("Ranking: ").AppendLine(string.Join(", ", ranking.Select((m, i) => $"{i + 1}. {m}"))).AppendLine();
                }
            }
        }

        if (run.AggregateRankings is { Count: > 0 } rankings)
        {
            md.AppendLine("### Aggregate ranking").AppendLine();
            md.AppendLine("| # | model | average rank | votes |").AppendLine("|---|---|---|---|");
            var place = 0;
            foreach (var r in rankings)
            {
                md.Append(CultureInfo.InvariantCulture, $"| {++place} | {r.Model} | {r.AverageRank:0.##} | {r.Votes} |").AppendLine();
            }
            md.AppendLine();
        }
        if (run.Final is { } final)
        {
            md.AppendLine("### Final answer").AppendLine().AppendLine(final.TrimEnd()).AppendLine();
        }
        if (run.Metrics is { Calls.Count: > 0 } m)
        {
            md.AppendLine("### Metrics").AppendLine();
            md.AppendLine("| stage | model | status | first token | time | in | out | cost |").AppendLine("|---|---|---|---|---|---|---|---|");
            foreach (var c in m.Calls)
            {
                md.Append(CultureInfo.InvariantCulture,
                    $"| {stages.GetValueOrDefault(c.Stage) ?? (c.Stage + 1).ToString(CultureInfo.InvariantCulture)} | {c.Model} | {Wire(c.Status)} | {(c.TtftMs is { } t ? $"{t} ms" : "")} | {Seconds(c.DurationMs)} | {c.PromptTokens} | {c.CompletionTokens} | {(c.Cost is { } cost ? Dollars(cost) : "")} |").AppendLine();
            }
            md.AppendLine();
        }
    }

    /// <summary>Stage names as each stage's <c>stage_progress</c> "started" announced them.</summary>
    private Dictionary<int, string> StageNames(string runId)
    {
        using var connection = database.Connect();
        var sql = StorageDialect.Of(connection);
        using var command = RunStore.Command(connection, null, $"""
            SELECT {sql.JsonInt("payload", "stage")}, {sql.JsonText("payload", "name")} FROM run_events
            WHERE run_id = $run AND type = 'stage_progress' AND {sql.JsonText("payload", "status")} = 'started'
            """);
        command.Set("$run", runId);
        using var reader = command.ExecuteReader();
        var names = new Dictionary<int, string>();
        while (reader.Read())
        {
            names[reader.GetInt32(0)] = reader.GetString(1);
        }
        return names;
    }

    private static string FirstLine(string prompt)
    {
        var line = prompt.Trim().Split('\n', 2)[0].Trim();
        return line.Length <= 80 ? line : line[..79] + "…";
    }

    private static string Wire<T>(T value) where T : struct, Enum => StoredEvents.Wire(value);

    private static string Seconds(long ms) => string.Create(CultureInfo.InvariantCulture, $"{ms / 1000.0:0.0} s");

    private static string Dollars(decimal cost) => string.Create(CultureInfo.InvariantCulture, $"${cost:0.######}");
}
