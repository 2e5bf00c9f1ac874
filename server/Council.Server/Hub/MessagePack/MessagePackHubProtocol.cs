using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.ExceptionServices;
using System.Text;
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
public sealed class MessagePackHubProtocol : IHubProtocol
{
    private const int ErrorResult = 1;
    private const int VoidResult = 2;
    private const int NonVoidResult = 3;

    // Depth of the values inside a message: the message array is 1, its items 2, an argument 3.
    private const int ItemDepth = 2;
    private const int ArgumentDepth = 3;

    private const int CopyChunk = 4096;

    private static readonly string ArgumentMismatch =
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

    private HubMessage? Parse(ReadOnlySequence<byte> payload, IInvocationBinder binder)
    {
        if (payload.IsSingleSegment)
        {
            return Parse(payload.FirstSpan, binder);
        }
        // Bounded by the message size limit, checked before the bytes were awaited.
        var copy = ArrayPool<byte>.Shared.Rent((int)payload.Length);
        try
        {
            payload.CopyTo(copy);
            return Parse(copy.AsSpan(0, (int)payload.Length), binder);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
        }
    }

    private HubMessage? Parse(ReadOnlySpan<byte> payload, IInvocationBinder binder)
    {
        var reader = new MessagePackReader(payload, _maximumDepth);
        var items = reader.ReadArrayHeader();
        if (items == 0)
        {
            throw Invalid("A message is an empty array; its first item must be the message type.");
        }
        var type = reader.ReadInt32();
        var read = 2;
        HubMessage? message;
        switch (type)
        {
            case HubProtocolConstants.InvocationMessageType:
                message = ReadInvocation(ref reader, binder, items, streaming: false);
                read = Math.Min(items, 6);
                break;
            case HubProtocolConstants.StreamInvocationMessageType:
                message = ReadInvocation(ref reader, binder, items, streaming: true);
                read = Math.Min(items, 6);
                break;
            case HubProtocolConstants.StreamItemMessageType:
                message = ReadStreamItem(ref reader, binder, items);
                read = 4;
                break;
            case HubProtocolConstants.CompletionMessageType:
                message = ReadCompletion(ref reader, binder, items, out read);
                break;
            case HubProtocolConstants.CancelInvocationMessageType:
                Require(items, 3, "CancelInvocation");
                var headers = ReadHeaders(ref reader);
                message = WithHeaders(headers, new CancelInvocationMessage(ReadInvocationId(ref reader, "CancelInvocation")));
                read = 3;
                break;
            case HubProtocolConstants.PingMessageType:
                message = PingMessage.Instance;
                read = 1;
                break;
            case HubProtocolConstants.CloseMessageType:
                message = ReadClose(ref reader, items);
                read = Math.Min(items, 3);
                break;
            case HubProtocolConstants.AckMessageType:
                Require(items, 2, "Ack");
                message = new AckMessage(reader.ReadInt64());
                break;
            case HubProtocolConstants.SequenceMessageType:
                Require(items, 2, "Sequence");
                message = new SequenceMessage(reader.ReadInt64());
                break;
            default:
                message = null;
                read = 1;
                break;
        }
        // Items after the ones this version knows are allowed (the spec's room for additions), but must be well formed.
        for (; read < items; read++)
        {
            reader.Skip(ItemDepth);
        }
        if (!reader.End)
        {
            throw Invalid($"The message array ends at offset {reader.Position} but the message has {reader.Remaining} more byte(s).");
        }
        return message;
    }

