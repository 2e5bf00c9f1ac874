using System.Globalization;
using System.Text;
using Council.Contracts.Messages;
using Council.Server.Workflows;

namespace Council.Server.ChatCompletions;

/// <summary>
/// Turns a run's events into what a reasoning model streams. Everything before the final answer is reasoning text a
/// person can read: stage headings, one member's answer at a time (the first to speak streams live; the others are
/// held and follow in turn, each under its model id), failures and skips, search results, the peer ranking. The
/// tokens of the stage that writes the final answer (the synthesis; in a workflow without one, its last role) are
/// the content. Reasoning always comes before content: when the content starts, whatever is still going is shown as
/// far as it got, and left out from then on.
/// </summary>
public sealed class CouncilNarrator
{
    private readonly RunPlan _plan;
    private readonly StageDefinition? _contentStage;
    private readonly Dictionary<int, Stage> _stages = [];
    private readonly Dictionary<(int Stage, string Model), Lane> _lanes = [];
    private readonly List<object> _queue = []; // notices (string) and lanes, told in this order
    private readonly List<NarrationPiece> _pieces = [];
    private int _next;
    private bool _contentStarted;
    private string? _failedChairman;

    public CouncilNarrator(RunPlan plan)
    {
        _plan = plan;
        _contentStage = plan.Workflow.Stages.LastOrDefault(s => s.Kind == StageKind.Synthesis)
            ?? plan.Workflow.Stages.LastOrDefault(s => s.Kind == StageKind.Role && !s.OnlyInLoop);
    }

    /// <summary>True once a content piece went out.</summary>
    public bool ContentStarted => _contentStarted;

    /// <summary>The first reasoning: which run, which workflow, who sits on it. Sent before any event.</summary>
    public IReadOnlyList<NarrationPiece> Begin()
    {
        _pieces.Clear();
        var text = new StringBuilder()
            .Append("Council run ").Append(_plan.RunId).Append(" · workflow ").Append(_plan.Workflow.Name)
            .Append(" · members: ").AppendJoin(", ", _plan.Models);
        if (_plan.Workflow.Stages.Any(s => s.Kind == StageKind.Synthesis))
        {
            text.Append(" · chairman: ").Append(_plan.Chairmen[0]);
        }
        Reason(text.Append('\n').ToString());
        return _pieces;
    }

    /// <summary>What one event adds; the list is reused by the next call.</summary>
    public IReadOnlyList<NarrationPiece> Apply(RunEvent runEvent)
    {
        _pieces.Clear();
        switch (runEvent)
        {
            case StageProgressEvent p:
                OnProgress(p);
                break;
            case ModelStartEvent s when IsContent(s.Stage):
                OnContentModelStart(s.Model);
                break;
            case TokenEvent t when IsContent(t.Stage):
                StartContent();
                Content(t.Delta);
                break;
            case TokenEvent t:
                OnToken(t);
                break;
            case ModelCompleteEvent c when IsContent(c.Stage):
                if (c.Status != ModelStatus.Ok)
                {
                    _failedChairman = $"{c.Model} {Word(c.Status)}: {c.Error}";
                }
                break;
            case ModelCompleteEvent c:
                OnModelComplete(c);
                break;
            case SearchResultsEvent r:
                Notice(Sources(r));
                break;
            case RunCompleteEvent end:
                Tell();
                if (end.Status == RunStatus.Ok && !_contentStarted && !string.IsNullOrEmpty(end.Final))
                {
                    StartContent();
                    Content(end.Final);
                }
                break;
        }
        return _pieces;
    }

    private bool IsContent(int stage) => _stages.TryGetValue(stage, out var s) && s.IsContent;

