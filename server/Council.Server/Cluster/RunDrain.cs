using Council.Server.Grains;
using Microsoft.Extensions.Options;

namespace Council.Server.Cluster;

/// <summary>
/// A graceful stop (SIGTERM): before any service stops, the node refuses new runs (and <c>/readyz</c> says so, for
/// the load balancer) and lets the runs going on it finish for up to <see cref="ClusterOptions.DrainSeconds"/>, while
/// their viewers still receive them; then the silo stops and ends what is left as interrupted.
/// </summary>
internal sealed partial class RunDrain(
    NodeAvailability availability,
    LocalRunLogs logs,
    IOptions<ClusterOptions> options,
    TimeProvider time,
    ILogger<RunDrain> logger) : IHostedLifecycleService
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        availability.StartDraining();
        var limit = TimeSpan.FromSeconds(options.Value.EffectiveDrainSeconds);
        var started = time.GetTimestamp();
        if (logs.RunningCount > 0 && limit > TimeSpan.Zero)
        {
            LogDraining(logger, logs.RunningCount, limit.TotalSeconds);
        }
        while (logs.RunningCount > 0 && time.GetElapsedTime(started) < limit && !cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(Poll, time, CancellationToken.None);
        }
        if (logs.RunningCount > 0 && limit > TimeSpan.Zero)
        {
            LogDrainTimedOut(logger, logs.RunningCount);
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopping: {Runs} runs may finish for up to {Seconds} s; no new runs here")]
    private static partial void LogDraining(ILogger logger, int runs, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stopping: {Runs} runs still going after the drain end as interrupted")]
    private static partial void LogDrainTimedOut(ILogger logger, int runs);
}
