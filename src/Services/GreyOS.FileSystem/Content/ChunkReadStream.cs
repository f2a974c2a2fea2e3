using Microsoft.Win32.SafeHandles;

namespace GreyOS.FileSystem.Content;

/// <summary>
/// A read-only, seekable stream over a byte range of a <see cref="ContentRef"/>: reads go straight
/// from the chunk files into the caller's buffer (positional reads, no intermediate buffer), across
/// chunk boundaries. One chunk file is open at a time, opened when a read first reaches it. Not
/// thread-safe, like <see cref="FileStream"/>.
/// </summary>
internal sealed class ChunkReadStream : Stream
{
    private readonly ChunkStore _store;
    private readonly IReadOnlyList<ChunkRef> _chunks;
    private readonly long[] _starts;
    private readonly long _rangeStart;
    private readonly long _length;
    private readonly bool _verify;
    private long _position;
    private int _openIndex = -1;
    private SafeFileHandle? _handle;
    private bool _disposed;

    /// <summary>A stream over <paramref name="length"/> bytes of <paramref name="content"/> from <paramref name="offset"/> (already validated).</summary>
    public ChunkReadStream(ChunkStore store, ContentRef content, long offset, long length, bool verify)
    {
        _store = store;
        _chunks = content.Chunks;
        _starts = new long[_chunks.Count];
        long start = 0;
        for (var i = 0; i < _chunks.Count; i++)
        {
            _starts[i] = start;
            start += _chunks[i].Length;
        }

        _rangeStart = offset;
        _length = length;
        _verify = verify;
    }

    public override bool CanRead => !_disposed;

    public override bool CanSeek => !_disposed;

    public override bool CanWrite => false;

    public override long Length
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _length;
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
        while (!buffer.IsEmpty && Next(buffer.Length) is (int index, long fileOffset, int count))
        {
            var read = RandomAccess.Read(HandleOf(index), buffer[..count], fileOffset);
            if (read == 0)
            {
                throw _store.Truncated(_chunks[index], fileOffset);
            }

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
        while (!buffer.IsEmpty && Next(buffer.Length) is (int index, long fileOffset, int count))
        {
            var read = await RandomAccess.ReadAsync(HandleOf(index), buffer[..count], fileOffset, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw _store.Truncated(_chunks[index], fileOffset);
            }

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
            SeekOrigin.End => _length + offset,
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

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _handle?.Dispose();
            _handle = null;
        }

        _disposed = true;
        base.Dispose(disposing);
    }

    /// <summary>Where the next read goes: the chunk, the offset in its file, and how many bytes (null at the end).</summary>
    private (int Index, long FileOffset, int Count)? Next(int wanted)
    {
        if (_position >= _length)
        {
            return null;
        }

        var absolute = _rangeStart + _position;
        var index = IndexOf(absolute);
        var fileOffset = absolute - _starts[index];
        var count = (int)Math.Min(Math.Min(wanted, _chunks[index].Length - fileOffset), _length - _position);
        return (index, fileOffset, count);
    }

    /// <summary>The chunk holding byte <paramref name="absolute"/> (&lt; content length): the open one, the next, or by binary search.</summary>
    private int IndexOf(long absolute)
    {
        for (var i = Math.Max(_openIndex, 0); i < Math.Min(_openIndex + 2, _starts.Length); i++)
        {
            if (absolute >= _starts[i] && absolute - _starts[i] < _chunks[i].Length)
            {
                return i;
            }
        }

        var found = Array.BinarySearch(_starts, absolute);
        return found >= 0 ? found : ~found - 1;
    }

    private SafeFileHandle HandleOf(int index)
    {
        if (index != _openIndex || _handle is null)
        {
            _handle?.Dispose();
            _handle = null;
            _openIndex = -1;
            _handle = _store.OpenChunk(_chunks[index], _verify);
            _openIndex = index;
        }

        return _handle;
    }
}
