using System.Collections.Concurrent;
using Council.Server.Providers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Council.Server.Tests.Providers;

/// <summary>
/// A host with Council's real provider registration and the given configuration; logs are kept in
/// <see cref="Logs"/> at every level (HttpClient's own request logging included).
/// </summary>
internal sealed class ProviderTestHost : IAsyncDisposable
{
    private readonly IHost _host;

    private ProviderTestHost(IHost host, CollectingLoggerProvider logs)
    {
        _host = host;
        Logs = logs.Messages;
    }

    public ConcurrentQueue<string> Logs { get; }

    public IServiceProvider Services => _host.Services;

    public ModelRouter Router => Services.GetRequiredService<ModelRouter>();

    public CouncilOptions Council => Services.GetRequiredService<IOptions<CouncilOptions>>().Value;

    /// <summary>Builds and starts the host, so options are validated as at a real start.</summary>
    public static async Task<ProviderTestHost> StartAsync(IDictionary<string, string?> configuration, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(configuration);
        var logs = new CollectingLoggerProvider();
        builder.Logging.AddProvider(logs).SetMinimumLevel(LogLevel.Trace);
        builder.Services.AddOptions<CouncilOptions>().BindConfiguration(CouncilOptions.Section);
        builder.AddCouncilProviders();
        var host = builder.Build();
        try
        {
            await host.StartAsync(cancellationToken);
        }
        catch
        {
            host.Dispose();
            throw;
        }
        return new ProviderTestHost(host, logs);
    }

    /// <summary>The provider that serves <paramref name="model"/>; fails the test when none does.</summary>
    public ILlmProvider ProviderFor(string model) =>
        Router.Find(model) ?? throw new AssertionException($"no provider serves '{model}'");

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync(CancellationToken.None);
        _host.Dispose();
    }

    private sealed class CollectingLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<string> Messages { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose() { }

        private sealed class Logger(CollectingLoggerProvider provider, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                provider.Messages.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
        }
    }
}
