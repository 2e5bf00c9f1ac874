using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Council.Server.Hub.MessagePack;

/// <summary>
/// SignalR's MessagePack hub protocol (name <c>messagepack</c>, version 2, as <c>@microsoft/signalr-protocol-msgpack</c>
/// negotiates): VarInt length-prefixed frames, each one MessagePack array per the SignalR hub protocol spec.
/// Arguments and results are transcoded to and from JSON and bound with the JSON protocol's payload options,
/// so they carry the contract's camelCase field names and bind exactly as they do over JSON.
/// Malformed input throws <see cref="InvalidDataException"/>, which closes only the connection that sent it;
/// arguments that are well formed but don't fit the hub method give an <see cref="InvocationBindingFailureMessage"/>.
/// </summary>
public sealed partial class MessagePackHubProtocol : IHubProtocol
{
    private const int ErrorResult = 1;
    private const int VoidResult = 2;
    private const int NonVoidResult = 3;

    // Depth of the values inside a message: the message array is 1, its items 2, an argument 3.
    private const int ItemDepth = 2;
    private const int ArgumentDepth = 3;

    private const int CopyChunk = 4096;

    private const string ArgumentMismatch =
        "Error binding arguments. Make sure that the types of the provided values match the types of the hub method being invoked.";

    private readonly JsonSerializerOptions _payloadOptions;
    private readonly int _maximumMessageSize;
    private readonly int _maximumDepth;

    /// <param name="payloadOptions">The JSON protocol's payload options: contract metadata, naming, null handling.</param>
    public MessagePackHubProtocol(JsonSerializerOptions payloadOptions, MessagePackHubProtocolOptions? options = null)
    {
        options ??= new MessagePackHubProtocolOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaximumMessageSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaximumDepth, ArgumentDepth);
        _payloadOptions = payloadOptions;
        _maximumMessageSize = options.MaximumMessageSize;
        _maximumDepth = options.MaximumDepth;
    }

    public string Name => "messagepack";

    public int Version => 2;

    public TransferFormat TransferFormat => TransferFormat.Binary;

    public bool IsVersionSupported(int version) => version is >= 1 and <= 2;

    public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, [NotNullWhen(true)] out HubMessage? message)
    {
        while (BinaryMessageFormat.TryReadLengthPrefix(input, out var length, out var prefixSize))
        {
            if (length == 0)
            {
                throw new InvalidDataException("Invalid message frame: a message is empty.");
            }
            if (length > _maximumMessageSize)
            {
                throw new InvalidDataException($"Invalid message frame: a message declares {length} bytes, over the {_maximumMessageSize}-byte limit.");
            }
            if (input.Length - prefixSize < length)
            {
                break;
            }
            var payload = input.Slice(prefixSize, length);
            message = Parse(payload, binder);
            input = input.Slice(payload.End);
            if (message is not null)
            {
                return true;
            }
            // A message type this version does not know: ignored, as the spec asks of receivers.
        }
        message = null;
        return false;
    }

    public void WriteMessage(HubMessage message, IBufferWriter<byte> output)
    {
        var scratch = TranscodingScratch.Rent();
        try
        {
            WritePayload(message, scratch);
            var payload = scratch.Payload.WrittenSpan;
            var prefixSize = BinaryMessageFormat.LengthPrefixSize(payload.Length);
            if (payload.Length <= CopyChunk)
            {
                var span = output.GetSpan(prefixSize + payload.Length);
                BinaryMessageFormat.WriteLengthPrefix(payload.Length, span);
                payload.CopyTo(span[prefixSize..]);
                output.Advance(prefixSize + payload.Length);
                return;
            }
            output.Advance(BinaryMessageFormat.WriteLengthPrefix(payload.Length, output.GetSpan(prefixSize)));
            // In pieces no larger than a pipe's pooled segment, so a long answer never makes the transport allocate.
            while (!payload.IsEmpty)
            {
                var span = output.GetSpan(Math.Min(payload.Length, CopyChunk));
                var chunk = Math.Min(span.Length, payload.Length);
                payload[..chunk].CopyTo(span);
                output.Advance(chunk);
                payload = payload[chunk..];
            }
        }
        finally
        {
            TranscodingScratch.Return(scratch);
        }
    }

    public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message)
    {
        var scratch = TranscodingScratch.Rent();
        try
        {
            WritePayload(message, scratch);
            var payload = scratch.Payload.WrittenSpan;
            var bytes = new byte[BinaryMessageFormat.LengthPrefixSize(payload.Length) + payload.Length];
            var prefixSize = BinaryMessageFormat.WriteLengthPrefix(payload.Length, bytes);
            payload.CopyTo(bytes.AsSpan(prefixSize));
            return bytes;
        }
        finally
        {
            TranscodingScratch.Return(scratch);
        }
    }
}
