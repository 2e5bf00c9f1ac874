using Council.Server.Grains;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static Council.Server.Tests.Grains.GrainHarness;

namespace Council.Server.Tests.Grains;

/// <summary>A user's count of runs, on a real silo whose clock the tests move.</summary>
public class UserRunsGrainTests
{
    private FakeTimeProvider _time = null!;
    private TestSilo _silo = null!;

    [SetUp]
    public async Task StartSilo()
    {
        _time = new FakeTimeProvider();
        _silo = await TestSilo.StartAsync(Stored, new CouncilOptions { MaxConcurrentRuns = 2, MaxRunsPerMinute = 3 }, _time);
    }

    [TearDown]
    public async Task StopSilo() => await _silo.DisposeAsync();

    private IUserRunsGrain User(string id) => _silo.Grains.GetGrain<IUserRunsGrain>(id);

    private SiloAddress Here => _silo.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;

    [Test]
    public async Task RunsGoing_AreRefusedAtTheLimit_AndCountAgainOnceOneEnds()
    {
        var user = User("going");
        (await user.Admit("r1", Here)).ShouldBeNull();
        (await user.Admit("r2", Here)).ShouldBeNull();
        var refusal = await user.Admit("r3", Here);
        refusal.ShouldNotBeNull().Message.ShouldBe("You have 2 runs going, the most at once. Retry when one finishes, or cancel one.");
        refusal.RetryAfter.ShouldBeNull();

        await user.Ended("r1");
        (await User("going").Admit("r3", Here)).ShouldBeNull();
        (await User("someone else").Admit("r9", Here)).ShouldBeNull(); // each user counts apart
    }

    [Test]
    public async Task RunsPerMinute_SlideWithTheClock_AndTheRetryTimeIsExact()
    {
        var user = User("minute");
        foreach (var (run, at) in new[] { ("r1", 0), ("r2", 20), ("r3", 25) })
        {
            _time.SetUtcNow(_time.Start + TimeSpan.FromSeconds(at));
            (await user.Admit(run, Here)).ShouldBeNull();
            await user.Ended(run);
        }

        _time.SetUtcNow(_time.Start + TimeSpan.FromSeconds(45));
        var refusal = await user.Admit("r4", Here);
        refusal.ShouldNotBeNull().RetryAfter.ShouldBe(TimeSpan.FromSeconds(15)); // r1 leaves the minute at 60 s
        refusal.Message.ShouldBe("You asked to start 3 runs in the last minute, the most allowed. Retry in 15 s.");

        _time.SetUtcNow(_time.Start + TimeSpan.FromSeconds(60));
        (await user.Admit("r4", Here)).ShouldBeNull();
        (await user.Admit("r5", Here)).ShouldNotBeNull().RetryAfter.ShouldBe(TimeSpan.FromSeconds(20)); // then r2's turn
    }
}
