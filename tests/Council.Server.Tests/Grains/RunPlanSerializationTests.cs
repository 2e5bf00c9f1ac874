using Council.Contracts.Messages;
using Council.Server.Grains;
using Council.Server.Workflows;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace Council.Server.Tests.Grains;

/// <summary>What a grain call carries survives Orleans' serializer, as it must between silos.</summary>
public class RunPlanSerializationTests
{
    [Test]
    public void RunPlan_RoundTripsWithEveryField()
    {
        var serializer = GrainHarness.Silo.Services.GetRequiredService<Serializer>();
        var plan = new RunPlan("run", "conversation", "Why?", WorkflowCatalog.Pipeline, ["sim/a", "sim/b"], ["sim/c", "sim/d"],
            [new ConversationTurn("Before?", "Yes.")], Search: true, Quorum: new Quorum(2, 5000), Owner: "alice")
        {
            TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        };

        var copy = serializer.Deserialize<RunPlan>(serializer.SerializeToArray(plan));

        copy.ShouldNotBeNull().ShouldNotBeSameAs(plan);
        var sameLists = copy! with { Workflow = plan.Workflow, Models = plan.Models, Chairmen = plan.Chairmen, History = plan.History };
        sameLists.ShouldBe(plan, "every scalar field survives");
        copy.Workflow.Name.ShouldBe(plan.Workflow.Name);
        copy.Workflow.Stages.ShouldBe(plan.Workflow.Stages);
        copy.Models.ShouldBe(plan.Models);
        copy.Chairmen.ShouldBe(plan.Chairmen);
        copy.History.ShouldBe(plan.History);
    }

    [Test]
    public void RunAttachment_RoundTrips()
    {
        var serializer = GrainHarness.Silo.Services.GetRequiredService<Serializer>();
        var attachment = new RunAttachment(true, RunStatus.Interrupted, 42);

        serializer.Deserialize<RunAttachment>(serializer.SerializeToArray(attachment)).ShouldBe(attachment);
    }
}
