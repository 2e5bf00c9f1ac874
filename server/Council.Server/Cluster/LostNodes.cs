using Council.Server.Grains;
using Council.Server.Storage;

namespace Council.Server.Cluster;

/// <summary>
/// Follows the cluster's membership: when a node is declared dead (it stopped answering probes, say after a
/// <c>kill -9</c>), the runs that this node mirrored from it end as interrupted for the viewers here; unless a node of
/// that name is back already, its claim on its name is released (so it can start again at once) and the runs it left
/// going in shared storage are closed as interrupted (a node that is back closes its own at start).
/// </summary>
internal sealed partial class LostNodes(
    IClusterMembershipService membership, RunMirrors mirrors, RunStore store, NodeNameLease names, ILogger<LostNodes> logger)
    : BackgroundService
{
    private static readonly TimeSpan RetryEvery = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var dead = new HashSet<SiloAddress>();
        try
        {
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(stoppingToken))
            {
                foreach (var member in snapshot.Members.Values)
                {
                    if (member.Status == SiloStatus.Dead && dead.Add(member.SiloAddress))
                    {
                        LogDead(logger, member.Name, member.SiloAddress.ToString());
                        var seenHere = await mirrors.NodeLostAsync(member.SiloAddress, member.Name);
                        if (!snapshot.Members.Values.Any(m => m.Status != SiloStatus.Dead && m.Name == member.Name))
                        {
                            await names.ReleaseDeadAsync(member.Name, member.SiloAddress.Endpoint);
                            _ = CloseStoredRunsAsync(member.Name, seenHere, stoppingToken); // retried meanwhile when storage is away
                        }
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task CloseStoredRunsAsync(
        string node, IReadOnlyDictionary<string, IReadOnlyList<Council.Contracts.Messages.RunEvent>> seenHere, CancellationToken stoppingToken)
    {
        // Until it works, or a node of that name is back (it closes its own at start), or this node stops.
        for (var attempt = 1; !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                await store.CloseRunsOfLostNodeAsync(node, seenHere);
                return;
            }
            catch (Exception ex) when (ex is System.Data.Common.DbException or TimeoutException or InvalidOperationException)
            {
                if (attempt == 1)
                {
                    LogCloseFailed(logger, ex, node);
                }
            }
            try
            {
                await Task.Delay(RetryEvery, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            if (membership.CurrentSnapshot.Members.Values.Any(m => m.Status != SiloStatus.Dead && m.Name == node))
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cluster node {Node} ({Silo}) is dead")]
    private static partial void LogDead(ILogger logger, string node, string silo);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not close the stored runs of lost node {Node} (storage away?); retrying every 5 s")]
    private static partial void LogCloseFailed(ILogger logger, Exception exception, string node);
}
