using System.Buffers;
using System.Buffers.Text;
using System.Text;
using System.Text.Json;

namespace Council.Server.Hub.MessagePack;

/// <summary>
/// Transcodes between MessagePack and JSON, so that hub arguments and results bind with System.Text.Json and the
/// contract's JSON metadata: the same field names, converters and null handling as the JSON protocol.
/// </summary>
internal static class MessagePackJson
{
    /// <summary>JSON the serializer writes nests no deeper than its MaxDepth (64 by default); this leaves room.</summary>
    private const int JsonMaxDepth = 1024;

    private const int StackUnescapeBytes = 256;

    /// <summary>
    /// Writes the next MessagePack value as JSON. The value must already have been checked with
    /// <see cref="MessagePackReader.Skip"/>; what remains to fail is what JSON cannot say: map keys that are not
    /// strings, extension values, NaN and infinities. Those throw <see cref="InvalidDataException"/>.
    /// </summary>
    public static void WriteJson(ref MessagePackReader reader, Utf8JsonWriter json)
    {
        var offset = reader.Position;
        switch (reader.NextType)
        {
            case MessagePackType.Nil:
                reader.TryReadNil();
                json.WriteNullValue();
                break;
            case MessagePackType.Boolean:
                json.WriteBooleanValue(reader.ReadBoolean());
                break;
            case MessagePackType.Integer when reader.PeekCode() == MessagePackCode.UInt64:
                json.WriteNumberValue(reader.ReadUInt64());
                break;
            case MessagePackType.Integer:
                json.WriteNumberValue(reader.ReadInt64());
                break;
            case MessagePackType.Float when reader.PeekCode() == MessagePackCode.Float32:
                var single = reader.ReadSingle();
                // The float overload writes the shortest text that reads back as the same float 32 (1.1, not 1.100000023841858).
                json.WriteNumberValue(float.IsFinite(single) ? single : throw NotJson($"The number at offset {offset} is {single}, which JSON cannot carry."));
                break;
            case MessagePackType.Float:
                var number = reader.ReadDouble();
                json.WriteNumberValue(double.IsFinite(number) ? number : throw NotJson($"The number at offset {offset} is {number}, which JSON cannot carry."));
                break;
            case MessagePackType.String:
                json.WriteStringValue(reader.ReadStringSpan());
                break;
            case MessagePackType.Binary:
                json.WriteBase64StringValue(reader.ReadBinary());
                break;
            case MessagePackType.Array:
                json.WriteStartArray();
                for (var count = reader.ReadArrayHeader(); count > 0; count--)
                {
                    WriteJson(ref reader, json);
                }
                json.WriteEndArray();
                break;
            case MessagePackType.Map:
                json.WriteStartObject();
                for (var count = reader.ReadMapHeader(); count > 0; count--)
                {
                    if (reader.NextType != MessagePackType.String)
                    {
                        throw NotJson($"The map key at offset {reader.Position} is {reader.NextType.ToString().ToLowerInvariant()}; keys must be strings.");
                    }
                    json.WritePropertyName(reader.ReadStringSpan());
                    WriteJson(ref reader, json);
                }
                json.WriteEndObject();
                break;
            default:
                throw NotJson($"The {reader.NextType.ToString().ToLowerInvariant()} value at offset {offset} has no JSON equivalent.");
        }
    }

