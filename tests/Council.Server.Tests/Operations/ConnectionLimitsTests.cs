using Council.Server.Operations;

namespace Council.Server.Tests.Operations;

public sealed class ConnectionLimitsTests
{
    [TestCase(20_000)]
    [TestCase(3_000)]
    [TestCase(1_024)]
    [TestCase(256)]
    public void Derived_LeaveRoomForEverythingElseTheProcessOpens(long openFiles)
    {
        var (connections, upgraded, _) = ConnectionLimits.Derive(new ConnectionLimitOptions(), openFiles);

        (connections + upgraded).ShouldNotBeNull();
        var sockets = connections!.Value + upgraded!.Value;
        sockets.ShouldBeLessThanOrEqualTo(openFiles - Math.Min(openFiles / 2, 512 + openFiles / 10));
        upgraded.Value.ShouldBeGreaterThan(connections.Value, "most of the budget goes to WebSockets");
        connections.Value.ShouldBeGreaterThanOrEqualTo(Math.Min(32, sockets / 2), "plain HTTP (/healthz, the API) keeps some room");
    }

    [Test]
    public void Configured_Limits_AreKept_AndUnknownOpenFileLimitDerivesNothing()
    {
        ConnectionLimits.Derive(new ConnectionLimitOptions { MaxUpgradedConnections = 100, MaxConnections = 10 }, 20_000).ShouldBe((10L, 100L, 20_000L));
        ConnectionLimits.Derive(new ConnectionLimitOptions { MaxUpgradedConnections = 1000 }, 20_000).Connections.ShouldBe(20_000 - 2512 - 1000);
        ConnectionLimits.Derive(new ConnectionLimitOptions(), null).ShouldBe((null, null, null));
    }

    [Test]
    public void OpenFileLimit_IsReadFromTheProcess()
    {
        if (!File.Exists("/proc/self/limits"))
        {
            Assert.Ignore("no /proc/self/limits on this system");
        }
        ConnectionLimits.OpenFileLimit().ShouldNotBeNull().ShouldBeGreaterThan(0);
    }
}
