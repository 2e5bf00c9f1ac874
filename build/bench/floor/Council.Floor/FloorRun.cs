using System.Diagnostics;
using System.Text;
using Council.Contracts.Hub;
using Council.Contracts.Messages;
using Council.Server.Providers.Simulated;
using Microsoft.AspNetCore.SignalR;

namespace Council.Floor;

/// <summary>
/// One council played straight to the connection that started it: answers (every model in parallel), reviews
/// (every model again, on a prompt with labelled answers so the text ends in a ranking), synthesis (the chairman).
/// The same events as Council's in the same order, each token sent as the model emits it (Council's batching window
/// 0, what the driver sets); seq is taken and the message written under one lock per run, so seq order is send
/// order. No log, no storage, no copy of the events: the floor of what such a server costs.
/// </summary>
public sealed class FloorRun
{
    private readonly string _runId;
    private readonly IClientProxy _client;
    private readonly StartRunRequest _request;
    private readonly FloorCounters _counters;
    private readonly IReadOnlyList<SimulatedModelSpec> _models;
    private readonly SimulatedModelSpec _chairman;
    private readonly Lock _lock = new();
    private readonly long _startedAt = Stopwatch.GetTimestamp();
    private readonly List<ModelCallMetrics> _calls = [];
    private long _seq;

    public FloorRun(string runId, IClientProxy client, StartRunRequest request, FloorCounters counters)
    {
        _runId = runId;
        _client = client;
        _request = request;
        _counters = counters;
        _models = (request.Models ?? ["sim/floor-a", "sim/floor-b", "sim/floor-c", "sim/floor-d"]).Select(Parse).ToArray();
        _chairman = Parse(request.Chairman ?? "sim/floor-chair");
        Result = new StartRunResult(runId, Guid.NewGuid().ToString("N"), "council",
        [
            new StageInfo(0, "answers", "answers", _models.Select(m => m.Id).ToArray()),
            new StageInfo(1, "reviews", "review", _models.Select(m => m.Id).ToArray()),
            new StageInfo(2, "synthesis", "synthesis", [_chairman.Id]),
        ]);
    }

    public StartRunResult Result { get; }

    public void Start(CancellationToken connectionAborted) => _ = RunAsync(connectionAborted);

    private static SimulatedModelSpec Parse(string id) =>
        SimulatedModelSpec.TryParse(id, out var spec, out var error) ? spec : throw new HubException(error);

    private async Task RunAsync(CancellationToken aborted)
    {
        _counters.RunStarted();
        try
        {
            var answers = await StageAsync(0, "answers", _models, _request.Prompt, aborted);
            var review = new StringBuilder(_request.Prompt).Append("\n\n");
            for (var i = 0; i < answers.Length; i++)
            {
                review.Append("Response ").Append((char)('A' + i)).Append(":\n").Append(answers[i]).Append("\n\n");
            }
            review.Append("Evaluate each response, then end with FINAL RANKING:");
            var reviews = await StageAsync(1, "reviews", _models, review.ToString(), aborted);
            var synthesis = $"{_request.Prompt}\n\n{string.Join("\n\n", answers)}\n\n{string.Join("\n\n", reviews)}";
            var final = (await StageAsync(2, "synthesis", [_chairman], synthesis, aborted))[0];
            var metrics = new RunMetrics(Ms(_startedAt), _calls.Sum(c => c.PromptTokens), _calls.Sum(c => c.CompletionTokens),
                _calls.Sum(c => c.Cost), _calls);
            await Send(HubMethodNames.RunComplete, seq => new RunCompleteEvent(_runId, seq, RunStatus.Ok, final, null, null, metrics));
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The connection went away: nobody to play to.
        }
        finally
        {
            _counters.RunEnded();
        }
    }

    private async Task<string[]> StageAsync(int stage, string name, IReadOnlyList<SimulatedModelSpec> models, string prompt, CancellationToken aborted)
    {
        var startedAt = Stopwatch.GetTimestamp();
        var ids = models.Select(m => m.Id).ToArray();
        var completed = new List<string>();
        await Send(HubMethodNames.StageProgress, seq => new StageProgressEvent(_runId, seq, stage, name, StageStatus.Started, 0, ids.Length, 0, [], ids));
        var calls = new Task<string>[models.Count];
        for (var i = 0; i < models.Count; i++)
        {
            var model = models[i];
            await Send(HubMethodNames.ModelStart, seq => new ModelStartEvent(_runId, seq, stage, model.Id));
            calls[i] = CallAsync(stage, model, prompt, done => Send(HubMethodNames.StageProgress, seq =>
            {
                completed.Add(done);
                var status = completed.Count == ids.Length ? StageStatus.Completed : StageStatus.Running;
                return new StageProgressEvent(_runId, seq, stage, name, status, completed.Count, ids.Length, Ms(startedAt),
                    completed.ToArray(), ids.Except(completed).ToArray());
            }), aborted);
        }
        return await Task.WhenAll(calls);
    }

    private async Task<string> CallAsync(int stage, SimulatedModelSpec spec, string prompt, Func<string, Task> finished, CancellationToken aborted)
    {
        await Task.Yield(); // The calls of a stage run side by side, as Council's grain starts them.
        var tokens = SimulatedText.Tokens(spec, prompt);
        var start = Stopwatch.GetTimestamp();
        using var pacer = SimulatedPacer.Shared.CreateWaiter(aborted);
        var interval = 1000.0 / spec.TokensPerSecond;
        for (var i = 0; i < tokens.Count; i++)
        {
            var due = start + (long)((spec.TtftMs + i * interval) * Stopwatch.Frequency / 1000);
            await pacer.WaitUntilAsync(due);
            var emittedAt = Math.Min(due, Stopwatch.GetTimestamp());
            Task send;
            lock (_lock)
            {
                send = _client.SendAsync(HubMethodNames.Token, new FloorToken(_runId, ++_seq, stage, spec.Id, tokens[i]) { EmittedAt = emittedAt },
                    CancellationToken.None);
            }
            await send;
        }
        var text = string.Concat(tokens);
        var promptTokens = prompt.Length / 4 + 1;
        var cost = (promptTokens * 0.5m + tokens.Count * 1.5m) / 1_000_000m;
        var duration = Ms(start);
        var ttft = (long)spec.TtftMs;
        await Send(HubMethodNames.ModelComplete, seq =>
        {
            _calls.Add(new ModelCallMetrics(stage, spec.Id, ModelStatus.Ok, ttft, duration, promptTokens, tokens.Count, cost));
            return new ModelCompleteEvent(_runId, seq, stage, spec.Id, ModelStatus.Ok, text, null, ttft, duration,
                new Usage(promptTokens, tokens.Count, cost));
        });
        await finished(spec.Id);
        return text;
    }

    /// <summary>Takes the next seq and writes the event under the run's lock: seq order is the order on the wire.</summary>
    private Task Send(string method, Func<long, object> create)
    {
        lock (_lock)
        {
            return _client.SendAsync(method, create(++_seq), CancellationToken.None);
        }
    }

    private static long Ms(long since) => (long)Stopwatch.GetElapsedTime(since).TotalMilliseconds;
}