    private void OnProgress(StageProgressEvent p)
    {
        switch (p.Status)
        {
            case StageStatus.Started:
                var definition = _plan.Workflow.Stages.FirstOrDefault(s => p.Name == s.Name || p.Name.StartsWith(s.Name + " (round ", StringComparison.Ordinal));
                var stage = new Stage(definition, definition is not null && definition == _contentStage);
                _stages[p.Stage] = stage;
                if (stage.IsContent)
                {
                    Notice($"\n## {p.Name}: {string.Join(", ", p.PendingModels)} writes the final answer\n");
                }
                else
                {
                    Notice($"\n## {p.Name}\n");
                }
                break;
            case StageStatus.Skipped:
                Notice($"\n## {p.Name}: skipped\n");
                break;
            case StageStatus.Completed when _stages.TryGetValue(p.Stage, out var done) && done.Rankings.Count > 0:
                var ranking = AggregateRanker.Aggregate(done.Rankings);
                Notice("\nPeer ranking, best first: " + string.Join(", ", ranking.Select((r, i) =>
                    $"{i + 1}. {r.Model} ({r.AverageRank.ToString("0.##", CultureInfo.InvariantCulture)})")) + "\n");
                break;
        }
    }

    private void OnContentModelStart(string model)
    {
        if (_failedChairman is not { } failed)
        {
            return;
        }
        _failedChairman = null;
        if (_contentStarted)
        {
            Content($"\n\n---\n\n_{failed}. {model} takes over._\n\n");
        }
        else
        {
            Notice($"\n{failed}. {model} takes over.\n");
        }
    }

    private void OnToken(TokenEvent t)
    {
        if (_contentStarted)
        {
            return;
        }
        var lane = LaneOf(t.Stage, t.Model);
        if (lane.Done is not null)
        {
            return; // told already
        }
        if (lane.Live)
        {
            Reason(t.Delta);
        }
        else
        {
            lane.Held.Append(t.Delta);
        }
        Tell();
    }

    private void OnModelComplete(ModelCompleteEvent c)
    {
        if (_contentStarted)
        {
            return;
        }
        if (c.Ranking is { Count: > 0 } && _stages.TryGetValue(c.Stage, out var stage))
        {
            stage.Rankings.Add(c.Ranking);
        }
        var lane = LaneOf(c.Stage, c.Model);
        lane.Done = c;
        Tell();
    }

    private Lane LaneOf(int stage, string model)
    {
        if (!_lanes.TryGetValue((stage, model), out var lane))
        {
            _lanes[(stage, model)] = lane = new Lane(model);
            _queue.Add(lane);
        }
        return lane;
    }

    private void Notice(string text)
    {
        if (_contentStarted)
        {
            return;
        }
        _queue.Add(text);
        Tell();
    }

    /// <summary>Tells the queue in order, as far as it can: a lane still going holds everything after it.</summary>
    private void Tell(bool evenUnfinished = false)
    {
        while (_next < _queue.Count)
        {
            if (_queue[_next] is string notice)
            {
                Reason(notice);
                _next++;
                continue;
            }
            var lane = (Lane)_queue[_next];
            if (!lane.Live)
            {
                lane.Live = true;
                Reason($"\n**{lane.Model}**\n\n");
                if (lane.Held.Length > 0)
                {
                    Reason(lane.Held.ToString());
                    lane.Held.Clear();
                }
            }
            if (lane.Done is { } done)
            {
                Reason(Footer(done));
            }
            else if (evenUnfinished)
            {
                Reason($"\n\n_{lane.Model} is still going; what follows is left out._\n");
            }
            else
            {
                return;
            }
            _next++;
        }
    }

    private void StartContent()
    {
        if (_contentStarted)
        {
            return;
        }
        Tell(evenUnfinished: true);
        _contentStarted = true;
    }

    private static string Footer(ModelCompleteEvent done)
    {
        var footer = done.Status switch
        {
            ModelStatus.Ok when done.Error is { } note => $"\n\n_{note}_\n",
            ModelStatus.Ok => "\n",
            _ => $"\n\n_{done.Model} {Word(done.Status)}: {done.Error}_\n",
        };
        return done.Reviewed == false ? footer + "_(came in after the quorum: not reviewed)_\n" : footer;
    }

    private static string Word(ModelStatus status) => status == ModelStatus.Cancelled ? "was skipped" : "failed";

    private static string Sources(SearchResultsEvent r)
    {
        if (r.Error is { } error)
        {
            return $"\n## web search failed: {error}\n";
        }
        var text = new StringBuilder("\n## web search\n");
        for (var i = 0; i < r.Results.Count; i++)
        {
            text.Append('[').Append(i + 1).Append("] ").Append(r.Results[i].Title).Append(" — ").Append(r.Results[i].Url).Append('\n');
        }
        return text.ToString();
    }

    private void Reason(string text) => Add(false, text);

    private void Content(string text) => Add(true, text);

    private void Add(bool content, string text)
    {
        if (text.Length == 0)
        {
            return;
        }
        // Pieces of one kind in a row are one piece: one chunk on the wire.
        if (_pieces.Count > 0 && _pieces[^1].IsContent == content)
        {
            _pieces[^1] = _pieces[^1] with { Text = _pieces[^1].Text + text };
        }
        else
        {
            _pieces.Add(new NarrationPiece(content, text));
        }
    }

    private sealed record Stage(StageDefinition? Definition, bool IsContent)
    {
        public List<IReadOnlyList<string>> Rankings { get; } = [];
    }

    private sealed class Lane(string model)
    {
        public string Model { get; } = model;
        public StringBuilder Held { get; } = new();
        public bool Live { get; set; }
        public ModelCompleteEvent? Done { get; set; }
    }
}

/// <summary>A piece of a narrated run: reasoning text, or content (the final answer).</summary>
public sealed record NarrationPiece(bool IsContent, string Text);
