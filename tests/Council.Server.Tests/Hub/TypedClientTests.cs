using System.Text.Json;
using System.Text.Json.Nodes;
using Council.Contracts;
using Council.Contracts.Hub;
using Council.Contracts.Messages;
using Council.Server.Tests.Providers;
using Council.Server.Tests.Telemetry;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Council.Server.Tests.Hub;

/// <summary>
/// The official .NET client, with nothing but its default protocol setup (<c>AddMessagePackProtocol()</c> or the
/// default JSON), binding the contract's own records: every field of every event arrives with its value.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class TypedClientTests
{
    private const string Fast = "sim/fast?ttft=20&tps=400&tokens=30";
    private const string Failing = "sim/broken?ttft=20&tps=400&tokens=30&fail=midstream";
    private const string Slow = "sim/slow?ttft=20&tps=5&tokens=400";
    private const string Chair = "sim/chair?ttft=20&tps=400&tokens=20";

    private static readonly JsonSerializerOptions Contract = new(CouncilJsonContext.Default.Options);

    /// <summary>A model of an OpenAI-compatible provider that replays OpenRouter's stream: reasoning, then the answer.</summary>
    private const string Reasoner = "recorded/anthropic/claude-sonnet-4";

    private CouncilApp _app = null!;
    private RecordedStreamServer _provider = null!;

    [OneTimeSetUp]
    public async Task StartServer()
    {
        _provider = await RecordedStreamServer.StartAsync(CancellationToken.None);
        _app = new CouncilApp(new Dictionary<string, string?>
        {
            ["Council:Search:SimulatedDelayMs"] = "5",
            ["Council:Providers:recorded:BaseUrl"] = _provider.BaseUrl("replay.openrouter", "typed-client"),
            ["Council:Providers:recorded:ApiKey"] = "sk-test",
        }).Start();
    }

    [OneTimeTearDown]
    public async Task StopServer()
    {
        await _app.DisposeAsync();
        await _provider.DisposeAsync();
    }

    [TestCase("json")]
    [TestCase("messagepack")]
    public async Task ReasoningReachesTheClient_ApartFromTheAnswer(string protocol)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var client = await TypedClient.ConnectAsync(_app.BaseAddress, protocol, timeout.Token);

        var started = await client.Connection.InvokeAsync<StartRunResult>(HubMethodNames.StartRun,
            new StartRunRequest("What is the capital of France?", Models: [Reasoner, Fast], Chairman: Chair), timeout.Token);
        await client.WaitForAsync<RunCompleteEvent>(e => e.RunId == started.RunId, timeout.Token);

        var tokens = client.Events(started.RunId).OfType<TokenEvent>().Where(t => t.Stage == 0 && t.Model == Reasoner).ToList();
        string.Concat(tokens.Select(t => t.Reasoning)).ShouldBe("The user asks for a capital. It is Paris.");
        string.Concat(tokens.Select(t => t.Delta)).ShouldBe("The capital of France is **Paris**.");
        client.Events(started.RunId).OfType<ModelCompleteEvent>().Single(c => c.Stage == 0 && c.Model == Reasoner)
            .Text.ShouldBe("The capital of France is **Paris**.");
    }

    [TestCase("json")]
    [TestCase("messagepack")]
    public async Task EveryEventBindsToTheContractRecords(string protocol)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var client = await TypedClient.ConnectAsync(_app.BaseAddress, protocol, timeout.Token);

        var models = (await client.Connection.InvokeAsync<IReadOnlyList<ModelInfo>>(HubMethodNames.ListModels, timeout.Token));
        models.ShouldContain(m => m.Provider == "simulated" && m.Id.StartsWith("sim/", StringComparison.Ordinal));
        var started = await client.Connection.InvokeAsync<StartRunResult>(HubMethodNames.StartRun,
            new StartRunRequest("Why is the sky blue? ünïcödé 🎉", Models: [Fast, Failing, Slow], Chairman: Chair, Search: true), timeout.Token);
        started.RunId.ShouldNotBeNullOrEmpty();
        started.Stages.Select(s => s.Kind).ShouldBe(["answers", "review", "synthesis"]);
        started.Stages[0].Models.ShouldBe([Fast, Failing, Slow]);

        await client.WaitForAsync<ModelStartEvent>(e => e.RunId == started.RunId && e.Model == Slow, timeout.Token);
        var cancel = await client.Connection.InvokeAsync<AcceptedResult>(HubMethodNames.CancelModel,
            new CancelModelRequest(started.RunId, Slow, Stage: 0), timeout.Token);
        cancel.Accepted.ShouldBeTrue();
        var end = await client.WaitForAsync<RunCompleteEvent>(e => e.RunId == started.RunId, timeout.Token);

        var events = client.Events(started.RunId);
        events.Select(e => e.Seq).ShouldBe(Enumerable.Range(1, events.Count).Select(i => (long)i));
        events.ShouldAllBe(e => e.RunId == started.RunId);
        events.OfType<StageProgressEvent>().Select(e => e.Status).ShouldContain(StageStatus.Started);
        events.OfType<StageProgressEvent>().Select(e => e.Status).ShouldContain(StageStatus.Completed);
        events.OfType<SearchResultsEvent>().Single().Results.ShouldNotBeEmpty();
        var answers = events.OfType<ModelCompleteEvent>().Where(e => e.Stage == 0).ToDictionary(e => e.Model);
        answers[Fast].Status.ShouldBe(ModelStatus.Ok);
        answers[Fast].Text.ShouldBe(string.Concat(events.OfType<TokenEvent>().Where(t => t.Stage == 0 && t.Model == Fast).Select(t => t.Delta)));
        answers[Fast].Usage!.Cost!.Value.ShouldBeGreaterThan(0m);
        answers[Fast].TtftMs.ShouldNotBeNull();
        answers[Failing].Status.ShouldBe(ModelStatus.Failed);
        answers[Failing].Error.ShouldNotBeNullOrEmpty();
        answers[Slow].Status.ShouldBe(ModelStatus.Cancelled);
        answers[Slow].Usage!.Partial.ShouldBe(true);
        end.Status.ShouldBe(RunStatus.Ok);
        end.Final.ShouldNotBeNullOrEmpty();
        end.Metrics.Cost!.Value.ShouldBeGreaterThan(0m);
        end.Metrics.Calls.Select(c => c.Status).ShouldBe([ModelStatus.Ok, ModelStatus.Failed, ModelStatus.Cancelled, ModelStatus.Ok], ignoreOrder: true);
        end.Metrics.Calls.Where(c => c.Status == ModelStatus.Ok).ShouldAllBe(c => c.Cost > 0m);

        var resumed = await client.Connection.InvokeAsync<ResumeRunResult>(HubMethodNames.ResumeRun,
            new ResumeRunRequest(started.RunId, events.Count), timeout.Token);
        resumed.ShouldBe(new ResumeRunResult(started.RunId, events.Count, RunStatus.Ok));
    }

    [Test]
    public async Task JsonAndMessagePackCarryTheSameValues()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var json = await TypedClient.ConnectAsync(_app.BaseAddress, "json", timeout.Token);
        await using var msgpack = await TypedClient.ConnectAsync(_app.BaseAddress, "messagepack", timeout.Token);

        var started = await json.Connection.InvokeAsync<StartRunResult>(HubMethodNames.StartRun,
            new StartRunRequest("Same values?", Models: [Fast, Failing], Chairman: Chair), timeout.Token);
        await json.WaitForAsync<RunCompleteEvent>(e => e.RunId == started.RunId, timeout.Token);
        var last = json.Events(started.RunId).Count;
        (await msgpack.Connection.InvokeAsync<ResumeRunResult>(HubMethodNames.ResumeRun, new ResumeRunRequest(started.RunId, 0), timeout.Token))
            .LastSeq.ShouldBe(last);
        await msgpack.WaitForAsync<RunCompleteEvent>(e => e.RunId == started.RunId, timeout.Token);

        var viaJson = json.Events(started.RunId);
        var viaMsgpack = msgpack.Events(started.RunId);
        viaMsgpack.Count.ShouldBe(viaJson.Count);
        for (var i = 0; i < viaJson.Count; i++)
        {
            var a = JsonSerializer.SerializeToNode(viaJson[i], viaJson[i].GetType(), Contract);
            var b = JsonSerializer.SerializeToNode(viaMsgpack[i], viaMsgpack[i].GetType(), Contract);
            JsonNode.DeepEquals(a, b).ShouldBeTrue($"seq {i + 1}: {a?.ToJsonString()} vs {b?.ToJsonString()}");
        }
    }

    /// <summary>An official client connection recording every event as its contract record, by run.</summary>
    private sealed class TypedClient : IAsyncDisposable
    {
        private readonly List<RunEvent> _events = [];
        private readonly List<(Func<RunEvent, bool> Match, TaskCompletionSource<RunEvent> Done)> _waiters = [];
        private readonly Lock _gate = new();

        private TypedClient(HubConnection connection) => Connection = connection;

        public HubConnection Connection { get; }

        public static async Task<TypedClient> ConnectAsync(Uri server, string protocol, CancellationToken cancellationToken)
        {
            var builder = new HubConnectionBuilder().WithUrl(new Uri(server, HubMethodNames.HubPath), o =>
            {
                o.Transports = HttpTransportType.WebSockets;
                o.SkipNegotiation = true;
            });
            if (protocol == "messagepack")
            {
                builder.AddMessagePackProtocol();
            }
            var client = new TypedClient(builder.Build());
            client.On<StageProgressEvent>(HubMethodNames.StageProgress);
            client.On<ModelStartEvent>(HubMethodNames.ModelStart);
            client.On<TokenEvent>(HubMethodNames.Token);
            client.On<ModelCompleteEvent>(HubMethodNames.ModelComplete);
            client.On<SearchResultsEvent>(HubMethodNames.SearchResults);
            client.On<RunCompleteEvent>(HubMethodNames.RunComplete);
            await client.Connection.StartAsync(cancellationToken);
            return client;
        }

        public List<RunEvent> Events(string runId)
        {
            lock (_gate)
            {
                return _events.Where(e => e.RunId == runId).ToList();
            }
        }

        public async Task<T> WaitForAsync<T>(Func<T, bool> match, CancellationToken cancellationToken) where T : RunEvent
        {
            var done = new TaskCompletionSource<RunEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
            bool Matches(RunEvent e) => e is T t && match(t);
            lock (_gate)
            {
                if (_events.FirstOrDefault(Matches) is { } seen)
                {
                    return (T)seen;
                }
                _waiters.Add((Matches, done));
            }
            return (T)await done.Task.WaitAsync(cancellationToken);
        }

        private void On<T>(string method) where T : RunEvent => Connection.On<T>(method, e =>
        {
            lock (_gate)
            {
                _events.Add(e);
                foreach (var waiter in _waiters.Where(w => w.Match(e)).ToList())
                {
                    _waiters.Remove(waiter);
                    waiter.Done.TrySetResult(e);
                }
            }
        });

        public async ValueTask DisposeAsync() => await Connection.DisposeAsync();
    }
}
