using System.Buffers;

namespace Council.Server.Hub;

/// <summary>The VarInt length prefix of SignalR's binary framing (at most 5 bytes, 7 bits each, low bits first).</summary>
internal static class BinaryFrame
{
    private const int MaxPrefixSize = 5;

    /// <summary>Reads the declared length of the frame at the start of <paramref name="input"/>, once its prefix is in.</summary>
    public static bool TryReadLength(in ReadOnlySequence<byte> input, out long length, out int prefixSize)
    {
        length = 0;
        prefixSize = 0;
        var reader = new SequenceReader<byte>(input);
        while (prefixSize < MaxPrefixSize && reader.TryRead(out var part))
        {
            length |= (long)(part & 0x7f) << (7 * prefixSize);
            prefixSize++;
            if ((part & 0x80) == 0)
            {
                return true;
            }
        }
        return false;
    }
}