    private HubMessage ReadInvocation(ref MessagePackReader reader, IInvocationBinder binder, int items, bool streaming)
    {
        var kind = streaming ? "StreamInvocation" : "Invocation";
        Require(items, 5, kind);
        var headers = ReadHeaders(ref reader);
        var invocationId = reader.ReadString();
        if (string.IsNullOrEmpty(invocationId))
        {
            // Nil (or, from some clients, "") marks a non-blocking invocation; a stream invocation needs an id.
            invocationId = streaming ? throw Invalid("A StreamInvocation message has no invocation id.") : null;
        }
        var targetBytes = reader.ReadStringSpan();
        if (targetBytes.IsEmpty)
        {
            throw Invalid($"An {kind} message has an empty target.");
        }
        var target = binder.GetTarget(targetBytes) ?? Encoding.UTF8.GetString(targetBytes);

        Exception? bindingFailure = null;
        IReadOnlyList<Type> parameterTypes = [];
        try
        {
            parameterTypes = binder.GetParameterTypes(target);
        }
        catch (Exception ex)
        {
            bindingFailure = ex;
        }
        var count = reader.ReadArrayHeader();
        if (bindingFailure is null && count != parameterTypes.Count)
        {
            bindingFailure = new InvalidDataException($"Invocation provides {count} argument(s) but target expects {parameterTypes.Count}.");
        }
        // Sized by the hub method, never by the client: a mismatched count never gets here.
        var arguments = bindingFailure is null ? new object?[count] : null;
        for (var i = 0; i < count; i++)
        {
            var raw = reader.ReadRaw(ArgumentDepth);
            if (arguments is null)
            {
                continue;
            }
            try
            {
                arguments[i] = Deserialize(raw, parameterTypes[i]);
            }
            catch (Exception ex)
            {
                bindingFailure = new InvalidDataException(ArgumentMismatch, ex);
                arguments = null;
            }
        }
        var streamIds = items > 5 ? ReadStreamIds(ref reader) : null;

        if (arguments is null)
        {
            return new InvocationBindingFailureMessage(invocationId, target, ExceptionDispatchInfo.Capture(bindingFailure!));
        }
        return streaming
            ? WithHeaders(headers, new StreamInvocationMessage(invocationId!, target, arguments, streamIds))
            : WithHeaders(headers, new InvocationMessage(invocationId, target, arguments, streamIds));
    }

    private HubMessage ReadStreamItem(ref MessagePackReader reader, IInvocationBinder binder, int items)
    {
        Require(items, 4, "StreamItem");
        var headers = ReadHeaders(ref reader);
        var streamId = ReadInvocationId(ref reader, "StreamItem");
        var raw = reader.ReadRaw(ItemDepth);
        try
        {
            var item = Deserialize(raw, binder.GetStreamItemType(streamId));
            return WithHeaders(headers, new StreamItemMessage(streamId, item));
        }
        catch (Exception ex)
        {
            return new StreamBindingFailureMessage(streamId, ExceptionDispatchInfo.Capture(ex));
        }
    }

    private CompletionMessage ReadCompletion(ref MessagePackReader reader, IInvocationBinder binder, int items, out int read)
    {
        Require(items, 4, "Completion");
        var headers = ReadHeaders(ref reader);
        var invocationId = ReadInvocationId(ref reader, "Completion");
        var resultKind = reader.ReadInt32();
        read = 4;
        if (resultKind is ErrorResult or NonVoidResult)
        {
            Require(items, 5, "Completion");
            read = 5;
        }
        switch (resultKind)
        {
            case ErrorResult:
                var error = reader.ReadString() ?? throw Invalid("A Completion message's error is nil.");
                return WithHeaders(headers, CompletionMessage.WithError(invocationId, error));
            case VoidResult:
                return WithHeaders(headers, CompletionMessage.Empty(invocationId));
            case NonVoidResult:
                var raw = reader.ReadRaw(ItemDepth);
                Type? resultType;
                try
                {
                    resultType = binder.GetReturnType(invocationId);
                }
                catch (Exception)
                {
                    resultType = null; // No such invocation: the dispatcher reports it, the bytes are not needed.
                }
                if (resultType is null)
                {
                    return WithHeaders(headers, new CompletionMessage(invocationId, error: null, result: null, hasResult: true));
                }
                if (resultType == typeof(RawResult))
                {
                    return WithHeaders(headers, CompletionMessage.WithResult(invocationId, new RawResult(new ReadOnlySequence<byte>(raw.ToArray()))));
                }
                try
                {
                    return WithHeaders(headers, CompletionMessage.WithResult(invocationId, Deserialize(raw, resultType)));
                }
                catch (Exception ex)
                {
                    return WithHeaders(headers, CompletionMessage.WithError(invocationId, $"Error trying to deserialize result to {resultType.Name}. {ex.Message}"));
                }
            default:
                throw Invalid($"A Completion message has result kind {resultKind}; it must be 1 (error), 2 (void) or 3 (result).");
        }
    }

