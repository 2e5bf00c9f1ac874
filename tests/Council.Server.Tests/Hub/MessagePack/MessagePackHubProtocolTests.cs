using System.Buffers;
using System.Text.Json;
using Council.Contracts.Messages;
using Council.Server.Hub;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using static Council.Server.Tests.Hub.MessagePack.Frames;

namespace Council.Server.Tests.Hub.MessagePack;

public class MessagePackHubProtocolTests
{
    private static readonly IHubProtocol Protocol = RegisteredProtocols.MessagePack;

    private static IEnumerable<TestCaseData> ClientFrames() => MessagePackVectors.ClientFrames();

    private static IEnumerable<TestCaseData> ServerFrames() => MessagePackVectors.ServerFrames();

    [Test]
    public void Registration_OffersMessagePackVersion2BesideJson()
    {
        Protocol.ShouldBeOfType<ReadableBindingErrorsProtocol>();
        Protocol.Version.ShouldBe(2);
        Protocol.TransferFormat.ShouldBe(TransferFormat.Binary);
        Protocol.IsVersionSupported(2).ShouldBeTrue();
        Protocol.IsVersionSupported(1).ShouldBeTrue();
        Protocol.IsVersionSupported(3).ShouldBeFalse();
        RegisteredProtocols.Json.TransferFormat.ShouldBe(TransferFormat.Text);
    }

    [TestCaseSource(nameof(ClientFrames))]
    public void FramesTheOfficialClientWrites_ParseIntoTheirMessages(JsonElement vector)
    {
        var expected = vector.GetProperty("message");
        var message = Parse(Protocol, Convert.FromHexString(vector.GetProperty("frame").GetString()!));
        var type = expected.GetProperty("type").GetInt32();

        if (vector.TryGetProperty("bindingFailure", out var failure))
        {
            var binding = message.ShouldBeOfType<InvocationBindingFailureMessage>();
            binding.Target.ShouldBe(expected.GetProperty("target").GetString());
            binding.InvocationId.ShouldBe(expected.GetProperty("invocationId").GetString());
            // ReadableBindingErrorsProtocol turned SignalR's failure into a HubException that says what was wrong.
            var error = binding.BindingFailure.SourceException.ShouldBeOfType<HubException>().Message;
            error.ShouldContain(failure.GetString()!.Replace("Method does not exist.", "Unknown hub method", StringComparison.Ordinal));
            return;
        }
        switch (message)
        {
            case InvocationMessage invocation when type == 1:
                ShouldMatchInvocation(invocation, expected);
                break;
            case StreamInvocationMessage invocation when type == 4:
                ShouldMatchInvocation(invocation, expected);
                break;
            case StreamItemMessage item when type == 2:
                item.InvocationId.ShouldBe(expected.GetProperty("invocationId").GetString());
                item.Item.ShouldBe(expected.GetProperty("item").GetString());
                break;
            case CompletionMessage completion when type == 3:
                completion.InvocationId.ShouldBe(expected.GetProperty("invocationId").GetString());
                completion.Error.ShouldBe(expected.TryGetProperty("error", out var e) ? e.GetString() : null);
                completion.HasResult.ShouldBe(expected.TryGetProperty("result", out var result));
                if (completion.HasResult)
                {
                    Json(completion.Result).ShouldBeEquivalentTo(result.GetRawText());
                }
                break;
            case CancelInvocationMessage cancel when type == 5:
                cancel.InvocationId.ShouldBe(expected.GetProperty("invocationId").GetString());
                break;
            case PingMessage when type == 6:
                break;
            case CloseMessage close when type == 7:
                close.Error.ShouldBeNull();
                close.AllowReconnect.ShouldBeFalse();
                break;
            case AckMessage ack when type == 8:
                ack.SequenceId.ShouldBe(expected.GetProperty("sequenceId").GetInt64());
                break;
            case SequenceMessage sequence when type == 9:
                sequence.SequenceId.ShouldBe(expected.GetProperty("sequenceId").GetInt64());
                break;
            default:
                Assert.Fail($"Message type {type} parsed as {message.GetType().Name}.");
                break;
        }
    }

