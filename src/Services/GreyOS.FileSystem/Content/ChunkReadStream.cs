using Microsoft.Win32.SafeHandles;

namespace GreyOS.FileSystem.Content;

/// <summary>
/// A read-only, seekable stream over a byte range of a <see cref="ContentRef"/>: reads go straight
/// from the chunk files into the caller's buffer (positional reads, no intermediate buffer), across
/// chunk boundaries. One chunk file is open at a time, opened when a read first reaches it. Not
/// thread-safe, like <see cref="FileStream"/>.
/// </summary>
internal sealed class ChunkReadStream : PositionalReadStream
{
    private readonly ChunkStore _store;
    private readonly IReadOnlyList<ChunkRef> _chunks;
    private readonly long[] _starts;
    private readonly long _rangeStart;
    private readonly bool _verify;
    private int _openIndex = -1;
    private SafeFileHandle? _handle;

    /// <summary>A stream over <paramref name="length"/> bytes of <paramref name="content"/> from <paramref name="offset"/> (already validated).</summary>
    public ChunkReadStream(ChunkStore store, ContentRef content, long offset, long length, bool verify)
        : base(length)
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
        _verify = verify;
    }

    protected override int ReadAt(long position, Span<byte> buffer)
    {
        var (index, fileOffset, count) = Locate(position, buffer.Length);
        return Counted(RandomAccess.Read(HandleOf(index), buffer[..count], fileOffset), index, fileOffset);
    }

    protected override async ValueTask<int> ReadAtAsync(long position, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var (index, fileOffset, count) = Locate(position, buffer.Length);
        return Counted(await RandomAccess.ReadAsync(HandleOf(index), buffer[..count], fileOffset, cancellationToken).ConfigureAwait(false), index, fileOffset);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _handle?.Dispose();
            _handle = null;
        }

        base.Dispose(disposing);
    }

    /// <summary>Where a read at <paramref name="position"/> goes: the chunk, the offset in its file, and how many bytes (within that chunk).</summary>
    private (int Index, long FileOffset, int Count) Locate(long position, int wanted)
    {
        var absolute = _rangeStart + position;
        var index = IndexOf(absolute);
        var fileOffset = absolute - _starts[index];
        return (index, fileOffset, (int)Math.Min(wanted, _chunks[index].Length - fileOffset));
    }

    /// <summary>A read of 0 bytes inside a chunk means its file is shorter than recorded.</summary>
    private int Counted(int read, int index, long fileOffset) =>
        read > 0 ? read : throw _store.Truncated(_chunks[index], fileOffset);

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
