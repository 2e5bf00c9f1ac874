using Council.Server.Workflows;

namespace Council.Server.Tests.Workflows;

public class VerdictParserTests
{
    [Test]
    public void Parse_Approve() => VerdictParser.Parse("Looks good.\n\nVERDICT: APPROVE\n").ShouldBe(new Verdict(true, []));

    [Test]
    public void Parse_ChangesWithIssues()
    {
        var verdict = VerdictParser.Parse("Some notes.\n**VERDICT: CHANGES**\n1. Off by one in the loop.\n- Missing null check\n").ShouldNotBeNull();
        verdict.Approved.ShouldBeFalse();
        verdict.Issues.ShouldBe(["Off by one in the loop.", "Missing null check"]);
    }

    [Test]
    public void Parse_TakesTheLastVerdict() =>
        VerdictParser.Parse("Earlier: VERDICT: CHANGES\n1. x\n\nNow fixed.\nVERDICT: APPROVE").ShouldNotBeNull().Approved.ShouldBeTrue();

    [Test]
    public void Parse_NoVerdict_IsNull() => VerdictParser.Parse("I think it is fine.").ShouldBeNull();
}
