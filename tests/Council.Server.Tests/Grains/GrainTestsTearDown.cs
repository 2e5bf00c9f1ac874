namespace Council.Server.Tests;

/// <summary>Stops the test silos once every test of the assembly has run.</summary>
[SetUpFixture]
public sealed class GrainTestsTearDown
{
    [OneTimeTearDown]
    public Task StopSilos() => Grains.GrainHarness.StopAllAsync();
}
