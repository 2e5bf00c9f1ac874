using Council.Server.Operations;

namespace Council.Server.Tests.Operations;

public class RollingRateTests
{
    private readonly ManualTime _time = new();

    [Test]
    public void Rate_IsPerSecondOverTheLastTenSeconds()
    {
        var rate = new RollingRate(_time, 10);
        _time.Advance(TimeSpan.FromSeconds(20));
        for (var s = 0; s < 10; s++)
        {
            rate.Add(_time.GetTimestamp(), 100, 7);
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        rate.PerSecond().First.ShouldBe(100, tolerance: 10);
        rate.PerSecond().Second.ShouldBe(7, tolerance: 1);

        _time.Advance(TimeSpan.FromSeconds(11));
        rate.PerSecond().ShouldBe((0, 0));
    }

    [Test]
    public void Rate_JustAfterStart_IsOverTheTimeSinceStart()
    {
        var rate = new RollingRate(_time, 10);
        _time.Advance(TimeSpan.FromSeconds(2));
        rate.Add(_time.GetTimestamp(), 100, 7);

        rate.PerSecond().First.ShouldBe(50, tolerance: 1);
    }
}
