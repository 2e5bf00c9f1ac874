using System.Buffers;
using System.Text.Json;
using Council.Contracts.Messages;
using Microsoft.AspNetCore.SignalR.Protocol;
using static Council.Server.Tests.Hub.MessagePack.Frames;

namespace Council.Server.Tests.Hub.MessagePack;

/// <summary>
/// Feeds the protocol random bytes and mutated real frames (fixed seeds, so a failure reproduces). Whatever
/// comes in, parsing either returns messages, waits for more bytes, or throws <see cref="InvalidDataException"/>
/// (which closes only that connection); it always finishes, and allocates in proportion to what it was sent.
/// </summary>
public class MessagePackReaderFuzzTests
{
    private const int Iterations = 20_000;

    /// <summary>Generous: strings, the JSON an argument becomes (escapes make it up to 6 times longer), exceptions.</summary>
    private const int AllocationPerInputByte = 64;
    private const int AllocationBase = 48 * 1024;

    private static readonly byte[] Interesting =
        [0x00, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc6, 0xc9, 0xca, 0xcb, 0xcf, 0xd3, 0xd4, 0xd8, 0xd9, 0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0xe0, 0xff];

    [Test]
    [CancelAfter(120_000)]
    public void MutatedRealFrames_OnlyEverFailAsInvalidData(CancellationToken cancellation)
    {
        var corpus = Corpus();
        var random = new Random(20261121);
        var outcomes = new Outcomes();
        for (var i = 0; i < Iterations && !cancellation.IsCancellationRequested; i++)
        {
            var frame = corpus[random.Next(corpus.Count)];
            var mutated = random.Next(4) == 0
                ? Mutate(frame, random) // the frame as a whole, length prefix included
                : Frame(Mutate(Payload(frame), random)); // the payload, re-framed, to get past the length check
            ParseAll(mutated, random, outcomes);
        }
        TestContext.Out.WriteLine($"mutated frames: {outcomes}");
        outcomes.Failed.ShouldBeGreaterThan(Iterations / 10, "mutations reach the error paths");
        outcomes.Parsed.ShouldBeGreaterThan(Iterations / 20, "mutations also reach the paths past them");
    }

    [Test]
    [CancelAfter(120_000)]
    public void RandomBytes_OnlyEverFailAsInvalidData(CancellationToken cancellation)
    {
        var random = new Random(7);
        var outcomes = new Outcomes();
        for (var i = 0; i < Iterations && !cancellation.IsCancellationRequested; i++)
        {
            var payload = new byte[random.Next(0, 300)];
            random.NextBytes(payload);
            if (payload.Length > 0 && random.Next(2) == 0)
            {
                payload[0] = (byte)(0x91 + random.Next(6)); // an array, so the parser reads on
                if (payload.Length > 1)
                {
                    payload[1] = (byte)random.Next(1, 10); // a message type
                }
            }
            ParseAll(random.Next(3) == 0 ? payload : Frame(payload), random, outcomes);
        }
        TestContext.Out.WriteLine($"random bytes: {outcomes}");
        outcomes.Failed.ShouldBeGreaterThan(Iterations / 2);
    }

    /// <summary>Parses every message in <paramref name="bytes"/>, split into random segments, checking the outcome is allowed.</summary>
    private static void ParseAll(byte[] bytes, Random random, Outcomes outcomes)
    {
        var protocol = RegisteredProtocols.MessagePack;
        var binder = new ContractBinder();
        binder.ReturnTypes["1"] = typeof(StartRunResult);
        var input = Segmented(bytes, random.Next(bytes.Length + 1), random.Next(bytes.Length + 1));
        var before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            var parsed = 0;
            while (protocol.TryParseMessage(ref input, binder, out var message))
            {
                message.ShouldNotBeNull();
                (++parsed).ShouldBeLessThanOrEqualTo(bytes.Length, "each message takes at least one byte");
            }
            if (parsed > 0)
            {
                outcomes.Parsed++;
            }
            else
            {
                outcomes.Incomplete++;
            }
        }
        catch (InvalidDataException)
        {
            outcomes.Failed++;
        }
        catch (Exception ex)
        {
            Assert.Fail($"{ex.GetType().Name} for {Convert.ToHexStringLower(bytes)}: {ex}");
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        outcomes.MostAllocated = Math.Max(outcomes.MostAllocated, allocated);
        allocated.ShouldBeLessThan(AllocationBase + AllocationPerInputByte * (long)bytes.Length, Convert.ToHexStringLower(bytes));
    }

