using System.Text.Json;
using Council.Server.Auth;
using Council.Server.ChatCompletions;
using Council.Server.Conversations;
using Council.Server.Tests.Telemetry;
using Microsoft.AspNetCore.Http;

namespace Council.Server.Tests.ChatCompletions;

[CancelAfter(30_000)]
public sealed class CouncilCompletionsTests
{
    [Test]
    public async Task TheRunAStreamNames_IsKnownBeforeItsFirstByteGoesOut(CancellationToken cancellationToken)
    {
        await using var app = new CouncilApp().Start();
        var context = new DefaultHttpContext { RequestServices = app.Services, User = CouncilUser.Principal(CouncilUser.LocalUser, []) };
        var store = app.Get<ConversationStore>();
        var probe = new FirstWriteProbe(async () =>
            context.Response.Headers[CouncilCompletions.RunHeader].ToString() is { Length: > 0 } runId
            && await store.GetRunAsync(runId, CouncilUser.LocalUser, cancellationToken) is not null);
        context.Response.Body = probe;

        await app.Get<CouncilCompletions>().CompleteAsync(context, new ChatCompletionsRequest
        {
            Model = "council",
            Stream = true,
            Messages = [new ChatCompletionsMessage { Role = "user", Content = JsonSerializer.SerializeToElement("Why?") }],
            Council = new CouncilRequestOptions { Models = ["sim/a?ttft=5&tps=900&tokens=10"], Chairman = "sim/c?ttft=5&tps=900&tokens=10" },
        }, "council", null);

        probe.Writes.ShouldBeGreaterThan(3);
        probe.RunKnownAtFirstWrite.ShouldBe(true, "a client that asks the hub or /api for the run it was just named finds it");
    }

    /// <summary>A response body that checks, at its first write, whether the run already exists.</summary>
    private sealed class FirstWriteProbe(Func<Task<bool>> runKnown) : MemoryStream
    {
        public bool? RunKnownAtFirstWrite { get; private set; }

        public int Writes { get; private set; }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Probe();
            await base.WriteAsync(buffer, cancellationToken);
        }

        private async Task Probe()
        {
            Writes++;
            RunKnownAtFirstWrite ??= await runKnown();
        }
    }
}
