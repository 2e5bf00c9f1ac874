using Council.Server.Workflows;

namespace Council.Server.Tests.Workflows;

public class AggregateRankerTests
{
    [Test]
    public void Aggregate_AveragesPositionsBestFirst()
    {
        var result = AggregateRanker.Aggregate([["x", "y", "z"], ["y", "x", "z"], ["x", "z", "y"]]);

        result.Select(r => r.Model).ShouldBe(["x", "y", "z"]);
        result[0].AverageRank.ShouldBe(4.0 / 3, 0.001);
        result[1].AverageRank.ShouldBe(2.0, 0.001);
        result[2].AverageRank.ShouldBe(8.0 / 3, 0.001);
        result.ShouldAllBe(r => r.Votes == 3);
    }

    [Test]
    public void Aggregate_PartialRankings_CountOnlyTheirVotes()
    {
        var result = AggregateRanker.Aggregate([["x", "y"], ["y"]]);

        result.Single(r => r.Model == "y").ShouldSatisfyAllConditions(
            r => r.AverageRank.ShouldBe(1.5),
            r => r.Votes.ShouldBe(2));
        result.Single(r => r.Model == "x").Votes.ShouldBe(1);
    }

    [Test]
    public void Aggregate_TiesBreakByMoreVotesThenName()
    {
        var result = AggregateRanker.Aggregate([["b", "a"], ["a", "b"], ["c"]]);
        result.Select(r => r.Model).ShouldBe(["c", "a", "b"]);
    }

    [Test]
    public void Aggregate_NoRankings_IsEmpty() => AggregateRanker.Aggregate([]).ShouldBeEmpty();
}
