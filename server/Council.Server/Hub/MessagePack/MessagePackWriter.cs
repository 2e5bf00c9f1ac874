using System.Buffers.Binary;
using System.Text;

namespace Council.Server.Hub.MessagePack;

/// <summary>
/// Writes MessagePack values in their most compact format, as <c>@msgpack/msgpack</c> does: integers in the
/// smallest width (unsigned formats for values of 0 and more), strings with the shortest header. It writes to a
/// <see cref="PooledBufferWriter"/> (a sealed class, so every small write is a direct, inlinable call); the
/// protocol then copies the finished message, behind its length prefix, to the transport.
/// </summary>
internal readonly ref struct MessagePackWriter(PooledBufferWriter output)
{
    public void WriteNil() => WriteByte(MessagePackCode.Nil);

    public void WriteBoolean(bool value) => WriteByte(value ? MessagePackCode.True : MessagePackCode.False);

    public void WriteInt64(long value)
    {
        if (value >= 0)
        {
            WriteUInt64((ulong)value);
            return;
        }
        var span = output.GetSpan(9);
        int written;
        if (value >= -32)
        {
            span[0] = unchecked((byte)value);
            written = 1;
        }
        else if (value >= sbyte.MinValue)
        {
            span[0] = MessagePackCode.Int8;
            span[1] = unchecked((byte)value);
            written = 2;
        }
        else if (value >= short.MinValue)
        {
            span[0] = MessagePackCode.Int16;
            BinaryPrimitives.WriteInt16BigEndian(span[1..], (short)value);
            written = 3;
        }
        else if (value >= int.MinValue)
        {
            span[0] = MessagePackCode.Int32;
            BinaryPrimitives.WriteInt32BigEndian(span[1..], (int)value);
            written = 5;
        }
        else
        {
            span[0] = MessagePackCode.Int64;
            BinaryPrimitives.WriteInt64BigEndian(span[1..], value);
            written = 9;
        }
        output.Advance(written);
    }

    public void WriteUInt64(ulong value)
    {
        var span = output.GetSpan(9);
        int written;
        if (value <= MessagePackCode.MaxPositiveFixInt)
        {
            span[0] = (byte)value;
            written = 1;
        }
        else if (value <= byte.MaxValue)
        {
            span[0] = MessagePackCode.UInt8;
            span[1] = (byte)value;
            written = 2;
        }
        else if (value <= ushort.MaxValue)
        {
            span[0] = MessagePackCode.UInt16;
            BinaryPrimitives.WriteUInt16BigEndian(span[1..], (ushort)value);
            written = 3;
        }
        else if (value <= uint.MaxValue)
        {
            span[0] = MessagePackCode.UInt32;
            BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)value);
            written = 5;
        }
        else
        {
            span[0] = MessagePackCode.UInt64;
            BinaryPrimitives.WriteUInt64BigEndian(span[1..], value);
            written = 9;
        }
        output.Advance(written);
    }

    public void WriteSingle(float value)
    {
        var span = output.GetSpan(5);
        span[0] = MessagePackCode.Float32;
        BinaryPrimitives.WriteSingleBigEndian(span[1..], value);
        output.Advance(5);
    }

    public void WriteDouble(double value)
    {
        var span = output.GetSpan(9);
        span[0] = MessagePackCode.Float64;
        BinaryPrimitives.WriteDoubleBigEndian(span[1..], value);
        output.Advance(9);
    }

    public void WriteArrayHeader(int count) => WriteContainerHeader(count, map: false);

    public void WriteMapHeader(int count) => WriteContainerHeader(count, map: true);

    /// <summary>The bytes an array or map header for <paramref name="count"/> elements or entries takes.</summary>
    public static int ContainerHeaderLength(int count) => count switch
    {
        <= 15 => 1,
        <= ushort.MaxValue => 3,
        _ => 5,
    };

    /// <summary>Writes an array or map header into <paramref name="span"/>, which has <see cref="ContainerHeaderLength"/> bytes.</summary>
    public static void WriteContainerHeader(Span<byte> span, int count, bool map)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        switch (count)
        {
            case <= 15:
                span[0] = (byte)((map ? MessagePackCode.MinFixMap : MessagePackCode.MinFixArray) | count);
                break;
            case <= ushort.MaxValue:
                span[0] = map ? MessagePackCode.Map16 : MessagePackCode.Array16;
                BinaryPrimitives.WriteUInt16BigEndian(span[1..], (ushort)count);
                break;
            default:
                span[0] = map ? MessagePackCode.Map32 : MessagePackCode.Array32;
                BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)count);
                break;
        }
    }

    /// <summary>Writes a string header for <paramref name="byteCount"/> UTF-8 bytes, which the caller writes next.</summary>
    public void WriteStringHeader(int byteCount) =>
        WriteHeader(byteCount, MessagePackCode.MinFixStr, 31, MessagePackCode.Str8, MessagePackCode.Str16, MessagePackCode.Str32);

    /// <summary>Writes a string (nil for null). Unpaired surrogates become U+FFFD, as UTF-8 requires.</summary>
    public void WriteString(string? value)
    {
        if (value is null)
        {
            WriteNil();
            return;
        }
        var byteCount = Encoding.UTF8.GetByteCount(value);
        var headerLength = StringHeaderLength(byteCount);
        var span = output.GetSpan(headerLength + byteCount);
        WriteStringHeader(span, byteCount);
        Encoding.UTF8.GetBytes(value, span[headerLength..]);
        output.Advance(headerLength + byteCount);
    }

    /// <summary>Writes a string from bytes the caller knows to be valid UTF-8.</summary>
    public void WriteString(ReadOnlySpan<byte> utf8)
    {
        var headerLength = StringHeaderLength(utf8.Length);
        var span = output.GetSpan(headerLength + utf8.Length);
        WriteStringHeader(span, utf8.Length);
        utf8.CopyTo(span[headerLength..]);
        output.Advance(headerLength + utf8.Length);
    }

    public void WriteBinary(ReadOnlySpan<byte> bytes)
    {
        WriteHeader(bytes.Length, 0, -1, MessagePackCode.Bin8, MessagePackCode.Bin16, MessagePackCode.Bin32);
        WriteRaw(bytes);
    }

    private void WriteContainerHeader(int count, bool map)
    {
        var length = ContainerHeaderLength(count);
        WriteContainerHeader(output.GetSpan(length), count, map);
        output.Advance(length);
    }

    /// <summary>Copies bytes that already are MessagePack.</summary>
    public void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(output.GetSpan(bytes.Length));
        output.Advance(bytes.Length);
    }

    private static int StringHeaderLength(int byteCount) => byteCount switch
    {
        <= 31 => 1,
        <= byte.MaxValue => 2,
        <= ushort.MaxValue => 3,
        _ => 5,
    };

    private static void WriteStringHeader(Span<byte> span, int byteCount)
    {
        switch (byteCount)
        {
            case <= 31:
                span[0] = (byte)(MessagePackCode.MinFixStr | byteCount);
                break;
            case <= byte.MaxValue:
                span[0] = MessagePackCode.Str8;
                span[1] = (byte)byteCount;
                break;
            case <= ushort.MaxValue:
                span[0] = MessagePackCode.Str16;
                BinaryPrimitives.WriteUInt16BigEndian(span[1..], (ushort)byteCount);
                break;
            default:
                span[0] = MessagePackCode.Str32;
                BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)byteCount);
                break;
        }
    }

    /// <summary>Writes a string or binary length header: the fix form up to <paramref name="fixMax"/> (none when -1), then 8, 16 or 32 bits.</summary>
    private void WriteHeader(int count, byte fixBase, int fixMax, byte code8, byte code16, byte code32)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var span = output.GetSpan(5);
        int written;
        if (count <= fixMax)
        {
            span[0] = (byte)(fixBase | count);
            written = 1;
        }
        else if (count <= byte.MaxValue)
        {
            span[0] = code8;
            span[1] = (byte)count;
            written = 2;
        }
        else if (count <= ushort.MaxValue)
        {
            span[0] = code16;
            BinaryPrimitives.WriteUInt16BigEndian(span[1..], (ushort)count);
            written = 3;
        }
        else
        {
            span[0] = code32;
            BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)count);
            written = 5;
        }
        output.Advance(written);
    }

    private void WriteByte(byte value)
    {
        output.GetSpan(1)[0] = value;
        output.Advance(1);
    }
}
