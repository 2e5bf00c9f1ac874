using Council.Server.Workflows;

namespace Council.Server.Tests.Workflows;

public class RankingParserTests
{
    private static readonly string[] Labels = ["A", "B", "C"];

    [Test]
    public void Parse_WellFormedBlock_ReturnsLabelsInOrder()
    {
        var text = "Response A is fine.\nResponse C is best.\n\nFINAL RANKING:\n1. Response C\n2. Response A\n3. Response B\n";
        RankingParser.Parse(text, Labels).ShouldBe(["C", "A", "B"]);
    }

    [Test]
    public void Parse_MissingBlock_ReturnsNothingRatherThanAGuess()
    {
        RankingParser.Parse("Response B is better than Response A.", Labels).ShouldBeEmpty();
    }

    [Test]
    public void Parse_ExtraTextAroundList_ReadsOnlyTheNumberedLines()
    {
        var text = "Thoughts about Response B.\nFINAL RANKING:\nHere is my ranking:\n1. **Response B** - clearest\n2) Response A (good)\n3. Response C\nThanks, and Response A was close.";
        RankingParser.Parse(text, Labels).ShouldBe(["B", "A", "C"]);
    }

    [Test]
    public void Parse_DuplicateLabels_KeepsFirstPosition()
    {
        RankingParser.Parse("FINAL RANKING:\n1. Response B\n2. Response B\n3. Response A", Labels).ShouldBe(["B", "A"]);
    }

    [Test]
    public void Parse_LabelsAbsentFromTheRun_AreIgnored()
    {
        RankingParser.Parse("FINAL RANKING:\n1. Response D\n2. Response A", Labels).ShouldBe(["A"]);
    }

    [Test]
    public void Parse_NoNumberedLines_FallsBackToLabelsAfterTheHeader()
    {
        RankingParser.Parse("Intro Response C.\nFINAL RANKING: Response B, then Response A", Labels).ShouldBe(["B", "A"]);
    }

    [Test]
    public void Parse_UsesTheLastRankingBlock()
    {
        RankingParser.Parse("Format: FINAL RANKING:\n1. Response A\n\nFINAL RANKING:\n1. Response C\n2. Response B", Labels).ShouldBe(["C", "B"]);
    }

    [TestCase(0, "A")]
    [TestCase(25, "Z")]
    [TestCase(26, "AA")]
    [TestCase(27, "AB")]
    public void Label_CountsLikeSpreadsheetColumns(int index, string expected) =>
        RankingParser.Label(index).ShouldBe(expected);
}
