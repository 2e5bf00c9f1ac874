using System.Buffers;
using Council.Server.Hub.MessagePack;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Council.Server.Tests.Hub.MessagePack;

/// <summary>Builds and reads framed messages for protocol tests.</summary>
internal static class Frames
{
    /// <summary>A payload given in hex (spaces allowed), framed with its VarInt length.</summary>
    public static byte[] Frame(string payloadHex) => Frame(Convert.FromHexString(payloadHex.Replace(" ", "", StringComparison.Ordinal)));

    public static byte[] Frame(byte[] payload)
    {
        var prefix = new byte[BinaryMessageFormat.MaxLengthPrefixSize];
        var size = BinaryMessageFormat.WriteLengthPrefix(payload.Length, prefix);
        return [.. prefix[..size], .. payload];
    }

    public static byte[] Write(IHubProtocol protocol, HubMessage message)
    {
        var output = new ArrayBufferWriter<byte>();
        protocol.WriteMessage(message, output);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>Parses exactly one message from <paramref name="frame"/>, which it must consume whole.</summary>
    public static HubMessage Parse(IHubProtocol protocol, byte[] frame, IInvocationBinder? binder = null)
    {
        var input = new ReadOnlySequence<byte>(frame);
        protocol.TryParseMessage(ref input, binder ?? new ContractBinder(), out var message).ShouldBeTrue();
        input.Length.ShouldBe(0);
        return message!;
    }

    /// <summary>The same bytes as a sequence of several segments, split at the given offsets.</summary>
    public static ReadOnlySequence<byte> Segmented(byte[] bytes, params int[] splits)
    {
        var bounds = splits.Where(s => s > 0 && s < bytes.Length).Distinct().Order().Append(bytes.Length).ToArray();
        Segment? first = null;
        Segment? last = null;
        var start = 0;
        foreach (var end in bounds)
        {
            var segment = new Segment(bytes.AsMemory(start, end - start), last?.RunningIndex + last?.Memory.Length ?? 0);
            first ??= segment;
            last?.SetNext(segment);
            last = segment;
            start = end;
        }
        return first is null ? ReadOnlySequence<byte>.Empty : new ReadOnlySequence<byte>(first, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public void SetNext(Segment next) => Next = next;
    }
}
