using Council.Contracts.Messages;
using Council.Server.ChatCompletions;
using Council.Server.Workflows;

namespace Council.Server.Tests.ChatCompletions;

public class CouncilNarratorTests
{
    private const string A = "sim/a";
    private const string B = "sim/b";
    private const string Chair = "sim/chair";
    private long _seq;

    private static RunPlan Plan(WorkflowDefinition? workflow = null) =>
        new("run1", "conv1", "Why?", workflow ?? WorkflowCatalog.Council, [A, B], [Chair, "sim/vice"], []);

    [Test]
    public void ParallelAnswers_AreToldOneModelAtATime_TheFirstLiveAndTheOthersAfterIt()
    {
        var narrator = new CouncilNarrator(Plan());
        var said = new List<NarrationPiece>(narrator.Begin());

        foreach (var e in new RunEvent[]
        {
            Started(0, "answers", A, B), Token(0, A, "a1 "), Token(0, B, "b1 "), Token(0, A, "a2"), Token(0, B, "b2"),
            Complete(0, B, "b1 b2"), Complete(0, A, "a1 a2"),
        })
        {
            said.AddRange(narrator.Apply(e));
        }

        var reasoning = Reasoning(said);
        reasoning.ShouldStartWith("Council run run1 · workflow council · members: sim/a, sim/b · chairman: sim/chair\n");
        reasoning.ShouldContain("\n## answers\n\n**sim/a**\n\na1 a2\n\n**sim/b**\n\nb1 b2\n");
        said.ShouldAllBe(p => !p.IsContent);
        narrator.Apply(Token(0, A, "x")).ShouldBeEmpty("A's lane had ended: nothing more is told");
    }

    [Test]
    public void TheLiveModelStreamsAtOnce_AnotherIsHeldUntilItEnds()
    {
        var narrator = new CouncilNarrator(Plan());
        narrator.Begin();
        narrator.Apply(Started(0, "answers", A, B));

        narrator.Apply(Token(0, A, "first")).ShouldBe([new NarrationPiece(false, "\n**sim/a**\n\nfirst")]);
        narrator.Apply(Token(0, B, "held")).ShouldBeEmpty();
        narrator.Apply(Token(0, A, " more")).ShouldBe([new NarrationPiece(false, " more")]);
        narrator.Apply(Complete(0, A, "first more")).ShouldBe([new NarrationPiece(false, "\n\n**sim/b**\n\nheld")]);
    }

    [Test]
    public void FailuresSkipsAndTheRanking_AreToldInTheReasoning()
    {
        var narrator = new CouncilNarrator(Plan());
        narrator.Begin();
        var said = new RunEvent[]
        {
            Started(0, "answers", A, B, "sim/c"), Token(0, A, "answer a"), Complete(0, A, "answer a"),
            Complete(0, B, "", ModelStatus.Failed, "b: simulated failure before the first token"),
            Token(0, "sim/c", "partial"), Complete(0, "sim/c", "partial", ModelStatus.Cancelled, "Skipped by the user."),
            Progress(0, "answers", StageStatus.Completed),
            Started(1, "reviews", A), Complete(1, A, "FINAL RANKING:\n1. Response A", ranking: [A, "sim/c"]),
            Progress(1, "reviews", StageStatus.Completed),
        }.SelectMany(e => narrator.Apply(e).ToArray()).ToList();

        var reasoning = Reasoning(said);
        reasoning.ShouldContain("**sim/b**\n\n\n\n_sim/b failed: b: simulated failure before the first token_\n");
        reasoning.ShouldContain("**sim/c**\n\npartial\n\n_sim/c was skipped: Skipped by the user._\n");
        reasoning.ShouldContain("\nPeer ranking, best first: 1. sim/a (1), 2. sim/c (2)\n");
    }

    [Test]
    public void TheSynthesisIsContent_AndWhateverIsStillGoingIsCutOffBeforeIt()
    {
        var narrator = new CouncilNarrator(Plan());
        narrator.Begin();
        var said = new RunEvent[]
        {
            Started(0, "answers", A, B), Token(0, A, "a"), Token(0, B, "late b"), Complete(0, A, "a"),
            Started(1, "reviews", A), Token(1, A, "held review"),
            Started(2, "synthesis", Chair), Token(2, Chair, "The answer"),
            Token(0, B, " more of b"), Complete(0, B, "late b more of b"), Token(2, Chair, " goes on."),
        }.SelectMany(e => narrator.Apply(e).ToArray()).ToList();

        var firstContent = said.FindIndex(p => p.IsContent);
        said.Skip(firstContent).ShouldAllBe(p => p.IsContent, "reasoning always comes before content");
        var reasoning = Reasoning(said);
        reasoning.ShouldContain("**sim/b**\n\nlate b\n\n_sim/b is still going; what follows is left out._\n");
        reasoning.ShouldContain("\n## reviews\n\n**sim/a**\n\nheld review\n\n_sim/a is still going");
        reasoning.ShouldNotContain("more of b");
        reasoning.ShouldEndWith("\n## synthesis: sim/chair writes the final answer\n");
        string.Concat(said.Where(p => p.IsContent).Select(p => p.Text)).ShouldBe("The answer goes on.");
    }

