using System.Buffers;
using System.Runtime.ExceptionServices;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Council.Server.Hub.MessagePack;

/// <summary>Reading: one message array per frame, checked item by item, arguments bound through JSON.</summary>
public sealed partial class MessagePackHubProtocol
{
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
