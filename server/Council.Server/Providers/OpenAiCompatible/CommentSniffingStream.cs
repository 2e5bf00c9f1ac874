namespace Council.Server.Providers.OpenAiCompatible;

/// <summary>
/// A read-only pass-through over an SSE body that reports comment lines (<c>: OPENROUTER PROCESSING</c>).
/// <see cref="System.Net.ServerSentEvents.SseParser"/> skips comments silently and only surfaces whole events,
/// but a comment is the provider's sign of life while it thinks, and stall detection needs to see it.
/// </summary>
internal sealed class CommentSniffingStream(Stream inner, Action onComment) : Stream
{
    private bool _atLineStart = true;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken);
        Sniff(buffer.Span[..read]);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count)
    {
        var read = inner.Read(buffer, offset, count);
        Sniff(buffer.AsSpan(offset, read));
        return read;
    }

    /// <summary>A comment is a line whose first byte is ':'; line starts are tracked across reads.</summary>
    private void Sniff(ReadOnlySpan<byte> bytes)
    {
        var sawComment = false;
        foreach (var b in bytes)
        {
            sawComment |= _atLineStart && b == (byte)':';
            _atLineStart = b is (byte)'\n' or (byte)'\r';
        }
        if (sawComment)
        {
            onComment();
        }
    }

    public override void Flush() { }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
