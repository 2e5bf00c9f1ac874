using Council.Contracts.Messages;
using Council.Server.Grains;
using Council.Server.Providers;
using Council.Server.Providers.Simulated;
using Council.Server.Tests.Storage;
using Council.Server.Workflows;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Council.Server.Tests.Grains;

/// <summary>Starts real run grains on simulated models.</summary>
internal static class GrainHarness
{
    public const string Fast = "sim/fast?ttft=20&tps=400&tokens=30";
    public const string Quick = "sim/quick?ttft=30&tps=300&tokens=30";
    public const string Chair = "sim/chair?ttft=20&tps=400&tokens=25";

    private static readonly Lazy<Task<TestStorage>> Storage = new(() => TestStorage.StartAsync());

    /// <summary>One real database for all grain tests of this process.</summary>
    public static TestStorage Stored => Storage.Value.GetAwaiter().GetResult();

    public static RunGrain Start(IReadOnlyList<string> models, string chairman = Chair, IReadOnlyList<string>? fallbacks = null,
        CouncilOptions? options = null, string prompt = "Why is the sky blue?", IRunObserver[]? observers = null,
        WorkflowDefinition? workflow = null, Council.Server.Search.ISearchProvider? search = null, bool searchRun = false,
        ModelRouter? router = null)
    {
        options ??= new CouncilOptions();
        router ??= Router(options);
        var plan = new RunPlan(Guid.NewGuid().ToString("N"), Guid.NewGuid().ToString("N"), prompt, workflow ?? WorkflowCatalog.Council,
            models, [chairman, .. fallbacks ?? []], [], searchRun);
        Stored.Store.RunStarted(plan);
        var grain = new RunGrain(plan, router, Stored.Store, options, TimeProvider.System, NullLogger.Instance, observers, search);
        grain.Activate();
        return grain;
    }

    /// <summary>A router with the simulated provider only.</summary>
    public static ModelRouter Router(CouncilOptions options) =>
        new([new SimulatedProvider(Options.Create(options), TimeProvider.System)]);

    public static async Task<IReadOnlyList<RunEvent>> Finish(RunGrain grain)
    {
        await grain.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        return grain.Log.Snapshot();
    }

    /// <summary>Waits until the log holds an event matching <paramref name="match"/>.</summary>
    public static async Task<T> WaitFor<T>(RunGrain grain, Func<T, bool> match) where T : RunEvent
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (grain.Log.Snapshot().OfType<T>().FirstOrDefault(match) is { } found)
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