    /// <summary>
    /// Writes JSON (as System.Text.Json serialized it) as MessagePack, in one pass. MessagePack puts the element
    /// count before the elements, so each array or map gets a one-byte header when it opens, which is filled in
    /// when it closes; the rare container of more than 15 elements moves its contents up to make room for a
    /// longer header.
    /// </summary>
    public static void WriteMessagePack(ReadOnlySpan<byte> json, PooledBufferWriter output)
    {
        const int StackDepth = 64;
        Span<int> headers = stackalloc int[StackDepth]; // where each open container's header is
        Span<int> counts = stackalloc int[StackDepth]; // how many elements it has so far
        int[]? rented = null;
        try
        {
            var writer = new MessagePackWriter(output);
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = JsonMaxDepth });
            var depth = 0;
            while (reader.Read())
            {
                var token = reader.TokenType;
                if (token is JsonTokenType.EndObject or JsonTokenType.EndArray)
                {
                    depth--;
                    CloseContainer(output, headers[depth], counts[depth], map: token == JsonTokenType.EndObject);
                    continue;
                }
                if (depth > 0 && token != JsonTokenType.PropertyName)
                {
                    counts[depth - 1]++;
                }
                switch (token)
                {
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        if (depth == headers.Length)
                        {
                            Grow(ref headers, ref counts, ref rented);
                        }
                        headers[depth] = output.WrittenCount;
                        counts[depth++] = 0;
                        output.GetSpan(1);
                        output.Advance(1);
                        break;
                    case JsonTokenType.PropertyName or JsonTokenType.String:
                        WriteString(ref reader, writer);
                        break;
                    case JsonTokenType.Number:
                        WriteNumber(ref reader, writer);
                        break;
                    case JsonTokenType.True:
                        writer.WriteBoolean(true);
                        break;
                    case JsonTokenType.False:
                        writer.WriteBoolean(false);
                        break;
                    case JsonTokenType.Null:
                        writer.WriteNil();
                        break;
                }
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<int>.Shared.Return(rented);
            }
        }
    }

    private static void CloseContainer(PooledBufferWriter output, int header, int count, bool map)
    {
        var length = MessagePackWriter.ContainerHeaderLength(count);
        if (length > 1)
        {
            output.InsertGap(header + 1, length - 1);
        }
        MessagePackWriter.WriteContainerHeader(output.Written.Slice(header, length), count, map);
    }

    /// <summary>JSON nested deeper than the stack space: both stacks move to one pooled array, twice as deep.</summary>
    private static void Grow(ref Span<int> headers, ref Span<int> counts, ref int[]? rented)
    {
        var depth = headers.Length * 2;
        var larger = ArrayPool<int>.Shared.Rent(depth * 2);
        headers.CopyTo(larger);
        counts.CopyTo(larger.AsSpan(depth));
        if (rented is not null)
        {
            ArrayPool<int>.Shared.Return(rented);
        }
        rented = larger;
        headers = larger.AsSpan(0, depth);
        counts = larger.AsSpan(depth, depth);
    }

    private static void WriteNumber(ref Utf8JsonReader reader, MessagePackWriter writer)
    {
        if (reader.TryGetInt64(out var signed))
        {
            writer.WriteInt64(signed);
        }
        else if (reader.TryGetUInt64(out var unsigned))
        {
            writer.WriteUInt64(unsigned);
        }
        else if (reader.TryGetDouble(out var number) && double.IsFinite(number))
        {
            writer.WriteDouble(number);
        }
        else
        {
            throw new InvalidDataException($"The number {Encoding.UTF8.GetString(reader.ValueSpan)} does not fit in a float 64.");
        }
    }

    private static void WriteString(ref Utf8JsonReader reader, MessagePackWriter writer)
    {
        var escaped = reader.ValueSpan;
        if (!reader.ValueIsEscaped)
        {
            writer.WriteString(escaped);
            return;
        }
        // Unescaping never makes the text longer: every escape stands for fewer UTF-8 bytes than it takes.
        byte[]? rented = null;
        Span<byte> destination = escaped.Length <= StackUnescapeBytes
            ? stackalloc byte[StackUnescapeBytes]
            : (rented = ArrayPool<byte>.Shared.Rent(escaped.Length));
        try
        {
            writer.WriteString(destination[..Unescape(escaped, destination)]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// Undoes JSON escapes. Unlike <see cref="Utf8JsonReader.CopyString(Span{byte})"/>, an unpaired surrogate
    /// (which a .NET string may hold, and UTF-8 cannot) becomes U+FFFD instead of failing the whole message.
    /// </summary>
    internal static int Unescape(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        var written = 0;
        while (!source.IsEmpty)
        {
            var backslash = source.IndexOf((byte)'\\');
            var plain = backslash < 0 ? source : source[..backslash];
            plain.CopyTo(destination[written..]);
            written += plain.Length;
            if (backslash < 0)
            {
                break;
            }
            var escape = source[backslash + 1];
            source = source[(backslash + 2)..];
            if (escape != (byte)'u')
            {
                destination[written++] = escape switch
                {
                    (byte)'b' => (byte)'\b',
                    (byte)'f' => (byte)'\f',
                    (byte)'n' => (byte)'\n',
                    (byte)'r' => (byte)'\r',
                    (byte)'t' => (byte)'\t',
                    _ => escape, // \" \\ \/
                };
                continue;
            }
            int scalar = ReadHex4(source);
            source = source[4..];
            if (char.IsHighSurrogate((char)scalar)
                && source.Length >= 6 && source[0] == (byte)'\\' && source[1] == (byte)'u'
                && char.IsLowSurrogate((char)ReadHex4(source[2..])))
            {
                scalar = char.ConvertToUtf32((char)scalar, (char)ReadHex4(source[2..]));
                source = source[6..];
            }
            else if (char.IsSurrogate((char)scalar))
            {
                scalar = Rune.ReplacementChar.Value;
            }
            written += new Rune(scalar).EncodeToUtf8(destination[written..]);
        }
        return written;
    }

    private static ushort ReadHex4(ReadOnlySpan<byte> hex) =>
        Utf8Parser.TryParse(hex[..4], out ushort value, out var consumed, 'x') && consumed == 4
            ? value
            : throw new InvalidDataException("A JSON \\u escape is not followed by four hex digits.");

    private static InvalidDataException NotJson(string message) => new(message);
}
