namespace GreyOS.Kernel.Files;

/// <summary>The bytes a process may hold in write buffers at once (all its open files together).</summary>
internal sealed class BufferBudget(long limit)
{
    private long _used;

    public long Limit => limit;

    public long Used => Interlocked.Read(ref _used);

    public bool TryTake(long bytes)
    {
        while (true)
        {
            var used = Interlocked.Read(ref _used);
            if (used + bytes > limit)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _used, used + bytes, used) == used)
            {
                return true;
            }
        }
    }

    public void Release(long bytes) => Interlocked.Add(ref _used, -bytes);
}

/// <summary>
/// The pending content of a file open for writing: in memory up to a threshold, then in a temp file
/// (deleted on close) in the node's data folder. Every byte is charged to the process's
/// <see cref="BufferBudget"/> before it is accepted.
/// </summary>
internal sealed class SpillBuffer(BufferBudget budget, int memoryThreshold, string tempFolder) : IDisposable
{
    private Stream _stream = new MemoryStream();
    private long _reserved;

    public long Length => _stream.Length;

    /// <summary>Bytes copied at <paramref name="at"/> (0 at or past the end).</summary>
    public int ReadAt(long at, Span<byte> destination)
    {
        if (at >= _stream.Length)
        {
            return 0;
        }

        _stream.Position = at;
        return _stream.Read(destination);
    }

    /// <summary>Writes at <paramref name="at"/> (a gap past the end reads as zeros); false over the budget.</summary>
    public bool WriteAt(long at, ReadOnlySpan<byte> data)
    {
        var end = at + data.Length;
        if (!Reserve(Math.Max(end, _stream.Length)))
        {
            return false;
        }

        if (at > _stream.Length)
        {
            _stream.SetLength(at);
        }

        _stream.Position = at;
        _stream.Write(data);
        return true;
    }

    /// <summary>Appends a stream's bytes (bounded by the budget); false over the budget.</summary>
    public bool Append(Stream source, CancellationToken cancellationToken)
    {
        var chunk = new byte[81920];
        int read;
        while ((read = source.Read(chunk)) > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!WriteAt(_stream.Length, chunk.AsSpan(0, read)))
            {
                return false;
            }
        }

        return true;
    }

    public bool SetLength(long length)
    {
        if (!Reserve(length))
        {
            return false;
        }

        _stream.SetLength(length);
        return true;
    }

    /// <summary>The content from its start, for the commit (the buffer still owns the stream).</summary>
    public Stream Content()
    {
        _stream.Position = 0;
        return _stream;
    }

    public void Dispose()
    {
        _stream.Dispose();
        budget.Release(_reserved);
        _reserved = 0;
    }

    private bool Reserve(long length)
    {
        if (length > _reserved)
        {
            if (!budget.TryTake(length - _reserved))
            {
                return false;
            }

            _reserved = length;
        }

        if (length > memoryThreshold && _stream is MemoryStream memory)
        {
            Directory.CreateDirectory(tempFolder);
            var file = new FileStream(
                Path.Combine(tempFolder, $"buf-{Guid.NewGuid():N}.tmp"),
                FileMode.CreateNew,
                FileAccess.ReadWrite,
                FileShare.None,
                81920,
                FileOptions.DeleteOnClose);
            memory.Position = 0;
            memory.CopyTo(file);
            memory.Dispose();
            _stream = file;
        }

        return true;
    }
}
