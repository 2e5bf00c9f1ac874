using System.Buffers;

namespace Council.Server.Hub.MessagePack;

/// <summary>An <see cref="IBufferWriter{T}"/> over arrays rented from <see cref="ArrayPool{T}.Shared"/>, reusable after <see cref="Clear"/>.</summary>
internal sealed class PooledBufferWriter(int initialCapacity) : IBufferWriter<byte>, IDisposable
{
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(initialCapacity);
    private int _written;

    public int WrittenCount => _written;

    public int Capacity => _buffer.Length;

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _written);

    public void Clear() => _written = 0;

    public void Advance(int count)
    {
        if ((uint)count > (uint)(_buffer.Length - _written))
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, "Advanced past the end of the buffer.");
        }
        _written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        EnsureFree(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        EnsureFree(sizeHint);
        return _buffer.AsSpan(_written);
    }

    /// <summary>The written bytes, to patch in place (a header whose count is known only at the end).</summary>
    public Span<byte> Written => _buffer.AsSpan(0, _written);

    /// <summary>Moves the bytes from <paramref name="position"/> on by <paramref name="length"/>, leaving a gap to fill.</summary>
    public void InsertGap(int position, int length)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)position, (uint)_written, nameof(position));
        EnsureFree(length);
        _buffer.AsSpan(position, _written - position).CopyTo(_buffer.AsSpan(position + length));
        _written += length;
    }

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        _written = 0;
        ArrayPool<byte>.Shared.Return(buffer);
    }

    private void EnsureFree(int sizeHint)
    {
        var needed = Math.Max(sizeHint, 1);
        if (_buffer.Length - _written >= needed)
        {
            return;
        }
        var size = Math.Max((long)_buffer.Length * 2, (long)_written + needed);
        if (size > Array.MaxLength)
        {
            size = (long)_written + needed <= Array.MaxLength ? Array.MaxLength : throw new InvalidOperationException("A message does not fit in one array.");
        }
        var larger = ArrayPool<byte>.Shared.Rent((int)size);
        _buffer.AsSpan(0, _written).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }
}