    [TestCaseSource(nameof(ServerFrames))]
    public void MessagesTheServerSends_AreWrittenAsTheOfficialClientReadsThem(JsonElement vector)
    {
        var message = ServerMessage(vector);
        var expected = vector.GetProperty("frame").GetString();

        Convert.ToHexStringLower(Write(Protocol, message)).ShouldBe(expected);
        Convert.ToHexStringLower(Protocol.GetMessageBytes(message).Span).ShouldBe(expected);
    }

    [Test]
    public void EveryMessageType_RoundTrips()
    {
        var binder = new ContractBinder();
        binder.ReturnTypes["r1"] = typeof(StartRunResult);
        var headers = new Dictionary<string, string> { ["a"] = "b", ["ü"] = "é" };
        var request = new CancelModelRequest("run", "sim/a", 1);
        var result = new StartRunResult("run", "conv", "council", [new StageInfo(0, "answers", "answers", ["sim/a"])]);

        var invocation = RoundTrip<InvocationMessage>(new InvocationMessage("i1", "cancel_model", [request], ["s9"]) { Headers = headers }, binder);
        invocation.InvocationId.ShouldBe("i1");
        invocation.Arguments.Single().ShouldBe(request);
        invocation.StreamIds.ShouldBe(["s9"]);
        invocation.Headers.ShouldBe(headers);

        RoundTrip<InvocationMessage>(new InvocationMessage("cancel_model", [request]), binder).InvocationId.ShouldBeNull();
        var stream = RoundTrip<StreamInvocationMessage>(new StreamInvocationMessage("i2", "cancel_model", [request]), binder);
        stream.InvocationId.ShouldBe("i2");
        stream.Arguments.Single().ShouldBe(request);
        RoundTrip<StreamItemMessage>(new StreamItemMessage("s1", "piece"), binder).Item.ShouldBe("piece");

        var completion = RoundTrip<CompletionMessage>(CompletionMessage.WithResult("r1", result), binder);
        completion.Result.ShouldBeOfType<StartRunResult>().Stages.Single().Models.ShouldBe(["sim/a"]);
        RoundTrip<CompletionMessage>(CompletionMessage.WithResult("r1", null), binder).HasResult.ShouldBeTrue();
        RoundTrip<CompletionMessage>(CompletionMessage.WithError("r1", "no"), binder).Error.ShouldBe("no");
        RoundTrip<CompletionMessage>(CompletionMessage.Empty("r1"), binder).HasResult.ShouldBeFalse();
        RoundTrip<CancelInvocationMessage>(new CancelInvocationMessage("i3"), binder).InvocationId.ShouldBe("i3");
        RoundTrip<PingMessage>(PingMessage.Instance, binder);
        var close = RoundTrip<CloseMessage>(new CloseMessage("bye", allowReconnect: true), binder);
        (close.Error, close.AllowReconnect).ShouldBe(("bye", true));
        RoundTrip<CloseMessage>(CloseMessage.Empty, binder).ShouldBeSameAs(CloseMessage.Empty);
        RoundTrip<AckMessage>(new AckMessage(long.MaxValue), binder).SequenceId.ShouldBe(long.MaxValue);
        RoundTrip<SequenceMessage>(new SequenceMessage(0), binder).SequenceId.ShouldBe(0);
    }

