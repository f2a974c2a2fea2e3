using GreyOS.Abstractions.FileSystem;

namespace GreyOS.Kernel.Files;

/// <summary>
/// A file a process has open (a WASI fd or a grey file handle). Reads stream from the VFS and re-open
/// at the new offset after a seek. The VFS replaces whole files atomically, so writes go to a
/// <see cref="SpillBuffer"/>: the file's content (copied on the first write unless truncated), or for
/// <c>O_APPEND</c> only the new bytes. <see cref="Commit"/> (close, sync, normal exit) writes it to the
/// VFS in one atomic write; <see cref="Dispose"/> without a commit discards it.
/// </summary>
internal sealed class OpenFile(ProcessFiles owner, VfsPath path, bool readable, bool writable, bool append, bool truncate) : IDisposable
{
    private Stream? _reader;
    private long _readerAt = -1;
    private SpillBuffer? _buffer;
    private bool _appendOnly = append;
    private bool _truncate = truncate;
    private bool _disposed;

    public VfsPath Path { get; } = path;

    public bool Readable { get; } = readable;

    public bool Writable { get; } = writable;

    public bool Append { get; } = append;

    /// <summary>The current position (WASI fd offset / fs_seek).</summary>
    public long Position { get; set; }

    /// <summary>True while there are writes not yet committed to the VFS.</summary>
    public bool Dirty { get; private set; }

    /// <summary>Bytes read at <paramref name="at"/>: from the buffer when it holds the whole content, else streamed from the VFS.</summary>
    public FileResult<int> Read(long at, Span<byte> destination)
    {
        if (_buffer is not null && !_appendOnly)
        {
            return _buffer.ReadAt(at, destination);
        }

        if (_truncate)
        {
            return 0; // truncated at open, nothing written yet
        }

        if (_reader is null || _readerAt != at)
        {
            _reader?.Dispose();
            _reader = null;
            var opened = ProcessFiles.Wait(owner.Files.OpenReadAsync(owner.Principal, Path, at, null, owner.Token));
            if (!opened.IsSuccess)
            {
                // Reading past the end of a file is EOF, not an error.
                return opened.Error.Code == Abstractions.Errors.ErrorCodes.InvalidRequest ? 0 : FileError.From(opened.Error);
            }

            _reader = opened.Value.Content;
            _readerAt = at;
        }

        var total = 0;
        while (total < destination.Length)
        {
            var read = _reader.Read(destination[total..]);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        _readerAt += total;
        return total;
    }

    /// <summary>Writes at <paramref name="at"/> (or at the end for O_APPEND); the new position.</summary>
    public FileResult<long> Write(long at, ReadOnlySpan<byte> data)
    {
        if (_appendOnly)
        {
            _buffer ??= owner.NewBuffer();
            if (!_buffer.WriteAt(_buffer.Length, data))
            {
                return FileError.Quota;
            }

            Dirty = true;
            return at + data.Length;
        }

        if (Materialize() is { } error)
        {
            return error;
        }

        if (!_buffer!.WriteAt(at, data))
        {
            return FileError.Quota;
        }

        Dirty = true;
        return at + data.Length;
    }

    /// <summary>The file's length as this descriptor sees it (its buffer when it holds the content).</summary>
    public FileResult<long> Length()
    {
        if (_buffer is not null && !_appendOnly)
        {
            return _buffer.Length;
        }

        if (_truncate)
        {
            return 0;
        }

        var stat = ProcessFiles.Wait(owner.Files.StatAsync(owner.Principal, Path, owner.Token));
        return stat.IsSuccess ? stat.Value.Length + (_appendOnly ? _buffer?.Length ?? 0 : 0) : FileError.From(stat.Error);
    }

    /// <summary>Truncates or extends (with zeros): <c>fd_filestat_set_size</c>, <c>ftruncate</c>.</summary>
    public FileError? SetLength(long length)
    {
        if (Materialize() is { } error)
        {
            return error;
        }

        if (!_buffer!.SetLength(length))
        {
            return FileError.Quota;
        }

        Dirty = true;
        return null;
    }

    /// <summary>Writes pending content to the VFS atomically (replace, or append for O_APPEND); no-op when clean.</summary>
    public FileError? Commit()
    {
        if (!Dirty || _buffer is null)
        {
            return null;
        }

        var written = ProcessFiles.Wait(owner.Files.WriteAsync(owner.Principal, Path, _buffer.Content(), new WriteOptions(Append: _appendOnly), owner.Token));
        if (!written.IsSuccess)
        {
            return FileError.From(written.Error);
        }

        // Committed: the VFS holds the content now; drop the buffer (and its budget) and read anew.
        Dirty = false;
        _truncate = false;
        _appendOnly = Append;
        _buffer.Dispose();
        _buffer = null;
        _reader?.Dispose();
        _reader = null;
        return null;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _reader?.Dispose();
        _buffer?.Dispose();
        owner.Forget(this);
    }

    /// <summary>Makes the buffer hold the whole content: the committed bytes (unless truncated), then pending appends.</summary>
    private FileError? Materialize()
    {
        if (_buffer is not null && !_appendOnly)
        {
            return null;
        }

        var buffer = owner.NewBuffer();
        if (!_truncate)
        {
            var opened = ProcessFiles.Wait(owner.Files.OpenReadAsync(owner.Principal, Path, 0, null, owner.Token));
            if (opened.IsSuccess)
            {
                using var content = opened.Value.Content;
                if (!buffer.Append(content, owner.Token))
                {
                    buffer.Dispose();
                    return FileError.Quota;
                }
            }
            else if (opened.Error.Code != Abstractions.Errors.ErrorCodes.FileNotFound)
            {
                buffer.Dispose();
                return FileError.From(opened.Error);
            }
        }

        if (_buffer is not null)
        {
            // Pending O_APPEND bytes go after the committed content.
            var ok = buffer.Append(_buffer.Content(), owner.Token);
            _buffer.Dispose();
            if (!ok)
            {
                buffer.Dispose();
                _buffer = null;
                return FileError.Quota;
            }
        }

        _buffer = buffer;
        _appendOnly = false;
        _truncate = false;
        Dirty = true;
        return null;
    }
}

/// <summary>A value or a <see cref="FileError"/>.</summary>
internal readonly struct FileResult<T>
{
    private FileResult(T value, FileError? error)
    {
        Value = value;
        Error = error;
    }

    public T Value { get; }

    public FileError? Error { get; }

    public bool IsSuccess => Error is null;

#pragma warning disable CA2225 // conversions are how results are made
    public static implicit operator FileResult<T>(T value) => new(value, null);

    public static implicit operator FileResult<T>(FileError error) => new(default!, error);
#pragma warning restore CA2225
}
