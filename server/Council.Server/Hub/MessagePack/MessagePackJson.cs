using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Council.Server.Hub.MessagePack;

/// <summary>
/// Transcodes between MessagePack and JSON, so that hub arguments and results bind with System.Text.Json and the
/// contract's JSON metadata: the same field names, converters and null handling as the JSON protocol.
/// </summary>
internal static class MessagePackJson
{
    private const int StackUnescapeBytes = 256;

    private static readonly SearchValues<byte> NumberEnds = SearchValues.Create(",]} \t\r\n"u8);

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
    /// Writes JSON that System.Text.Json wrote (so well formed: this is no validating parser) as MessagePack, in
    /// one pass. MessagePack puts the element count before the elements, so each array or map gets a one-byte
    /// header when it opens, filled in when it closes; the rare container of more than 15 elements moves its
    /// contents up to make room for a longer header. A plain scan, not <see cref="Utf8JsonReader"/>: this is the
    /// hot path of every event sent, and the reader's validation is wasted on the serializer's own output.
    /// </summary>
    public static void WriteMessagePack(ReadOnlySpan<byte> json, PooledBufferWriter output)
    {
        const int StackDepth = 64;
        Span<int> headers = stackalloc int[StackDepth]; // where each open container's header is
        Span<int> counts = stackalloc int[StackDepth]; // how many items (keys and values) it has so far
        int[]? rented = null;
        try
        {
            var writer = new MessagePackWriter(output);
            var depth = 0;
            var i = 0;
            while (i < json.Length)
            {
                var c = json[i];
                switch (c)
                {
                    case (byte)',' or (byte)':' or (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n':
                        i++;
                        continue;
                    case (byte)'}' or (byte)']':
                        depth--;
                        var map = c == (byte)'}';
                        CloseContainer(output, headers[depth], map ? counts[depth] / 2 : counts[depth], map);
                        i++;
                        continue;
                }
                if (depth > 0)
                {
                    counts[depth - 1]++;
                }
                switch (c)
                {
                    case (byte)'{' or (byte)'[':
                        if (depth == headers.Length)
                        {
                            Grow(ref headers, ref counts, ref rented);
                        }
                        headers[depth] = output.WrittenCount;
                        counts[depth++] = 0;
                        output.GetSpan(1);
                        output.Advance(1);
                        i++;
                        break;
                    case (byte)'"':
                        i = WriteString(json, i, writer);
                        break;
                    case (byte)'t':
                        writer.WriteBoolean(true);
                        i += 4;
                        break;
                    case (byte)'f':
                        writer.WriteBoolean(false);
                        i += 5;
                        break;
                    case (byte)'n':
                        writer.WriteNil();
                        i += 4;
                        break;
                    default:
                        i = WriteNumber(json, i, writer);
                        break;
                }
            }
            if (depth != 0)
            {
                throw new InvalidOperationException("The JSON ends inside an array or object.");
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

    /// <summary>Writes the string whose opening quote is at <paramref name="quote"/>; returns the index after its closing quote.</summary>
    private static int WriteString(ReadOnlySpan<byte> json, int quote, MessagePackWriter writer)
    {
        var start = quote + 1;
        var end = start;
        var escaped = false;
        while (true)
        {
            var next = json[end..].IndexOfAny((byte)'"', (byte)'\\');
            if (next < 0)
            {
                throw new InvalidOperationException("The JSON ends inside a string.");
            }
            end += next;
            if (json[end] == (byte)'"')
            {
                break;
            }
            escaped = true;
            end += 2; // The backslash and the character it escapes (\u's hex digits are neither quote nor backslash).
        }
        var text = json[start..end];
        if (!escaped)
        {
            writer.WriteString(text);
            return end + 1;
        }
        // Unescaping never makes the text longer: every escape stands for fewer UTF-8 bytes than it takes.
        byte[]? rented = null;
        Span<byte> destination = text.Length <= StackUnescapeBytes
            ? stackalloc byte[StackUnescapeBytes]
            : (rented = ArrayPool<byte>.Shared.Rent(text.Length));
        try
        {
            writer.WriteString(destination[..Unescape(text, destination)]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
        return end + 1;
    }

    /// <summary>Writes the number that starts at <paramref name="start"/>: as an integer if it is one, else a float 64.</summary>
    private static int WriteNumber(ReadOnlySpan<byte> json, int start, MessagePackWriter writer)
    {
        var length = json[start..].IndexOfAny(NumberEnds);
        var text = length < 0 ? json[start..] : json.Slice(start, length);
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var signed))
        {
            writer.WriteInt64(signed);
        }
        else if (ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var unsigned))
        {
            writer.WriteUInt64(unsigned);
        }
        else if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number))
        {
            writer.WriteDouble(number);
        }
        else
        {
            throw new InvalidDataException($"The JSON number '{Encoding.UTF8.GetString(text)}' does not fit in a float 64.");
        }
        return start + text.Length;
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
