using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Council.Server.Hub.MessagePack;

/// <summary>Writing: each message as the array the spec lays out, arguments serialized as JSON and transcoded.</summary>
public sealed partial class MessagePackHubProtocol
{
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
}
