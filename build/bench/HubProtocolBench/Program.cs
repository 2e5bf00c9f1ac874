// Prints, for the JSON and the MessagePack hub protocols as the server registers them: the bytes of one `token`
// event on the wire, and the CPU time and allocations of writing 100,000 of them (the hot path of a run).
using System.Buffers;
using System.Diagnostics;
using Council.Contracts.Messages;
using Council.Server.Hub;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

const int Messages = 100_000;
const int Rounds = 15;

var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
builder.AddCouncilHub();
using var services = builder.Services.BuildServiceProvider();
var protocols = services.GetServices<IHubProtocol>().ToList();

var token = new InvocationMessage("token", [new TokenEvent("01a1fe3626d37c37a9437aae87be3564", 1234, 0, "openai/gpt-4o", " token")]);
Console.WriteLine($"token event: {{ stage: 0, model: \"openai/gpt-4o\", delta: \" token\", runId: <32 hex>, seq: 1234 }}; {Messages:N0} writes per round, median of {Rounds} rounds");
Console.WriteLine($"{"protocol",-12} {"bytes/msg",10} {"CPU ms/100k (median, min)",26} {"alloc B/msg",12}");
var output = new ArrayBufferWriter<byte>(64 * 1024);
var cpu = protocols.ToDictionary(p => p, _ => new List<double>());
var allocated = protocols.ToDictionary(p => p, _ => 0L);
foreach (var protocol in protocols)
{
    Write(protocol, token, output, 3 * Messages); // warm up: tiering, pools, per-thread buffers
}
// Rounds alternate between the protocols, so drift on a shared machine hits both alike.
for (var round = 0; round < Rounds; round++)
{
    foreach (var protocol in protocols)
    {
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        Write(protocol, token, output, Messages);
        cpu[protocol].Add((Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds);
        allocated[protocol] = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
    }
}
foreach (var protocol in protocols)
{
    var sorted = cpu[protocol].Order().ToList();
    var bytes = protocol.GetMessageBytes(token).Length;
    Console.WriteLine($"{protocol.Name,-12} {bytes,10} {$"{sorted[Rounds / 2]:F1}, {sorted[0]:F1}",26} {allocated[protocol] / (double)Messages,12:F1}");
}

static void Write(IHubProtocol protocol, HubMessage message, ArrayBufferWriter<byte> output, int count)
{
    for (var i = 0; i < count; i++)
    {
        // As a connection's pipe: each message goes into a buffer that is flushed and reused.
        protocol.WriteMessage(message, output);
        if (output.WrittenCount > 32 * 1024)
        {
            output.ResetWrittenCount();
        }
    }
    output.ResetWrittenCount();
}
