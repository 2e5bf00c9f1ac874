using System.Buffers;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using Council.Contracts;
using Council.Contracts.Messages;
using Council.Server.Hub;
using MessagePack;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Council.Server.Tests.Hub;

/// <summary>The contract records say the same names and values in MessagePack as in JSON.</summary>
public sealed class ContractWireTests
{
    private static readonly Lazy<ServiceProvider> Services = new(() =>
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.AddCouncilHub();
        return builder.Services.BuildServiceProvider();
    });

    /// <summary>What a .NET client's plain <c>AddMessagePackProtocol()</c> serializes with.</summary>
    private static readonly MessagePackSerializerOptions DefaultOptions = new Microsoft.AspNetCore.SignalR.MessagePackHubProtocolOptions().SerializerOptions;

    private static IHubProtocol Protocol(string name) => Services.Value.GetServices<IHubProtocol>().Single(p => p.Name == name);

    private static readonly Type[] MessagePackTypes = typeof(RunEvent).Assembly.GetTypes()
        .Where(t => t.GetCustomAttribute<MessagePackObjectAttribute>() is not null && !t.IsAbstract).ToArray();

    [Test]
    public void EveryHubRecordKeysItsMembersByTheirJsonNames()
    {
        MessagePackTypes.Length.ShouldBeGreaterThan(20);
        foreach (var type in MessagePackTypes)
        {
            var json = CouncilJsonContext.Default.GetTypeInfo(type).ShouldNotBeNull(type.Name);
            var keys = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .ToDictionary(p => p.Name, p => p.GetCustomAttribute<KeyAttribute>()?.StringKey ?? "(no key)");
            var jsonNames = json.Properties.ToDictionary(p => ((PropertyInfo)p.AttributeProvider!).Name, p => p.Name);
            keys.ShouldBe(jsonNames, type.Name);
        }
    }

    [Test]
    public void EveryStatusIsTheSameStringInBothProtocols()
    {
        foreach (var value in Enum.GetValues<StageStatus>().Cast<Enum>().Concat(Enum.GetValues<ModelStatus>().Cast<Enum>()).Concat(Enum.GetValues<RunStatus>().Cast<Enum>()))
        {
            var bytes = MessagePackSerializer.Serialize(value.GetType(), value, DefaultOptions);
            MessagePackSerializer.ConvertToJson(bytes, DefaultOptions).ShouldBe(JsonSerializer.Serialize(value, value.GetType(), CouncilJsonContext.Default.Options));
            MessagePackSerializer.Deserialize(value.GetType(), bytes, DefaultOptions).ShouldBe(value);
        }
    }

    private static IEnumerable<TestCaseData> Events()
    {
        var usage = new Usage(1234, 56, 0.000123456789m);
        var metrics = new RunMetrics(2345, 1300, 80, 0.0102m, [new ModelCallMetrics(0, "sim/a", ModelStatus.Failed, null, 12, 3, 4, null), new ModelCallMetrics(1, "sim/b", ModelStatus.Ok, 15, 30, 5, 6, 0.5m)]);
        yield return new TestCaseData("stage_progress", new StageProgressEvent("r1", 1, 0, "answers", StageStatus.Running, 1, 2, 300, ["sim/a"], ["sim/b"], "sim/a", 120));
        yield return new TestCaseData("stage_progress", new StageProgressEvent("r1", 2, 0, "answers", StageStatus.Started, 0, 2, 0, [], ["sim/a", "sim/b"]));
        yield return new TestCaseData("model_start", new ModelStartEvent("r1", 3, 0, "sim/a"));
        yield return new TestCaseData("token", new TokenEvent("r1", 4, 0, "sim/a", "naïve 日本語 🎉"));
        yield return new TestCaseData("token", new TokenEvent("r1", 4, 0, "sim/a", "", "Let me think."));
        yield return new TestCaseData("model_complete", new ModelCompleteEvent("r1", 5, 0, "sim/a", ModelStatus.Ok, "text", null, 40, 90, usage));
        yield return new TestCaseData("model_complete", new ModelCompleteEvent("r1", 6, 1, "sim/b", ModelStatus.Cancelled, "", "skipped", null, 9, new Usage(1, 0, null, true), ["sim/a"], false));
        yield return new TestCaseData("search_results", new SearchResultsEvent("r1", 7, 0, [new SearchResult("t", "https://x", "s")]));
        yield return new TestCaseData("run_complete", new RunCompleteEvent("r1", 8, RunStatus.Failed, null, "no answers", [new AggregateRanking("sim/a", 1.5, 2)], metrics));
    }

    [TestCaseSource(nameof(Events))]
    public void AnEventOverMessagePackIsItsJsonWithNilForWhatJsonOmits(string target, RunEvent runEvent)
    {
        var viaJson = JsonNode.Parse(JsonArgument(target, runEvent))!.AsObject();
        var viaMsgpack = JsonNode.Parse(MessagePackSerializer.ConvertToJson(MessagePackArgument(target, runEvent)))!.AsObject();

        RemoveNilsJsonOmits(viaMsgpack, viaJson);
        JsonNode.DeepEquals(viaMsgpack, viaJson).ShouldBeTrue($"{viaMsgpack.ToJsonString()}\n{viaJson.ToJsonString()}");
    }

    [TestCaseSource(nameof(Events))]
    public void AnEventComesBackFromMessagePackWithEveryValue(string target, RunEvent runEvent)
    {
        var back = MessagePackSerializer.Deserialize(runEvent.GetType(), MessagePackArgument(target, runEvent), DefaultOptions);
        JsonSerializer.Serialize(back, runEvent.GetType(), CouncilJsonContext.Default.Options)
            .ShouldBe(JsonSerializer.Serialize(runEvent, runEvent.GetType(), CouncilJsonContext.Default.Options));
    }

    private static void RemoveNilsJsonOmits(JsonNode? msgpack, JsonNode? json)
    {
        if (msgpack is JsonObject o && json is JsonObject j)
        {
            foreach (var (key, value) in o.ToList())
            {
                if (value is null && !j.ContainsKey(key))
                {
                    o.Remove(key);
                }
                else
                {
                    RemoveNilsJsonOmits(value, j[key]);
                }
            }
        }
        else if (msgpack is JsonArray a && json is JsonArray ja)
        {
            for (var i = 0; i < Math.Min(a.Count, ja.Count); i++)
            {
                RemoveNilsJsonOmits(a[i], ja[i]);
            }
        }
    }

    private static string JsonArgument(string target, RunEvent runEvent)
    {
        var frame = Write("json", target, runEvent);
        using var message = JsonDocument.Parse(frame.AsMemory(0, frame.Length - 1)); // without the record separator
        return message.RootElement.GetProperty("arguments")[0].GetRawText();
    }

    private static ReadOnlyMemory<byte> MessagePackArgument(string target, RunEvent runEvent)
    {
        var frame = new ReadOnlySequence<byte>(Write("messagepack", target, runEvent));
        var prefix = 0;
        while ((frame.FirstSpan[prefix] & 0x80) != 0)
        {
            prefix++;
        }
        var reader = new MessagePackReader(frame.Slice(prefix + 1));
        reader.ReadArrayHeader().ShouldBe(6); // type, headers, invocation id, target, arguments, stream ids
        reader.ReadInt32().ShouldBe(1);
        reader.Skip();
        reader.Skip();
        reader.ReadString().ShouldBe(target);
        reader.ReadArrayHeader().ShouldBe(1);
        return reader.ReadRaw().ToArray();
    }

    private static byte[] Write(string protocol, string target, RunEvent runEvent)
    {
        var output = new ArrayBufferWriter<byte>();
        Protocol(protocol).WriteMessage(new InvocationMessage(target, [runEvent]), output);
        return output.WrittenSpan.ToArray();
    }
}