    [Test]
    public void AnyText_RoundTripsThroughATokenEvent()
    {
        // Quotes, backslashes, control characters, HTML-sensitive and non-ASCII characters, surrogate pairs and
        // unpaired surrogates: everything the serializer escapes and the transcoder has to undo.
        char[] alphabet = ['a', 'Z', ' ', '"', '\\', '/', '\b', '\f', '\n', '\r', '\t', '\0', '\u001f', '<', '>', '&', '\'', '+', '`',
            'é', 'ß', '€', '日', '\u2028', '\ufeff', '\ud83c', '\udf89', '\ud800', '\udfff'];
        var random = new Random(42);
        var binder = new ContractBinder();
        for (var i = 0; i < 2000; i++)
        {
            var text = new string(Enumerable.Range(0, random.Next(0, 80)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
            var sent = new TokenEvent("run", i, 0, "sim/a", text);
            var received = Parse(Protocol, Write(Protocol, new InvocationMessage("token", [sent])), binder)
                .ShouldBeOfType<InvocationMessage>().Arguments.Single().ShouldBeOfType<TokenEvent>();
            // UTF-8 has no unpaired surrogates: they arrive as U+FFFD, as from any UTF-8 encoder.
            received.ShouldBe(sent with { Delta = System.Text.Encoding.UTF8.GetString(System.Text.Encoding.UTF8.GetBytes(text)) });
        }
    }

    [Test]
    public void ResultsOfAnUnknownInvocation_AreSkippedAndResultsThatDoNotBind_BecomeErrors()
    {
        var binder = new ContractBinder();
        binder.ReturnTypes["typed"] = typeof(AcceptedResult);
        binder.ReturnTypes["raw"] = typeof(RawResult);

        var unknown = Parse(Protocol, Write(Protocol, CompletionMessage.WithResult("nobody", new AcceptedResult(true))), binder);
        unknown.ShouldBeOfType<CompletionMessage>().Result.ShouldBeNull();
        var mismatched = Parse(Protocol, Frame("95 03 80 a5 7479706564 03 a3 796573"), binder).ShouldBeOfType<CompletionMessage>(); // "typed" → "yes"
        mismatched.Error.ShouldStartWith("Error trying to deserialize result to AcceptedResult.");
        var raw = Parse(Protocol, Frame("95 03 80 a3 726177 03 81 a1 61 01"), binder).ShouldBeOfType<CompletionMessage>(); // "raw" → { a: 1 }
        Convert.ToHexStringLower(raw.Result.ShouldBeOfType<RawResult>().RawSerializedData.ToArray()).ShouldBe("81a16101");
        Write(Protocol, CompletionMessage.WithResult("raw", raw.Result)).ShouldBe(Frame("95 03 80 a3 726177 03 81 a1 61 01"), "a raw result is written as it came");
    }

    // The examples of the SignalR hub protocol spec, byte for byte.
    [TestCase("96 01 80 a3 78797a a6 6d6574686f64 91 2a 90", typeof(InvocationMessage))]
    [TestCase("96 01 80 c0 a6 6d6574686f64 91 2a 90", typeof(InvocationMessage))]
    [TestCase("96 01 82 a1 78 a1 79 a1 7a a1 7a a3 78797a a6 6d6574686f64 91 2a 90", typeof(InvocationMessage))]
    [TestCase("96 04 80 a3 78797a a6 6d6574686f64 91 2a 90", typeof(StreamInvocationMessage))]
    [TestCase("94 02 80 a3 78797a 2a", typeof(StreamItemMessage))]
    [TestCase("95 03 80 a3 78797a 01 a5 4572726f72", typeof(CompletionMessage))]
    [TestCase("94 03 80 a3 78797a 02", typeof(CompletionMessage))]
    [TestCase("95 03 80 a3 78797a 03 2a", typeof(CompletionMessage))]
    [TestCase("93 05 80 a3 78797a", typeof(CancelInvocationMessage))]
    [TestCase("91 06", typeof(PingMessage))]
    [TestCase("92 07 a3 78797a", typeof(CloseMessage))]
    [TestCase("93 07 a3 78797a c3", typeof(CloseMessage))]
    [TestCase("92 08 cc 24", typeof(AckMessage))]
    [TestCase("92 09 cc 13", typeof(SequenceMessage))]
    public void TheSpecExamples_Parse(string payload, Type type)
    {
        var binder = new ContractBinder();
        binder.ReturnTypes["xyz"] = typeof(int);
        binder.StreamItemTypes["xyz"] = typeof(int);
        var message = Parse(Protocol, Frame(payload), new SpecBinder(binder));
        message.ShouldBeOfType(type);
        switch (message)
        {
            case HubMethodInvocationMessage invocation:
                invocation.Target.ShouldBe("method");
                invocation.Arguments.ShouldBe([42]);
                break;
            case StreamItemMessage item:
                item.Item.ShouldBe(42);
                break;
            case CloseMessage close:
                close.Error.ShouldBe("xyz");
                break;
        }
    }

    [Test]
    public void ThePingFrame_IsExactlyWhatTheSpecSays() =>
        Convert.ToHexStringLower(Write(Protocol, PingMessage.Instance)).ShouldBe("029106");

    [Test]
    public void BindingFailures_ReadWellAndTheNextMessageStillParses()
    {
        // start_run { prompt: 42 }, then a ping, in one buffer.
        var bad = Frame("96 01 80 a1 31 a9 73746172745f72756e 91 81 a6 70726f6d7074 2a 90");
        var input = new ReadOnlySequence<byte>([.. bad, .. Frame("91 06")]);
        var binder = new ContractBinder();

        Protocol.TryParseMessage(ref input, binder, out var first).ShouldBeTrue();
        var failure = first.ShouldBeOfType<InvocationBindingFailureMessage>();
        failure.InvocationId.ShouldBe("1");
        failure.BindingFailure.SourceException.Message.ShouldStartWith(
            "The arguments of 'start_run' do not match the contract: The JSON value could not be converted to Council.Contracts.Messages.StartRunRequest. Path: $.prompt |");
        Protocol.TryParseMessage(ref input, binder, out var second).ShouldBeTrue();
        second.ShouldBeOfType<PingMessage>();
    }

    [Test]
    public void BindingFailures_ComeWithTheSameCausesAsOverJson()
    {
        var binder = new ContractBinder();
        string Cause(string json)
        {
            var invocation = $$"""{"type":1,"invocationId":"1","target":"start_run","arguments":[{{json}}]}""" + "\u001e";
            var input = new ReadOnlySequence<byte>(System.Text.Encoding.UTF8.GetBytes(invocation));
            RegisteredProtocols.Json.TryParseMessage(ref input, binder, out var message).ShouldBeTrue();
            return message.ShouldBeOfType<InvocationBindingFailureMessage>().BindingFailure.SourceException.Message;
        }
        string MessagePackCause(string payload) =>
            Parse(Protocol, Frame($"96 01 80 a1 31 a9 73746172745f72756e 91 {payload} 90"), binder)
                .ShouldBeOfType<InvocationBindingFailureMessage>().BindingFailure.SourceException.Message;

        // Positions within the JSON text differ; the path and the reason are the same.
        static string WithoutPosition(string m) => m[..m.IndexOf(" | LineNumber", StringComparison.Ordinal)];
        WithoutPosition(MessagePackCause("81 a6 70726f6d7074 2a")).ShouldBe(WithoutPosition(Cause("""{"prompt":42}""")));
        WithoutPosition(MessagePackCause("82 a6 70726f6d7074 a2 6869 a6 6d6f64656c73 a5 73696d2f61")) // models: "sim/a"
            .ShouldBe(WithoutPosition(Cause("""{"prompt":"hi","models":"sim/a"}""")));
        MessagePackCause("2a").ShouldContain("The JSON value could not be converted to Council.Contracts.Messages.StartRunRequest");
        MessagePackCause("81 01 02").ShouldContain("keys must be strings");
    }

    [Test]
    public void AnIncompleteFrame_WaitsForMoreBytesWithoutConsumingAny()
    {
        var frame = Write(Protocol, new InvocationMessage("1", "start_run", [new StartRunRequest(new string('x', 300))]));
        for (var length = 0; length < frame.Length; length++)
        {
            var input = new ReadOnlySequence<byte>(frame, 0, length);
            Protocol.TryParseMessage(ref input, new ContractBinder(), out var message).ShouldBeFalse();
            message.ShouldBeNull();
            input.Length.ShouldBe(length);
        }
    }

    [Test]
    public void AFrameSplitAcrossSegments_ParsesAsWhenContiguous()
    {
        var frame = Write(Protocol, new InvocationMessage("1", "start_run", [new StartRunRequest("naïve café 🎉", Models: ["sim/a"])]));
        for (var split = 1; split < frame.Length; split++)
        {
            var input = Segmented(frame, split / 2, split);
            Protocol.TryParseMessage(ref input, new ContractBinder(), out var message).ShouldBeTrue();
            input.Length.ShouldBe(0);
            message.ShouldBeOfType<InvocationMessage>().Arguments.Single().ShouldBeOfType<StartRunRequest>().Prompt.ShouldBe("naïve café 🎉");
        }
    }

    [Test]
    public void AnUnknownMessageType_IsIgnored()
    {
        var input = new ReadOnlySequence<byte>([.. Frame("93 63 80 a1 78"), .. Frame("91 06")]);
        Protocol.TryParseMessage(ref input, new ContractBinder(), out var message).ShouldBeTrue();
        message.ShouldBeOfType<PingMessage>();
        input.Length.ShouldBe(0);
    }

    [Test]
    public void ItemsAddedAfterTheKnownOnes_AreSkipped() =>
        Parse(Protocol, Frame("93 06 81 a1 61 92 01 02 c3")).ShouldBeOfType<PingMessage>();

    [TestCase("", "a message is empty")]
    [TestCase("c1", "the unused byte 0xc1")]
    [TestCase("01", "Expected an array")]
    [TestCase("90", "empty array")]
    [TestCase("91 a1 31", "Expected an integer")]
    [TestCase("91 cf ffffffffffffffff", "out of range")]
    [TestCase("91 ce 80000000", "does not fit in 32 bits")]
    [TestCase("94 01 80 c0 a9 73746172745f72756e", "needs at least 5")]
    [TestCase("95 01 90 c0 a1 78 90", "Expected a map")]
    [TestCase("95 01 80 c0 a0 90", "empty target")]
    [TestCase("95 01 80 c0 2a 90", "Expected a string")]
    [TestCase("95 01 80 c0 a2 c328 90", "not valid UTF-8")]
    [TestCase("95 01 80 c0 aa 6d6574", "more byte(s) were expected")]
    [TestCase("95 01 80 c0 db ffffffff", "more byte(s) were expected")]
    [TestCase("95 01 80 c0 a9 73746172745f72756e dd ffffffff", "declares 4294967295 elements")]
    [TestCase("95 01 df ffffffff", "declares 4294967295 entries")]
    [TestCase("95 01 81 a1 61 c0 c0 a1 78 90", "nil value")]
    [TestCase("95 01 81 a0 a1 61 c0 a1 78 90", "empty name")]
    [TestCase("95 01 80 c0 a9 73746172745f72756e 91 c6 7fffffff", "more byte(s) were expected")]
    [TestCase("96 01 80 c0 a9 73746172745f72756e 90 91 a0", "stream id is empty")]
    [TestCase("95 04 80 c0 a6 73747265616d 90", "no invocation id")]
    [TestCase("95 03 80 a1 31 04 c0", "result kind 4")]
    [TestCase("94 03 80 a1 31 01", "needs at least 5")]
    [TestCase("95 03 80 a1 31 01 c0", "error is nil")]
    [TestCase("94 02 80 c0 2a", "no invocation id")]
    [TestCase("91 06 c0", "1 more byte(s)")]
    [TestCase("92 08 a1 31", "Expected an integer")]
    [TestCase("93 07 c0 a1 31", "Expected a boolean")]
    public void MalformedMessages_AreProtocolErrors(string payload, string reason)
    {
        var frame = payload.Length == 0 ? [0] : Frame(payload);
        Should.Throw<InvalidDataException>(() => Parse(Protocol, frame)).Message.ShouldContain(reason);
    }

    [TestCase("ffffffffff01")]
    [TestCase("ffffffff0f")]
    [TestCase("8080808010")]
    public void LengthPrefixesOf2GBOrMore_AreProtocolErrors(string prefix) =>
        Should.Throw<InvalidDataException>(() => Parse(Protocol, Convert.FromHexString(prefix)));

    [Test]
    public void AFrameOverTheSizeLimit_IsRefusedBeforeItsBytesArrive()
    {
        var protocol = RegisteredProtocols.Bare(maximumMessageSize: 1000);
        var input = new ReadOnlySequence<byte>(Convert.FromHexString("e907")); // 1001 bytes declared, none sent
        Should.Throw<InvalidDataException>(() => protocol.TryParseMessage(ref input, new ContractBinder(), out _))
            .Message.ShouldContain("declares 1001 bytes, over the 1000-byte limit");
        var exact = new ReadOnlySequence<byte>(Convert.FromHexString("e807"));
        protocol.TryParseMessage(ref exact, new ContractBinder(), out _).ShouldBeFalse();
    }

    [TestCase(62, false)]
    [TestCase(63, true)]
    [TestCase(10_000, true)]
    public void NestingDeeperThan64_IsAProtocolError(int nestedArrays, bool refused)
    {
        // The message array is depth 1, its arguments array 2, so the argument's innermost array is at 2 + nestedArrays.
        byte[] payload = [.. Convert.FromHexString("950180a131a973746172745f72756e91"), .. Enumerable.Repeat((byte)0x91, nestedArrays - 1), 0x90];
        if (refused)
        {
            Should.Throw<InvalidDataException>(() => Parse(Protocol, Frame(payload))).Message.ShouldContain("nest deeper than 64");
        }
        else
        {
            Parse(Protocol, Frame(payload)).ShouldBeOfType<InvocationBindingFailureMessage>();
        }
    }

    [Test]
    public void DeclaredLengths_DoNotDriveAllocation()
    {
        // A 60 KB frame that declares a 4 GB string, a 4-billion element array, and a 4-billion entry header map.
        string[] lies = ["95 01 80 c0 db fffffff0", "95 01 80 c0 a9 73746172745f72756e dd fffffff0", "95 01 df fffffff0"];
        foreach (var lie in lies)
        {
            var frame = Frame([.. Convert.FromHexString(lie.Replace(" ", "", StringComparison.Ordinal)), .. new byte[60_000]]);
            Should.Throw<InvalidDataException>(() => Parse(Protocol, frame)); // warm up
            var before = GC.GetAllocatedBytesForCurrentThread();
            Should.Throw<InvalidDataException>(() => Parse(Protocol, frame));
            (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBeLessThan(16 * 1024, lie);
        }
    }

    [Test]
    public void WritingTokenEvents_AllocatesNothingOnceWarm()
    {
        var message = new InvocationMessage("token", [new TokenEvent("01a1fe3626d37c37a9437aae87be3564", 42, 0, "sim/fast?ttft=30&tps=300&tokens=40", " token")]);
        var output = new ArrayBufferWriter<byte>(64 * 1024);
        for (var i = 0; i < 100; i++)
        {
            Protocol.WriteMessage(message, output);
            output.ResetWrittenCount();
        }
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            Protocol.WriteMessage(message, output);
            output.ResetWrittenCount();
        }
        ((GC.GetAllocatedBytesForCurrentThread() - before) / 1000.0).ShouldBeLessThan(1, "bytes allocated per token message");
    }

    private static T RoundTrip<T>(HubMessage message, IInvocationBinder binder) where T : HubMessage =>
        Parse(Protocol, Write(Protocol, message), binder).ShouldBeOfType<T>();

    private static void ShouldMatchInvocation(HubMethodInvocationMessage invocation, JsonElement expected)
    {
        invocation.Target.ShouldBe(expected.GetProperty("target").GetString());
        invocation.InvocationId.ShouldBe(expected.TryGetProperty("invocationId", out var id) ? id.GetString() : null);
        var headers = expected.TryGetProperty("headers", out var h) ? h.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!) : null;
        invocation.Headers.ShouldBe(headers);
        var streamIds = expected.GetProperty("streamIds").EnumerateArray().Select(s => s.GetString()!).ToArray();
        (invocation.StreamIds ?? []).ShouldBe(streamIds);
        var arguments = expected.GetProperty("arguments").EnumerateArray().ToArray();
        invocation.Arguments.Length.ShouldBe(arguments.Length);
        for (var i = 0; i < arguments.Length; i++)
        {
            Json(invocation.Arguments[i]).ShouldBeEquivalentTo(arguments[i].GetRawText());
        }
    }

    /// <summary>The message a server frame vector stands for, with its arguments as the contract types the hub sends.</summary>
    private static HubMessage ServerMessage(JsonElement vector)
    {
        var m = vector.GetProperty("message");
        string? Text(string name) => m.TryGetProperty(name, out var p) ? p.GetString() : null;
        var headers = m.TryGetProperty("headers", out var h) ? h.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!) : null;
        var streamIds = m.TryGetProperty("streamIds", out var s) ? s.EnumerateArray().Select(x => x.GetString()!).ToArray() : null;
        object?[] Arguments() => vector.TryGetProperty("argumentTypes", out var types)
            ? m.GetProperty("arguments").EnumerateArray().Zip(types.EnumerateArray(), (a, t) => Bind(a, t.GetString()!)).ToArray()
            : [];
        HubMessage message = m.GetProperty("type").GetInt32() switch
        {
            1 => new InvocationMessage(Text("invocationId"), Text("target")!, Arguments(), streamIds) { Headers = headers },
            2 => new StreamItemMessage(Text("invocationId")!, Text("item")),
            3 when Text("error") is { } error => CompletionMessage.WithError(Text("invocationId")!, error),
            3 when m.TryGetProperty("result", out var result) => CompletionMessage.WithResult(Text("invocationId")!, Bind(result, vector.GetProperty("resultType").GetString()!)),
            3 => CompletionMessage.Empty(Text("invocationId")!),
            4 => new StreamInvocationMessage(Text("invocationId")!, Text("target")!, Arguments(), streamIds),
            5 => new CancelInvocationMessage(Text("invocationId")!),
            6 => PingMessage.Instance,
            7 => new CloseMessage(Text("error"), m.GetProperty("allowReconnect").GetBoolean()),
            8 => new AckMessage(m.GetProperty("sequenceId").GetInt64()),
            9 => new SequenceMessage(m.GetProperty("sequenceId").GetInt64()),
            var type => throw new AssertionException($"No message type {type}."),
        };
        return message;
    }