    [Test]
    public void AChairmanThatFails_IsReplacedByTheFallback_BeforeOrAfterTheContentStarted()
    {
        var narrator = new CouncilNarrator(Plan(WorkflowCatalog.Grid));
        narrator.Begin();
        var before = new RunEvent[]
        {
            Started(0, "answers", A), Complete(0, A, "a"), Started(1, "synthesis", Chair),
            Complete(1, Chair, "", ModelStatus.Failed, "down"), Start(1, "sim/vice"),
        }.SelectMany(e => narrator.Apply(e).ToArray()).ToList();
        Reasoning(before).ShouldEndWith("\nsim/chair failed: down. sim/vice takes over.\n");

        narrator.Apply(Token(1, "sim/vice", "Half"));
        narrator.Apply(Complete(1, "sim/vice", "Half", ModelStatus.Failed, "cut"));
        narrator.Apply(Start(1, "sim/third")).ShouldBe([new NarrationPiece(true, "\n\n---\n\n_sim/vice failed: cut. sim/third takes over._\n\n")]);
    }

    [Test]
    public void AWorkflowWithoutSynthesis_StreamsItsLastRoleAsContent_AndOneWithNeitherGivesTheFinalAtTheEnd()
    {
        var pipeline = new CouncilNarrator(Plan(WorkflowCatalog.Pipeline));
        pipeline.Begin();
        pipeline.Apply(Started(0, "architect", A));
        pipeline.Apply(Token(0, A, "design")).ShouldAllBe(p => !p.IsContent);
        pipeline.Apply(Started(4, "documenter", B));
        pipeline.Apply(Token(4, B, "docs"))[^1].ShouldBe(new NarrationPiece(true, "docs"));

        var answersOnly = new WorkflowDefinition("solo", "", [new StageDefinition("answers", StageKind.Answers)]);
        var narrator = new CouncilNarrator(Plan(answersOnly));
        narrator.Begin().Single().Text.ShouldNotContain("chairman");
        narrator.Apply(Started(0, "answers", A));
        narrator.Apply(Token(0, A, "only"));
        narrator.Apply(Complete(0, A, "only"));
        narrator.Apply(End(RunStatus.Ok, "only"))[^1].ShouldBe(new NarrationPiece(true, "only"));
    }

    [Test]
    public void RefinerRounds_AreMatchedToTheirDefinition()
    {
        var narrator = new CouncilNarrator(Plan(WorkflowCatalog.Pipeline));
        narrator.Begin();
        narrator.Apply(Started(3, "refiner (round 1)", A)).ShouldBe([new NarrationPiece(false, "\n## refiner (round 1)\n")]);
        narrator.Apply(Token(3, A, "fix")).ShouldAllBe(p => !p.IsContent);
    }

    private static string Reasoning(IEnumerable<NarrationPiece> pieces) => string.Concat(pieces.Where(p => !p.IsContent).Select(p => p.Text));

    private StageProgressEvent Started(int stage, string name, params string[] models) =>
        new("run1", ++_seq, stage, name, StageStatus.Started, 0, models.Length, 0, [], models);

    private StageProgressEvent Progress(int stage, string name, StageStatus status) =>
        new("run1", ++_seq, stage, name, status, 0, 0, 0, [], []);

    private ModelStartEvent Start(int stage, string model) => new("run1", ++_seq, stage, model);

    private TokenEvent Token(int stage, string model, string delta) => new("run1", ++_seq, stage, model, delta);

    private ModelCompleteEvent Complete(int stage, string model, string text, ModelStatus status = ModelStatus.Ok, string? error = null,
        IReadOnlyList<string>? ranking = null) =>
        new("run1", ++_seq, stage, model, status, text, error, 10, 20, new Usage(1, 2), ranking);

    private RunCompleteEvent End(RunStatus status, string? final) =>
        new("run1", ++_seq, status, final, null, null, new RunMetrics(1, 0, 0, null, []));
}
