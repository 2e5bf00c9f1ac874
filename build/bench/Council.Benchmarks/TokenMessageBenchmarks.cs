using System.Buffers;
using System.Text.Json.Serialization;
using BenchmarkDotNet.Attributes;
using Council.Contracts;
using Council.Contracts.Messages;
using Council.LoadProbe;
using Council.Server.Storage;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;

namespace Council.Benchmarks;

/// <summary>One token on its way out: the event record, the JSON hub frame as the server writes it, and the store's copy.</summary>
public class TokenMessageBenchmarks
{
    private readonly ArrayBufferWriter<byte> _output = new(1024);
    private JsonHubProtocol _json = null!;
    private StampingHubProtocol _stamped = null!;
    private TokenEvent _token = null!;
    private InvocationMessage _invocation = null!;

    [GlobalSetup]
    public void Setup()
    {
        var options = new JsonHubProtocolOptions();
        // As HubRegistration configures it.
        options.PayloadSerializerOptions.TypeInfoResolverChain.Insert(0, CouncilJsonContext.Default);
        options.PayloadSerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        _json = new JsonHubProtocol(Options.Create(options));
        var stamps = new TokenStamps(TimeProvider.System);
        _stamped = new StampingHubProtocol(_json, stamps, TimeProvider.System);
        _token = new TokenEvent("0193a1b2c3d4e5f60718293a4b5c6d7e", 1234, 0, "sim/load-a?ttft=150&tps=20&tokens=60", " trade-");
        stamps.BeforeTokenAppended(null!, _token, 1, 2, 1);
        _invocation = new InvocationMessage("token", [_token]);
    }

    [Benchmark]
    public TokenEvent CreateTokenEvent() => new("0193a1b2c3d4e5f60718293a4b5c6d7e", 1234, 0, "sim/a", " trade-");

    [Benchmark(Baseline = true)]
    public int WriteTokenFrame_Json()
    {
        _output.ResetWrittenCount();
        _json.WriteMessage(new InvocationMessage("token", [_token]), _output);
        return _output.WrittenCount;
    }

    [Benchmark]
    public int WriteTokenFrame_JsonWithLoadProbeStamp()
    {
        _output.ResetWrittenCount();
        _stamped.WriteMessage(_invocation, _output);
        return _output.WrittenCount;
    }

    [Benchmark]
    public string SerializeForStore() => StoredEvents.Serialize(_token);
}
