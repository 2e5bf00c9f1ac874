using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Unicode;

namespace Council.Server.Hub.MessagePack;

/// <summary>
/// Reads MessagePack values from one whole message held in memory. Every malformed input (truncated value,
/// wrong type, the unused 0xc1 byte, invalid UTF-8, a declared length beyond the bytes that remain, nesting
/// deeper than <see cref="MaxDepth"/>) throws <see cref="InvalidDataException"/>: a declared length is
/// checked against what remains before anything is sliced or allocated, so no length a client writes can
/// make the reader allocate more than the message it sent.
/// </summary>
internal ref struct MessagePackReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    public MessagePackReader(ReadOnlySpan<byte> data, int maxDepth)
    {
        _data = data;
        MaxDepth = maxDepth;
    }

    /// <summary>Deepest container nesting accepted; the outermost container is at depth 1.</summary>
    public int MaxDepth { get; }

    public readonly int Position => _position;

    public readonly int Remaining => _data.Length - _position;

    public readonly bool End => _position == _data.Length;

    /// <summary>The family of the next value, without reading it.</summary>
    public readonly MessagePackType NextType => TypeOf(PeekCode());

    /// <summary>The first byte of the next value, without reading it.</summary>
    public readonly byte PeekCode()
    {
        if (_position >= _data.Length)
        {
            ThrowTruncated();
        }
        return _data[_position];
    }

    public bool TryReadNil()
    {
        if (PeekCode() != MessagePackCode.Nil)
        {
            return false;
        }
        _position++;
        return true;
    }

    public bool ReadBoolean() => ReadCode() switch
    {
        MessagePackCode.True => true,
        MessagePackCode.False => false,
        var code => throw WrongType("a boolean", code),
    };

    public long ReadInt64()
    {
        var code = PeekCode();
        if (code == MessagePackCode.UInt64)
        {
            var value = ReadUInt64();
            return value <= long.MaxValue ? (long)value : throw Invalid($"The integer {value} is out of range at offset {_position - 9}.");
        }
        _position++;
        if (code <= MessagePackCode.MaxPositiveFixInt)
        {
            return code;
        }
        if (code >= MessagePackCode.MinNegativeFixInt)
        {
            return (sbyte)code;
        }
        return code switch
        {
            MessagePackCode.UInt8 => Take(1)[0],
            MessagePackCode.UInt16 => BinaryPrimitives.ReadUInt16BigEndian(Take(2)),
            MessagePackCode.UInt32 => BinaryPrimitives.ReadUInt32BigEndian(Take(4)),
            MessagePackCode.Int8 => (sbyte)Take(1)[0],
            MessagePackCode.Int16 => BinaryPrimitives.ReadInt16BigEndian(Take(2)),
            MessagePackCode.Int32 => BinaryPrimitives.ReadInt32BigEndian(Take(4)),
            MessagePackCode.Int64 => BinaryPrimitives.ReadInt64BigEndian(Take(8)),
            _ => throw WrongType("an integer", code, _position - 1),
        };
    }

    /// <summary>Reads a <c>uint 64</c>; other integer formats go through <see cref="ReadInt64"/>.</summary>
    public ulong ReadUInt64()
    {
        var code = ReadCode();
        return code == MessagePackCode.UInt64
            ? BinaryPrimitives.ReadUInt64BigEndian(Take(8))
            : throw WrongType("a uint 64", code);
    }

    public int ReadInt32()
    {
        var start = _position;
        var value = ReadInt64();
        return value is >= int.MinValue and <= int.MaxValue
            ? (int)value
            : throw Invalid($"The integer {value} at offset {start} does not fit in 32 bits.");
    }

    public float ReadSingle()
    {
        var code = ReadCode();
        return code == MessagePackCode.Float32
            ? BinaryPrimitives.ReadSingleBigEndian(Take(4))
            : throw WrongType("a float 32", code);
    }

    public double ReadDouble()
    {
        var code = ReadCode();
        return code switch
        {
            MessagePackCode.Float64 => BinaryPrimitives.ReadDoubleBigEndian(Take(8)),
            MessagePackCode.Float32 => BinaryPrimitives.ReadSingleBigEndian(Take(4)),
            _ => throw WrongType("a float", code),
        };
    }

    /// <summary>Reads an array header; the count is at most the bytes that remain (each element takes one or more).</summary>
    public int ReadArrayHeader()
    {
        var code = ReadCode();
        long count = code switch
        {
            >= MessagePackCode.MinFixArray and <= MessagePackCode.MaxFixArray => code & 0x0f,
            MessagePackCode.Array16 => BinaryPrimitives.ReadUInt16BigEndian(Take(2)),
            MessagePackCode.Array32 => BinaryPrimitives.ReadUInt32BigEndian(Take(4)),
            _ => throw WrongType("an array", code),
        };
        return count <= Remaining ? (int)count : throw Invalid($"An array declares {count} elements but only {Remaining} bytes remain.");
    }

    /// <summary>Reads a map header; the count of pairs is at most half the bytes that remain.</summary>
    public int ReadMapHeader()
    {
        var code = ReadCode();
        long count = code switch
        {
            >= MessagePackCode.MinFixMap and <= MessagePackCode.MaxFixMap => code & 0x0f,
            MessagePackCode.Map16 => BinaryPrimitives.ReadUInt16BigEndian(Take(2)),
            MessagePackCode.Map32 => BinaryPrimitives.ReadUInt32BigEndian(Take(4)),
            _ => throw WrongType("a map", code),
        };
        return count * 2 <= Remaining ? (int)count : throw Invalid($"A map declares {count} entries but only {Remaining} bytes remain.");
    }

    /// <summary>Reads a string's UTF-8 bytes (checked to be valid UTF-8) without decoding them.</summary>
    public ReadOnlySpan<byte> ReadStringSpan()
    {
        var start = _position;
        var code = ReadCode();
        long length = code switch
        {
            >= MessagePackCode.MinFixStr and <= MessagePackCode.MaxFixStr => code & 0x1f,
            MessagePackCode.Str8 => Take(1)[0],
            MessagePackCode.Str16 => BinaryPrimitives.ReadUInt16BigEndian(Take(2)),
            MessagePackCode.Str32 => BinaryPrimitives.ReadUInt32BigEndian(Take(4)),
            _ => throw WrongType("a string", code),
        };
        var bytes = Take(length);
        return Utf8.IsValid(bytes) ? bytes : throw Invalid($"The string at offset {start} is not valid UTF-8.");
    }

    /// <summary>Reads a string, or null for nil.</summary>
    public string? ReadString() => TryReadNil() ? null : Encoding.UTF8.GetString(ReadStringSpan());

    public ReadOnlySpan<byte> ReadBinary()
    {
        var code = ReadCode();
        long length = code switch
        {
            MessagePackCode.Bin8 => Take(1)[0],
            MessagePackCode.Bin16 => BinaryPrimitives.ReadUInt16BigEndian(Take(2)),
            MessagePackCode.Bin32 => BinaryPrimitives.ReadUInt32BigEndian(Take(4)),
            _ => throw WrongType("binary", code),
        };
        return Take(length);
    }

    /// <summary>Reads an extension value: its type code and its data.</summary>
    public ReadOnlySpan<byte> ReadExtension(out sbyte extensionType)
    {
        var code = ReadCode();
        long length = code switch
        {
            MessagePackCode.FixExt1 => 1,
            MessagePackCode.FixExt2 => 2,
            MessagePackCode.FixExt4 => 4,
            MessagePackCode.FixExt8 => 8,
            MessagePackCode.FixExt16 => 16,
            MessagePackCode.Ext8 => Take(1)[0],
            MessagePackCode.Ext16 => BinaryPrimitives.ReadUInt16BigEndian(Take(2)),
            MessagePackCode.Ext32 => BinaryPrimitives.ReadUInt32BigEndian(Take(4)),
            _ => throw WrongType("an extension", code),
        };
        extensionType = (sbyte)Take(1)[0];
        return Take(length);
    }

    /// <summary>Checks the next value is well formed and returns its bytes; it sits at <paramref name="depth"/>.</summary>
    public ReadOnlySpan<byte> ReadRaw(int depth)
    {
        var start = _position;
        Skip(depth);
        return _data[start.._position];
    }

    /// <summary>Checks the next value is well formed, and moves past it; it sits at <paramref name="depth"/>.</summary>
    public void Skip(int depth)
    {
        switch (NextType)
        {
            case MessagePackType.Integer:
                if (PeekCode() == MessagePackCode.UInt64)
                {
                    ReadUInt64();
                }
                else
                {
                    ReadInt64();
                }
                break;
            case MessagePackType.Nil:
                _position++;
                break;
            case MessagePackType.Boolean:
                ReadBoolean();
                break;
            case MessagePackType.Float:
                ReadDouble();
                break;
            case MessagePackType.String:
                ReadStringSpan();
                break;
            case MessagePackType.Binary:
                ReadBinary();
                break;
            case MessagePackType.Extension:
                ReadExtension(out _);
                break;
            case MessagePackType.Array:
                EnterContainer(depth);
                for (var count = ReadArrayHeader(); count > 0; count--)
                {
                    Skip(depth + 1);
                }
                break;
            case MessagePackType.Map:
                EnterContainer(depth);
                for (var count = ReadMapHeader(); count > 0; count--)
                {
                    Skip(depth + 1);
                    Skip(depth + 1);
                }
                break;
            default:
                throw WrongType("a value", PeekCode(), _position);
        }
    }

    /// <summary>Throws when a container at <paramref name="depth"/> would nest deeper than <see cref="MaxDepth"/>.</summary>
    public readonly void EnterContainer(int depth)
    {
        if (depth > MaxDepth)
        {
            throw Invalid($"Values nest deeper than {MaxDepth} levels at offset {_position}.");
        }
    }

    public static MessagePackType TypeOf(byte code) => code switch
    {
        <= MessagePackCode.MaxPositiveFixInt or >= MessagePackCode.MinNegativeFixInt => MessagePackType.Integer,
        <= MessagePackCode.MaxFixMap => MessagePackType.Map,
        <= MessagePackCode.MaxFixArray => MessagePackType.Array,
        <= MessagePackCode.MaxFixStr => MessagePackType.String,
        MessagePackCode.Nil => MessagePackType.Nil,
        MessagePackCode.False or MessagePackCode.True => MessagePackType.Boolean,
        >= MessagePackCode.Bin8 and <= MessagePackCode.Bin32 => MessagePackType.Binary,
        >= MessagePackCode.Ext8 and <= MessagePackCode.Ext32 => MessagePackType.Extension,
        MessagePackCode.Float32 or MessagePackCode.Float64 => MessagePackType.Float,
        >= MessagePackCode.UInt8 and <= MessagePackCode.Int64 => MessagePackType.Integer,
        >= MessagePackCode.FixExt1 and <= MessagePackCode.FixExt16 => MessagePackType.Extension,
        >= MessagePackCode.Str8 and <= MessagePackCode.Str32 => MessagePackType.String,
        MessagePackCode.Array16 or MessagePackCode.Array32 => MessagePackType.Array,
        MessagePackCode.Map16 or MessagePackCode.Map32 => MessagePackType.Map,
        _ => MessagePackType.Unknown, // 0xc1, never used
    };

    public static InvalidDataException Invalid(string message) => new($"Invalid MessagePack: {message}");

    private byte ReadCode()
    {
        var code = PeekCode();
        _position++;
        return code;
    }

    private ReadOnlySpan<byte> Take(long length)
    {
        if (length > Remaining)
        {
            ThrowTruncated(length);
        }
        var slice = _data.Slice(_position, (int)length);
        _position += (int)length;
        return slice;
    }

    private readonly InvalidDataException WrongType(string expected, byte code) => WrongType(expected, code, _position - 1);

    private static InvalidDataException WrongType(string expected, byte code, int offset) =>
        Invalid($"Expected {expected} at offset {offset} but found {Describe(code)}.");

    private static string Describe(byte code) => TypeOf(code) switch
    {
        MessagePackType.Unknown => "the unused byte 0xc1",
        var type => $"{type.ToString().ToLowerInvariant()} (0x{code:x2})",
    };

    [DoesNotReturn]
    private readonly void ThrowTruncated(long needed = 1) =>
        throw Invalid($"The message ends at offset {_data.Length}, {needed} more byte(s) were expected at offset {_position}.");
}