    private static CloseMessage ReadClose(ref MessagePackReader reader, int items)
    {
        Require(items, 2, "Close");
        var error = reader.ReadString();
        var allowReconnect = items > 2 && !reader.TryReadNil() && reader.ReadBoolean();
        return error is null && !allowReconnect ? CloseMessage.Empty : new CloseMessage(error, allowReconnect);
    }

    private static Dictionary<string, string>? ReadHeaders(ref MessagePackReader reader)
    {
        var count = reader.ReadMapHeader();
        if (count == 0)
        {
            return null;
        }
        var headers = new Dictionary<string, string>(Math.Min(count, 16), StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var key = reader.ReadString();
            if (string.IsNullOrEmpty(key))
            {
                throw Invalid("A header has an empty name.");
            }
            headers[key] = reader.ReadString() ?? throw Invalid($"Header '{key}' has a nil value.");
        }
        return headers;
    }

    private static string ReadInvocationId(ref MessagePackReader reader, string kind)
    {
        var id = reader.ReadString();
        return string.IsNullOrEmpty(id) ? throw Invalid($"A {kind} message has no invocation id.") : id;
    }

    private static string[]? ReadStreamIds(ref MessagePackReader reader)
    {
        var count = reader.ReadArrayHeader();
        if (count == 0)
        {
            return null;
        }
        var ids = new string[count]; // At most one per remaining byte, so bounded by the message.
        for (var i = 0; i < count; i++)
        {
            var id = reader.ReadString();
            ids[i] = string.IsNullOrEmpty(id) ? throw Invalid("A stream id is empty.") : id;
        }
        return ids;
    }

    private object? Deserialize(ReadOnlySpan<byte> raw, Type type)
    {
        var scratch = TranscodingScratch.Rent();
        try
        {
            var json = scratch.StartJson();
            var reader = new MessagePackReader(raw, _maximumDepth);
            MessagePackJson.WriteJson(ref reader, json);
            json.Flush();
            return JsonSerializer.Deserialize(scratch.Json.WrittenSpan, type, _payloadOptions);
        }
        finally
        {
            TranscodingScratch.Return(scratch);
        }
    }

    private void WritePayload(HubMessage message, TranscodingScratch scratch)
    {
        var writer = new MessagePackWriter(scratch.Payload);
        switch (message)
        {
            case InvocationMessage invocation:
                WriteInvocation(writer, HubProtocolConstants.InvocationMessageType, invocation.Headers, invocation.InvocationId, invocation.Target, invocation.Arguments, invocation.StreamIds, scratch);
                break;
            case StreamInvocationMessage invocation:
                WriteInvocation(writer, HubProtocolConstants.StreamInvocationMessageType, invocation.Headers, invocation.InvocationId, invocation.Target, invocation.Arguments, invocation.StreamIds, scratch);
                break;
            case StreamItemMessage item:
                writer.WriteArrayHeader(4);
                writer.WriteInt64(HubProtocolConstants.StreamItemMessageType);
                WriteHeaders(writer, item.Headers);
                writer.WriteString(item.InvocationId);
                WriteValue(writer, item.Item, scratch);
                break;
            case CompletionMessage completion:
                var resultKind = completion.Error is not null ? ErrorResult : completion.HasResult ? NonVoidResult : VoidResult;
                writer.WriteArrayHeader(resultKind == VoidResult ? 4 : 5);
                writer.WriteInt64(HubProtocolConstants.CompletionMessageType);
                WriteHeaders(writer, completion.Headers);
                writer.WriteString(completion.InvocationId);
                writer.WriteInt64(resultKind);
                if (resultKind == ErrorResult)
                {
                    writer.WriteString(completion.Error);
                }
                else if (resultKind == NonVoidResult)
                {
                    WriteValue(writer, completion.Result, scratch);
                }
                break;
            case CancelInvocationMessage cancel:
                writer.WriteArrayHeader(3);
                writer.WriteInt64(HubProtocolConstants.CancelInvocationMessageType);
                WriteHeaders(writer, cancel.Headers);
                writer.WriteString(cancel.InvocationId);
                break;
            case PingMessage:
                writer.WriteArrayHeader(1);
                writer.WriteInt64(HubProtocolConstants.PingMessageType);
                break;
            case CloseMessage close:
                writer.WriteArrayHeader(3);
                writer.WriteInt64(HubProtocolConstants.CloseMessageType);
                writer.WriteString(string.IsNullOrEmpty(close.Error) ? null : close.Error);
                writer.WriteBoolean(close.AllowReconnect);
                break;
            case AckMessage ack:
                writer.WriteArrayHeader(2);
                writer.WriteInt64(HubProtocolConstants.AckMessageType);
                writer.WriteInt64(ack.SequenceId);
                break;
            case SequenceMessage sequence:
                writer.WriteArrayHeader(2);
                writer.WriteInt64(HubProtocolConstants.SequenceMessageType);
                writer.WriteInt64(sequence.SequenceId);
                break;
            default:
                throw new InvalidOperationException($"The MessagePack protocol does not write {message.GetType().Name}.");
        }
    }

