using Council.Server.Conversations;
using Council.Server.Grains;
using Council.Server.Providers;
using Council.Server.Search;
using Council.Server.Storage;
using Council.Server.Tests.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Council.Server.Tests.Grains;

/// <summary>
/// A real Orleans silo with Council's run grains, registered the way the server registers them, over one real
/// SQLite database. <paramref name="time"/> drives the grains' timers and the simulated models (a
/// <c>FakeTimeProvider</c> makes timeouts testable without waiting); Orleans' own maintenance keeps real time.
/// </summary>
internal sealed class TestSilo(IHost host) : IAsyncDisposable
{
    public IGrainFactory Grains => host.Services.GetRequiredService<IGrainFactory>();

    public LocalRunLogs Logs => host.Services.GetRequiredService<LocalRunLogs>();

    public IServiceProvider Services => host.Services;

    public static Task<TestSilo> StartAsync(TestStorage storage, CouncilOptions options, TimeProvider? time = null,
        ModelRouter? router = null, IReadOnlyList<IRunObserver>? observers = null, ISearchProvider? search = null) =>
        StartAsync(storage.Store, storage.Conversations, options, time, router, observers, search);

    public static async Task<TestSilo> StartAsync(RunStore store, ConversationStore conversations, CouncilOptions options,
        TimeProvider? time = null, ModelRouter? router = null, IReadOnlyList<IRunObserver>? observers = null, ISearchProvider? search = null)
    {
        time ??= TimeProvider.System;
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var services = builder.Services;
        services.AddSingleton(Options.Create(options));
        services.AddSingleton(time);
        foreach (var key in new[] { TimeProviderNames.Messaging, TimeProviderNames.SystemTimers, TimeProviderNames.Membership,
                     TimeProviderNames.ActivationManagement, TimeProviderNames.GrainDirectory })
        {
            services.AddKeyedSingleton(key, TimeProvider.System);
        }
        services.AddSingleton(router ?? new ModelRouter([new Council.Server.Providers.Simulated.SimulatedProvider(Options.Create(options), time)]));
        services.AddSingleton(store);
        services.AddSingleton(conversations);
        foreach (var observer in observers ?? [])
        {
            services.AddSingleton(observer);
        }
        if (search is not null)
        {
            services.AddSingleton(search);
        }
        builder.AddCouncilGrains();
        var host = builder.Build();
        await host.StartAsync();
        return new TestSilo(host);
    }

    public async ValueTask DisposeAsync()
    {
        await host.StopAsync();
        host.Dispose();
    }
}