    private static object? Bind(JsonElement value, string typeName) => typeName switch
    {
        "TokenEvent" => value.Deserialize<TokenEvent>(RegisteredProtocols.PayloadOptions),
        "ModelCompleteEvent" => value.Deserialize<ModelCompleteEvent>(RegisteredProtocols.PayloadOptions),
        "StartRunResult" => value.Deserialize<StartRunResult>(RegisteredProtocols.PayloadOptions),
        // What list_models returns at run time: an array, which the contract metadata knows as IReadOnlyList<ModelInfo>.
        "ModelInfo[]" => value.Deserialize<IReadOnlyList<ModelInfo>>(RegisteredProtocols.PayloadOptions)!.ToArray(),
        "Int32" => value.GetInt32(),
        "String" => value.ValueKind == JsonValueKind.Null ? null : value.GetString(),
        "Boolean" => value.GetBoolean(),
        "Double" => value.GetDouble(),
        _ => throw new AssertionException($"No type {typeName}."),
    };

    private static string Json(object? value) => JsonSerializer.Serialize(value, RegisteredProtocols.PayloadOptions);

    /// <summary>The spec's examples call <c>method(42)</c>.</summary>
    private sealed class SpecBinder(ContractBinder inner) : IInvocationBinder
    {
        public IReadOnlyList<Type> GetParameterTypes(string methodName) => methodName == "method" ? [typeof(int)] : inner.GetParameterTypes(methodName);

        public Type GetReturnType(string invocationId) => inner.GetReturnType(invocationId);

        public Type GetStreamItemType(string streamId) => inner.GetStreamItemType(streamId);
    }
}
