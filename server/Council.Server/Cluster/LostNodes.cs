using Council.Server.Grains;

namespace Council.Server.Cluster;

/// <summary>
/// Follows the cluster's membership: when a node is declared dead (it stopped answering probes, say after a
/// <c>kill -9</c>), the runs that this node mirrored from it end as interrupted for the viewers here.
/// </summary>
internal sealed partial class LostNodes(IClusterMembershipService membership, RunMirrors mirrors, ILogger<LostNodes> logger) : BackgroundService
{
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
                        await mirrors.NodeLostAsync(member.SiloAddress, member.Name);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cluster node {Node} ({Silo}) is dead")]
    private static partial void LogDead(ILogger logger, string node, string silo);
}
