using System.Buffers;
using System.Text.Json;
using MessagePack;
using Microsoft.AspNetCore.SignalR;

namespace Council.Server.Hub;

/// <summary>
/// Says which field of a MessagePack invocation's argument does not fit the contract, as the JSON protocol does
/// ("Path: $.prompt"): MessagePack's own binding error names the type and the MessagePack code only. Runs only
/// after binding failed: the argument is read again as JSON and bound with the JSON protocol's payload options.
/// </summary>
public sealed class MessagePackArgumentExplainer(JsonSerializerOptions payloadOptions)
{
    private const int InvocationMessageType = 1;
    private const int StreamInvocationMessageType = 4;

    /// <summary>The JSON binder's message for the first argument that does not bind, or null when none is found.</summary>
    public string? Explain(ReadOnlySequence<byte> frame, IInvocationBinder binder, string target)
    {
        try
        {
            if (!BinaryFrame.TryReadLength(frame, out var length, out var prefixSize))
            {
                return null;
            }
            var reader = new MessagePackReader(frame.Slice(prefixSize, length));
            reader.ReadArrayHeader();
            if (reader.ReadInt32() is not (InvocationMessageType or StreamInvocationMessageType))
            {
                return null;
            }
            reader.Skip(); // headers
            reader.Skip(); // invocation id
            reader.Skip(); // target
            var types = binder.GetParameterTypes(target);
            var count = reader.ReadArrayHeader();
            for (var i = 0; i < Math.Min(count, types.Count); i++)
            {
                var argument = reader.ReadRaw();
                try
                {
                    JsonSerializer.Deserialize(MessagePackSerializer.ConvertToJson(argument), types[i], payloadOptions);
                }
                catch (JsonException ex)
                {
                    return ex.Message;
                }
            }
        }
        catch (Exception ex) when (ex is MessagePackSerializationException or EndOfStreamException or InvalidOperationException
            or FormatException or OverflowException or NotSupportedException or InsufficientExecutionStackException)
        {
            // Not readable as JSON either: the MessagePack message stands.
        }
        return null;
    }
}