    private static byte[] Mutate(byte[] source, Random random)
    {
        var bytes = source.ToList();
        var mutations = 1 + random.Next(3);
        for (var m = 0; m < mutations && bytes.Count > 0; m++)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(8))
            {
                case 0:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    bytes[at] = Interesting[random.Next(Interesting.Length)];
                    break;
                case 2:
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 3:
                    bytes.Insert(at, Interesting[random.Next(Interesting.Length)]);
                    break;
                case 4:
                    bytes.RemoveRange(at, Math.Min(bytes.Count - at, 1 + random.Next(4)));
                    break;
                case 5:
                    bytes.RemoveRange(at, bytes.Count - at); // truncated
                    break;
                case 6:
                    var length = Math.Min(bytes.Count - at, 1 + random.Next(16));
                    bytes.InsertRange(random.Next(bytes.Count), bytes.GetRange(at, length));
                    break;
                default:
                    // A big-endian length field set to something large.
                    var big = BitConverter.GetBytes(random.Next(2) == 0 ? uint.MaxValue - (uint)random.Next(16) : (uint)random.Next(1 << 20));
                    for (var k = 0; k < 4 && at + 1 + k < bytes.Count; k++)
                    {
                        bytes[at + 1 + k] = big[3 - k];
                    }
                    break;
            }
        }
        return [.. bytes];
    }

    private static byte[] Payload(byte[] frame)
    {
        var input = new ReadOnlySequence<byte>(frame);
        Council.Server.Hub.MessagePack.BinaryMessageFormat.TryReadLengthPrefix(input, out _, out var prefixSize).ShouldBeTrue();
        return frame[prefixSize..];
    }

    /// <summary>Real frames: what the official client writes, what the server writes, and a few larger ones.</summary>
    private static List<byte[]> Corpus()
    {
        var frames = MessagePackVectors.ClientFrames().Concat(MessagePackVectors.ServerFrames())
            .Select(c => Convert.FromHexString(((JsonElement)c.Arguments[0]!).GetProperty("frame").GetString()!))
            .ToList();
        var protocol = RegisteredProtocols.MessagePack;
        frames.Add(Write(protocol, new InvocationMessage("9", "start_run", [new StartRunRequest("naïve 🎉 " + new string('x', 300), "council", ["sim/a", "sim/b"], "sim/c", "conv")]) { Headers = new Dictionary<string, string> { ["k"] = "v" } }));
        frames.Add(Write(protocol, new InvocationMessage("token", [new TokenEvent("run", 1, 0, "sim/a", " token")])));
        frames.Add(Write(protocol, CompletionMessage.WithResult("1", new StartRunResult("run", "conv", "council", [new StageInfo(0, "answers", "answers", ["sim/a"])]))));
        frames.Add(Write(protocol, new StreamInvocationMessage("2", "cancel_run", [new CancelRunRequest("run")], ["s1"])));
        return frames;
    }

    private sealed class Outcomes
    {
        public int Parsed { get; set; }

        public int Incomplete { get; set; }

        public int Failed { get; set; }

        public long MostAllocated { get; set; }

        public override string ToString() =>
            $"{Parsed} parsed, {Incomplete} incomplete, {Failed} protocol errors; at most {MostAllocated} bytes allocated for one input";
    }
}
