using Council.Contracts.Messages;
using Council.Server.Grains;
using Council.Server.Providers;
using Council.Server.Search;
using Council.Server.Tests.Storage;
using Council.Server.Workflows;

namespace Council.Server.Tests.Grains;

/// <summary>Starts runs on real Orleans run grains with simulated models.</summary>
internal static class GrainHarness
{
    public const string Fast = "sim/fast?ttft=20&tps=400&tokens=30";
    public const string Quick = "sim/quick?ttft=30&tps=300&tokens=30";
    public const string Chair = "sim/chair?ttft=20&tps=400&tokens=25";

    private static readonly Lazy<Task<TestStorage>> Storage = new(() => TestStorage.StartAsync());
    private static readonly Lazy<Task<TestSilo>> DefaultSilo = new(() => TestSilo.StartAsync(Stored, new CouncilOptions()));
    private static readonly List<TestSilo> OtherSilos = [];

    /// <summary>One real database for all grain tests of this process.</summary>
    public static TestStorage Stored => Storage.Value.GetAwaiter().GetResult();

    /// <summary>The silo of the default options, shared by the tests that need nothing else.</summary>
    public static TestSilo Silo => DefaultSilo.Value.GetAwaiter().GetResult();

    /// <summary>
    /// Starts a run; with options, observers, a router or a search of its own it gets a silo of its own (stopped at
    /// the end of the test run).
    /// </summary>
    public static TestRun Start(IReadOnlyList<string> models, string chairman = Chair, IReadOnlyList<string>? fallbacks = null,
        CouncilOptions? options = null, string prompt = "Why is the sky blue?", IRunObserver[]? observers = null,
        WorkflowDefinition? workflow = null, ISearchProvider? search = null, bool searchRun = false,
        ModelRouter? router = null, Quorum? quorum = null)
    {
        var silo = options is null && observers is null && search is null && router is null
            ? Silo
            : Own(TestSilo.StartAsync(Stored, options ?? new CouncilOptions(), router: router, observers: observers, search: search).GetAwaiter().GetResult());
        return StartOn(silo, Plan(models, chairman, fallbacks, prompt, workflow, searchRun, quorum));
    }

    public static RunPlan Plan(IReadOnlyList<string> models, string chairman = Chair, IReadOnlyList<string>? fallbacks = null,
        string prompt = "Why is the sky blue?", WorkflowDefinition? workflow = null, bool searchRun = false, Quorum? quorum = null) =>
        new(Guid.NewGuid().ToString("N"), Guid.NewGuid().ToString("N"), prompt, workflow ?? WorkflowCatalog.Council,
            models, [chairman, .. fallbacks ?? []], [], searchRun, quorum);

    public static TestRun StartOn(TestSilo silo, RunPlan plan)
    {
        var grain = silo.Grains.GetGrain<IRunGrain>(plan.RunId);
        var started = grain.Start(plan).GetAwaiter().GetResult();
        return new TestRun(grain, plan, silo.Logs.Collect(started.Handoff).ShouldNotBeNull());
    }

    /// <summary>Keeps a silo to stop when the tests end.</summary>
    public static TestSilo Own(TestSilo silo)
    {
        lock (OtherSilos)
        {
            OtherSilos.Add(silo);
        }
        return silo;
    }

    public static async Task StopAllAsync()
    {
        TestSilo[] silos;
        lock (OtherSilos)
        {
            silos = [.. OtherSilos];
            OtherSilos.Clear();
        }
        foreach (var silo in silos)
        {
            await silo.DisposeAsync();
        }
        if (DefaultSilo.IsValueCreated)
        {
            await (await DefaultSilo.Value).DisposeAsync();
        }
    }

    public static async Task<IReadOnlyList<RunEvent>> Finish(TestRun run)
    {
        await run.Completion().WaitAsync(TimeSpan.FromSeconds(30));
        return run.Log.Snapshot();
    }

    /// <summary>Waits until the log holds an event matching <paramref name="match"/>.</summary>
    public static async Task<T> WaitFor<T>(TestRun run, Func<T, bool> match) where T : RunEvent
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (run.Log.Snapshot().OfType<T>().FirstOrDefault(match) is { } found)
            {
                return found;
            }
            await Task.Delay(5);
        }
        throw new TimeoutException($"No {typeof(T).Name} matched.");
    }

    public static string TextOf(IEnumerable<RunEvent> events, int stage, string model) =>
        string.Concat(events.OfType<TokenEvent>().Where(t => t.Stage == stage && t.Model == model).Select(t => t.Delta));
}
