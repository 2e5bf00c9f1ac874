using System.Buffers;

namespace Council.Server.Hub.MessagePack;

/// <summary>
/// The framing of SignalR's binary protocols: each message is preceded by its length as a VarInt (7 bits per
/// byte, least significant group first, high bit set on every byte but the last), at most 5 bytes, below 2 GB.
/// </summary>
internal static class BinaryMessageFormat
{
    public const int MaxLengthPrefixSize = 5;

    public static int LengthPrefixSize(int length)
    {
        var size = 1;
        for (var rest = (uint)length >> 7; rest > 0; rest >>= 7)
        {
            size++;
        }
        return size;
    }

    public static int WriteLengthPrefix(int length, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        var rest = (uint)length;
        var written = 0;
        while (rest > 0x7f)
        {
            destination[written++] = (byte)(rest | 0x80);
            rest >>= 7;
        }
        destination[written++] = (byte)rest;
        return written;
    }

    /// <summary>
    /// Reads the length prefix at the start of <paramref name="input"/>; false if more bytes are needed to know it.
    /// A prefix of more than 5 bytes, or for 2 GB or more, throws <see cref="InvalidDataException"/>.
    /// </summary>
    public static bool TryReadLengthPrefix(in ReadOnlySequence<byte> input, out int length, out int prefixSize)
    {
        Span<byte> prefix = stackalloc byte[MaxLengthPrefixSize];
        var available = (int)Math.Min(MaxLengthPrefixSize, input.Length);
        input.Slice(0, available).CopyTo(prefix);
        uint value = 0;
        for (var i = 0; i < available; i++)
        {
            var b = prefix[i];
            value |= (uint)(b & 0x7f) << (7 * i);
            if ((b & 0x80) == 0)
            {
                if (i == MaxLengthPrefixSize - 1 && b > 0x07)
                {
                    break; // Bits 31 and up: 2 GB or more.
                }
                length = (int)value;
                prefixSize = i + 1;
                return true;
            }
        }
        if (available == MaxLengthPrefixSize)
        {
            throw new InvalidDataException("Invalid message frame: the length prefix is longer than 5 bytes or says 2 GB or more.");
        }
        length = 0;
        prefixSize = 0;
        return false;
    }
}
