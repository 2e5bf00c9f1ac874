using Council.Contracts.Messages;
using Council.Server.Grains;
using Council.Server.Workflows;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Council.Server.Tests.Grains;

public class RunGrainDirectoryTests
{
    private static RunGrainDirectory Directory(CouncilOptions options) =>
        new(GrainHarness.Router(options), GrainHarness.Stored.Store, GrainHarness.Stored.Conversations, Options.Create(options), TimeProvider.System, NullLoggerFactory.Instance);

    private static RunPlan Plan(string prompt) => new(Guid.NewGuid().ToString("N"), "c", prompt, WorkflowCatalog.Council,
        [GrainHarness.Fast, GrainHarness.Quick], [GrainHarness.Chair], []);

    [Test]
    public async Task FinishedRuns_AreReleasedAfterTheIdleTime()
    {
        var directory = Directory(new CouncilOptions { FinishedRunIdleSeconds = 0 });
        var grains = Enumerable.Range(0, 10).Select(i => directory.Start(Plan($"q{i}"))).ToArray();
        directory.Find(grains[0].RunId).ShouldBeSameAs(grains[0]);

        await Task.WhenAll(grains.Select(g => g.Completion)).WaitAsync(TimeSpan.FromSeconds(30));
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (directory.Count > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        directory.Count.ShouldBe(0);
        grains.ShouldAllBe(g => directory.Find(g.RunId) == null);
    }

    [Test]
    public async Task FinishedRuns_StayFindableWithinTheIdleTime()
    {
        var directory = Directory(new CouncilOptions { FinishedRunIdleSeconds = 60 });
        var grain = directory.Start(Plan("q"));
        await grain.Completion.WaitAsync(TimeSpan.FromSeconds(30));

        directory.Find(grain.RunId).ShouldBeSameAs(grain);
        grain.Status.ShouldBe(RunStatus.Ok);
        directory.RunningCount.ShouldBe(0);
    }
}
