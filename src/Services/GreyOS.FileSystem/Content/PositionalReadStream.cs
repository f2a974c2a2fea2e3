namespace GreyOS.FileSystem.Content;

/// <summary>
/// A read-only, seekable stream of a known length whose bytes come from positional reads
/// (<see cref="ReadAt"/>): the stream keeps the position, fills the caller's buffer, and supplies the
/// rest of <see cref="Stream"/>. Not thread-safe, like <see cref="FileStream"/>.
/// </summary>
internal abstract class PositionalReadStream(long length) : Stream
{
    private long _position;
    private bool _disposed;

    public override bool CanRead => !_disposed;

    public override bool CanSeek => !_disposed;

    public override bool CanWrite => false;

    public override long Length
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return length;
        }
    }

    public override long Position
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _position;
        }

        set
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            _position = value;
        }
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        return Read(buffer.AsSpan(offset, count));
    }

    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var total = 0;
        while (Wanted(buffer.Length) is > 0 and var wanted)
        {
            var read = ReadAt(_position, buffer[..wanted]);
            _position += read;
            total += read;
            buffer = buffer[read..];
        }

        return total;
    }

    public override int ReadByte()
    {
        Span<byte> one = stackalloc byte[1];
        return Read(one) == 1 ? one[0] : -1;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ValidateBufferArguments(buffer, offset, count);
        return ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var total = 0;
        while (Wanted(buffer.Length) is > 0 and var wanted)
        {
            var read = await ReadAtAsync(_position, buffer[..wanted], cancellationToken).ConfigureAwait(false);
            _position += read;
            total += read;
            buffer = buffer[read..];
        }

        return total;
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            SeekOrigin.End => length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };
        if (target < 0)
        {
            throw new IOException("Cannot seek before the beginning of the stream.");
        }

        _position = target;
        return _position;
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException("The stream is read-only.");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("The stream is read-only.");

    /// <summary>Reads at <paramref name="position"/> (&lt; length) into <paramref name="buffer"/> (not past the end); returns &gt; 0 or throws.</summary>
    protected abstract int ReadAt(long position, Span<byte> buffer);

    /// <summary>The asynchronous <see cref="ReadAt"/>.</summary>
    protected abstract ValueTask<int> ReadAtAsync(long position, Memory<byte> buffer, CancellationToken cancellationToken);

    protected override void Dispose(bool disposing)
    {
        _disposed = true;
        base.Dispose(disposing);
    }

    private int Wanted(int buffer) => (int)Math.Clamp(length - _position, 0, buffer);
}
