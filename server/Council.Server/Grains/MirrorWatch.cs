namespace Council.Server.Grains;

/// <summary>Looks at this node's mirrors every second for one that has gone silent (<see cref="RunMirrors.CatchUpSilent"/>).</summary>
internal sealed class MirrorWatch(RunMirrors mirrors, TimeProvider time) : BackgroundService
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                mirrors.CatchUpSilent();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