    private void WriteInvocation(
        MessagePackWriter writer,
        int type,
        IDictionary<string, string>? headers,
        string? invocationId,
        string target,
        object?[]? arguments,
        string[]? streamIds,
        TranscodingScratch scratch)
    {
        // Without stream ids the array stops after the arguments: readers accept 5 items (older clients send 5),
        // and it saves a byte on every event.
        var hasStreams = streamIds is { Length: > 0 };
        writer.WriteArrayHeader(hasStreams ? 6 : 5);
        writer.WriteInt64(type);
        WriteHeaders(writer, headers);
        writer.WriteString(string.IsNullOrEmpty(invocationId) ? null : invocationId);
        writer.WriteString(target);
        writer.WriteArrayHeader(arguments?.Length ?? 0);
        foreach (var argument in arguments ?? [])
        {
            WriteValue(writer, argument, scratch);
        }
        if (hasStreams)
        {
            writer.WriteArrayHeader(streamIds!.Length);
            foreach (var id in streamIds)
            {
                writer.WriteString(id);
            }
        }
    }

    private static void WriteHeaders(MessagePackWriter writer, IDictionary<string, string>? headers)
    {
        if (headers is null || headers.Count == 0)
        {
            writer.WriteMapHeader(0);
            return;
        }
        writer.WriteMapHeader(headers.Count);
        foreach (var (key, value) in headers)
        {
            writer.WriteString(key);
            writer.WriteString(value);
        }
    }

    private void WriteValue(MessagePackWriter writer, object? value, TranscodingScratch scratch)
    {
        switch (value)
        {
            case null:
                writer.WriteNil();
                break;
            case string text:
                writer.WriteString(text);
                break;
            case RawResult raw:
                foreach (var segment in raw.RawSerializedData)
                {
                    writer.WriteRaw(segment.Span);
                }
                break;
            default:
                var json = scratch.StartJson();
                // As the JSON protocol does: serialized as object, so the runtime type is used, falling back to the
                // nearest type the contract metadata knows (ModelInfo[] is written as IReadOnlyList<ModelInfo>).
                JsonSerializer.Serialize<object>(json, value, _payloadOptions);
                json.Flush();
                MessagePackJson.WriteMessagePack(scratch.Json.WrittenSpan, scratch.Payload);
                break;
        }
    }

    private static T WithHeaders<T>(Dictionary<string, string>? headers, T message) where T : HubInvocationMessage
    {
        if (headers is not null)
        {
            message.Headers = headers;
        }
        return message;
    }

    private static void Require(int items, int minimum, string kind)
    {
        if (items < minimum)
        {
            throw Invalid($"A {kind} message has {items} item(s); it needs at least {minimum}.");
        }
    }

    private static InvalidDataException Invalid(string message) => new($"Invalid hub message: {message}");
}
