using System.Buffers;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using GreyOS.Abstractions.Errors;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace GreyOS.FileSystem.Content;

/// <summary>
/// The content-addressed, deduplicated content store on the local disk (design 0004, decision 4).
/// Content is split into chunks of <see cref="ChunkSize"/> bytes, each named by the lower-case hex
/// SHA-256 of its bytes and stored once at <c>&lt;root&gt;/ab/cd/&lt;hex&gt;</c>. Chunk files are
/// immutable (mode 0400; folders 0700 on Unix): a new chunk is written to <c>&lt;root&gt;/tmp/</c>,
/// flushed to disk, checked against its hash, renamed into place, and its folder is flushed to disk,
/// so a crash leaves either the whole chunk or none. Writing a chunk that exists writes nothing.
/// </summary>
/// <remarks>
/// <para>
/// Errors: a refused upload (more than <c>maxLength</c> bytes, or not the declared length) is an
/// expected failure and returns a <see cref="GreyError"/> (<see cref="ErrorCodes.ContentTooLarge"/>,
/// <see cref="ErrorCodes.ContentLengthMismatch"/>); faults throw: <see cref="IOException"/> for the
/// disk (full, unreadable, a missing or corrupted chunk — the message names the chunk),
/// <see cref="ArgumentException"/> for a hash that is not 64 lower-case hex characters.
/// </para>
/// <para>
/// Reference counting is the database's business: the store does not know which chunks are in use.
/// A refused or interrupted write may leave chunks nobody references; the garbage collector removes
/// them with <see cref="EnumerateHashes"/> and <see cref="TryDeleteUnused"/>. Thread-safe; several writers of
/// the same chunk at once all succeed and leave one intact file (the rename is atomic, the bytes equal).
/// </para>
/// <para>
/// Safe against the collector (a chunk a write is about to reference is never deleted under it): a
/// write that finds its chunk already stored (deduplication) refreshes the chunk file's last-write
/// time before it returns, under the same per-chunk lock under which <see cref="TryDeleteUnused"/>
/// re-checks that time right before deleting; and while a write is in flight, nothing written or
/// refreshed since it began is deleted (<see cref="OldestWriteStartedAt"/>), however long it streams.
/// The collector's grace period covers the short step from a write's return to its metadata commit.
/// </para>
/// </remarks>
internal sealed partial class ChunkStore
{
    /// <summary>The largest chunk: 4 MiB. Every chunk but the last of a content has exactly this length.</summary>
    public const int ChunkSize = 4 * 1024 * 1024;

    /// <summary>The store's folder name inside the node's data folder (<c>&lt;data&gt;/chunks</c>).</summary>
    public const string FolderName = "chunks";

    /// <summary>The length of a chunk name: 64 hex characters.</summary>
    public const int HashLength = 64;

    private const string TempFolderName = "tmp";
    private const int VerifyBufferSize = 256 * 1024;
    private const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode ChunkMode = UnixFileMode.UserRead;

    /// <summary>Locks striped by the first byte of a chunk's hash: a dedup hit's refresh and the collector's delete of that chunk never interleave.</summary>
    private const int LockStripes = 256;

    private readonly string _tempFolder;
    private volatile bool _foldersReady;
    private readonly ILogger<ChunkStore> _logger;
    private readonly TimeProvider _time;
    private readonly Lock[] _stripes = CreateStripes();

    /// <summary>The writes in flight and when each began.</summary>
    private readonly ConcurrentDictionary<long, DateTimeOffset> _activeWrites = new();
    private long _nextWrite;

    /// <summary>A store rooted at <paramref name="root"/>; creates it (and its <c>tmp</c> folder) on first use when missing.</summary>
    public ChunkStore(string root, ILogger<ChunkStore> logger, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        ArgumentNullException.ThrowIfNull(logger);
        Root = Path.GetFullPath(root);
        _tempFolder = Path.Combine(Root, TempFolderName);
        _logger = logger;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Creates the store's folders on first use (not when composed: the node's start-up steps prepare the data folder first).</summary>
    private void EnsureFolders()
    {
        if (!_foldersReady)
        {
            CreateFolder(Root);
            CreateFolder(_tempFolder);
            _foldersReady = true;
        }
    }

    /// <summary>When the oldest write still in flight began (null: none is): chunks written or refreshed since then are never deleted.</summary>
    public DateTimeOffset? OldestWriteStartedAt
    {
        get
        {
            DateTimeOffset? oldest = null;
            foreach (var started in _activeWrites.Values)
            {
                if (oldest is null || started < oldest)
                {
                    oldest = started;
                }
            }

            return oldest;
        }
    }

    /// <summary>The store's folder (absolute).</summary>
    public string Root { get; }

    /// <summary>True when <paramref name="hash"/> is 64 lower-case hex characters (a valid chunk name).</summary>
    public static bool IsValidHash(string? hash)
    {
        if (hash is not { Length: HashLength })
        {
            return false;
        }

        foreach (var c in hash)
        {
            if (!IsLowerHex(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="hash"/> is a valid chunk name.</summary>
    public static void ThrowIfInvalidHash(string? hash, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(hash))] string? paramName = null)
    {
        if (!IsValidHash(hash))
        {
            throw new ArgumentException("A chunk hash is 64 lower-case hex characters (SHA-256).", paramName);
        }
    }

    /// <summary>
    /// Streams <paramref name="content"/> into the store: splits it into chunks, stores the new ones
    /// and returns the content's chunk list. Refused, without reading further, when more than
    /// <paramref name="maxLength"/> bytes arrive (<see cref="ErrorCodes.ContentTooLarge"/>; also at once
    /// when <paramref name="expectedLength"/> exceeds it), or when <paramref name="expectedLength"/> is
    /// given and the stream ends before it or runs past it (<see cref="ErrorCodes.ContentLengthMismatch"/>).
    /// A refused write returns no reference; chunks it already stored are left to the garbage collector.
    /// At most one chunk (4 MiB, pooled) is buffered.
    /// </summary>
    public async Task<Result<ContentRef>> WriteAsync(Stream content, long? expectedLength, long maxLength, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentOutOfRangeException.ThrowIfNegative(maxLength);
        if (expectedLength is { } declared)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(declared, nameof(expectedLength));
            if (declared > maxLength)
            {
                return Refuse(TooLarge(maxLength));
            }
        }

        // Never read more than one byte past the limit: that byte proves the limit is exceeded.
        var limit = Math.Min(maxLength, expectedLength ?? long.MaxValue);
        var chunks = new List<ChunkRef>();
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        using var hasher = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long total = 0;
        var write = Interlocked.Increment(ref _nextWrite);
        _activeWrites[write] = _time.GetUtcNow();
        try
        {
            var ended = false;
            while (!ended)
            {
                var filled = 0;
                while (filled < ChunkSize)
                {
                    var room = ChunkSize - filled;
                    var remaining = limit - total;
                    var want = remaining >= room ? room : (int)remaining + 1;
                    var read = await content.ReadAsync(buffer.AsMemory(filled, want), cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        ended = true;
                        break;
                    }

                    hasher.AppendData(buffer, filled, read);
                    filled += read;
                    total += read;
                    if (total > limit)
                    {
                        return Refuse(total > maxLength
                            ? TooLarge(maxLength)
                            : GreyError.Invalid(ErrorCodes.ContentLengthMismatch, $"more than the declared {expectedLength} bytes arrived"));
                    }
                }

                if (ended && expectedLength is { } expected && total != expected)
                {
                    return Refuse(GreyError.Invalid(ErrorCodes.ContentLengthMismatch, $"{total} of the declared {expected} bytes arrived"));
                }

                if (filled > 0)
                {
                    var hash = Convert.ToHexStringLower(hasher.GetHashAndReset());
                    await StoreAsync(hash, buffer.AsMemory(0, filled), cancellationToken).ConfigureAwait(false);
                    chunks.Add(new ChunkRef(hash, filled));
                }
            }
        }
        finally
        {
            _activeWrites.TryRemove(write, out _);

            // The buffer held user content and the pool is shared by the whole process.
            ArrayPool<byte>.Shared.Return(buffer, clearArray: true);
        }

        return ContentRef.FromChunks(chunks);
    }

    /// <summary>
    /// A read-only, seekable stream over <paramref name="length"/> bytes (null: to the end) of
    /// <paramref name="content"/> from <paramref name="offset"/>; position 0 of the stream is
    /// <paramref name="offset"/>. Chunk files are opened lazily, one at a time; a missing chunk, or one
    /// whose length on disk is wrong, throws <see cref="IOException"/> naming the chunk when the read
    /// reaches it. With <paramref name="verify"/>, each chunk's SHA-256 is checked before any of its
    /// bytes are returned (a second pass over the chunk: for scrubs and suspicious reads, not for
    /// serving downloads).
    /// </summary>
    public Stream OpenRead(ContentRef content, long offset, long? length, bool verify = false)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(offset, content.Length);
        var available = content.Length - offset;
        if (length is { } requested)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(requested, nameof(length));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(requested, available, nameof(length));
        }

        return new ChunkReadStream(this, content, offset, length ?? available, verify);
    }

    /// <summary>True when the chunk file exists.</summary>
    public bool Exists(string hash) => File.Exists(ChunkPath(hash));

    /// <summary>The chunk file's length, or null when it does not exist.</summary>
    public long? LengthOf(string hash)
    {
        var file = new FileInfo(ChunkPath(hash));
        return file.Exists ? file.Length : null;
    }

    /// <summary>
    /// Deletes a chunk file (nothing happens when it does not exist). For tests and repairs only: the
    /// garbage collector uses <see cref="TryDeleteUnused"/>, which cannot race a write.
    /// </summary>
    public void Delete(string hash)
    {
        File.Delete(ChunkPath(hash));
        LogDeleted(_logger, hash);
    }

    /// <summary>
    /// For the garbage collector, after it found no reference to the chunk: deletes the chunk file if
    /// it was last written (or refreshed by a deduplicating write) before <paramref name="cutoff"/> and
    /// before the oldest write still in flight began. The time is re-read under the chunk's lock, the
    /// one a deduplicating write takes to refresh it, so a write that is about to reference the chunk
    /// either refreshed it first (kept) or finds it gone and stores it again. Returns the bytes freed,
    /// or null when the chunk was kept (or is gone).
    /// </summary>
    public long? TryDeleteUnused(string hash, DateTimeOffset cutoff)
    {
        var path = ChunkPath(hash);
        lock (StripeOf(hash))
        {
            if (OldestWriteStartedAt is { } oldest && oldest < cutoff)
            {
                cutoff = oldest;
            }

            var file = new FileInfo(path);
            if (!file.Exists || new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero) >= cutoff)
            {
                return null;
            }

            var length = file.Length;
            file.Delete();
            LogDeleted(_logger, hash);
            return length;
        }
    }

    /// <summary>When the chunk file was last written or refreshed (null: it does not exist).</summary>
    public DateTimeOffset? LastWrittenAt(string hash)
    {
        var file = new FileInfo(ChunkPath(hash));
        return file.Exists ? new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero) : null;
    }

    /// <summary>The hashes of all chunk files, in no particular order (lazily; files with other names are ignored).</summary>
    public IEnumerable<string> EnumerateHashes()
    {
        EnsureFolders();
        foreach (var first in Directory.EnumerateDirectories(Root))
        {
            var a = Path.GetFileName(first);
            if (!IsHexPair(a))
            {
                continue;
            }

            foreach (var second in Directory.EnumerateDirectories(first))
            {
                var b = Path.GetFileName(second);
                if (!IsHexPair(b))
                {
                    continue;
                }

                foreach (var file in Directory.EnumerateFiles(second))
                {
                    var name = Path.GetFileName(file);
                    if (IsValidHash(name) && name[0] == a[0] && name[1] == a[1] && name[2] == b[0] && name[3] == b[1])
                    {
                        yield return name;
                    }
                }
            }
        }
    }

    /// <summary>
    /// Deletes the temp files of writes a crash interrupted. Only while no write is in flight
    /// (at node start, before the store is used). Returns how many were deleted.
    /// </summary>
    public int DeleteTempFiles()
    {
        EnsureFolders();
        var count = 0;
        foreach (var file in Directory.EnumerateFiles(_tempFolder))
        {
            File.Delete(file);
            count++;
        }

        if (count > 0)
        {
            LogTempFilesDeleted(_logger, count, _tempFolder);
        }

        return count;
    }

    /// <summary>The path of a chunk file; throws <see cref="ArgumentException"/> for an invalid hash (no path can be smuggled in).</summary>
    internal string ChunkPath(string hash)
    {
        ThrowIfInvalidHash(hash);
        return Path.Combine(Root, hash[..2], hash[2..4], hash);
    }

    /// <summary>
    /// Opens a chunk for reading (sequential scan), checking its length and, with
    /// <paramref name="verify"/>, its hash; throws <see cref="IOException"/> naming the chunk when it is
    /// missing or corrupted.
    /// </summary>
    internal SafeFileHandle OpenChunk(ChunkRef chunk, bool verify)
    {
        var path = ChunkPath(chunk.Hash);
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            LogChunkUnreadable(_logger, chunk.Hash, "missing");
            throw new IOException($"Chunk {chunk.Hash} is missing from the content store ({path}).", ex);
        }

        var ok = false;
        try
        {
            var onDisk = RandomAccess.GetLength(handle);
            if (onDisk != chunk.Length)
            {
                throw Corrupted(chunk.Hash, path, $"{onDisk} bytes on disk, {chunk.Length} expected");
            }

            if (verify && HashOf(handle, onDisk) is var actual && actual != chunk.Hash)
            {
                throw Corrupted(chunk.Hash, path, $"its content hashes to {actual}");
            }

            ok = true;
            return handle;
        }
        finally
        {
            if (!ok)
            {
                handle.Dispose();
            }
        }
    }

    /// <summary>Throws when a chunk ends before its recorded length while being read.</summary>
    internal IOException Truncated(ChunkRef chunk, long at) =>
        Corrupted(chunk.Hash, ChunkPath(chunk.Hash), $"it ends at byte {at} of {chunk.Length}");

    private static bool IsLowerHex(char c) => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f';

    private static bool IsHexPair(string name) => name.Length == 2 && IsLowerHex(name[0]) && IsLowerHex(name[1]);

    private static GreyError TooLarge(long maxLength) => GreyError.TooLarge(ErrorCodes.ContentTooLarge, $"more than {maxLength} bytes");

    private static void CreateFolder(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, FolderMode);
        }
    }

    /// <summary>The lower-case hex SHA-256 of the first <paramref name="length"/> bytes of a file.</summary>
    private static string HashOf(SafeFileHandle handle, long length)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(VerifyBufferSize);
        try
        {
            using var hasher = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long offset = 0;
            while (offset < length)
            {
                var read = RandomAccess.Read(handle, buffer.AsSpan(0, (int)Math.Min(buffer.Length, length - offset)), offset);
                if (read == 0)
                {
                    break;
                }

                hasher.AppendData(buffer, 0, read);
                offset += read;
            }

            return offset == length ? Convert.ToHexStringLower(hasher.GetHashAndReset()) : $"(only {offset} of {length} bytes readable)";
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer, clearArray: true);
        }
    }

    private IOException Corrupted(string hash, string path, string reason)
    {
        LogChunkUnreadable(_logger, hash, reason);
        return new IOException($"Chunk {hash} in the content store is corrupted: {reason} ({path}).");
    }

    private Result<ContentRef> Refuse(GreyError error)
    {
        LogRefused(_logger, error.Code, error.Message);
        return error;
    }

    /// <summary>
    /// Stores one chunk unless an intact-looking copy (right length) is already there; that copy's
    /// last-write time is refreshed (under the chunk's lock), so the garbage collector keeps it for the
    /// write that is about to reference it.
    /// </summary>
    private async Task StoreAsync(string hash, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var path = ChunkPath(hash);
        lock (StripeOf(hash))
        {
            var present = new FileInfo(path);
            if (present.Exists)
            {
                if (present.Length == data.Length && TryRefresh(present, hash))
                {
                    return;
                }

                if (present.Length != data.Length)
                {
                    // Damaged (e.g. truncated by a failing disk): the fresh bytes replace it.
                    LogRewritingDamaged(_logger, hash, present.Length, data.Length);
                }
            }
        }

        EnsureFolders();
        var folder = Path.GetDirectoryName(path)!;
        EnsureFolder(folder);
        var temp = Path.Combine(_tempFolder, $"{hash}.{Guid.NewGuid():N}");
        try
        {
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.ReadWrite,
                Share = FileShare.None,
                BufferSize = 0,
                PreallocationSize = data.Length,
            };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = ChunkMode;
            }

            var stream = new FileStream(temp, options);
            await using (stream.ConfigureAwait(false))
            {
                await stream.WriteAsync(data, cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);

                // Read back what the file system holds: the name must promise exactly these bytes.
                var written = HashOf(stream.SafeFileHandle, data.Length);
                if (RandomAccess.GetLength(stream.SafeFileHandle) != data.Length || written != hash)
                {
                    throw new IOException($"Chunk {hash} did not read back as written ({temp}: {written}); the disk or file system is failing.");
                }
            }

            // Atomic: a concurrent writer of the same chunk renames identical bytes over it.
            File.Move(temp, path, overwrite: true);
            DirectorySync.Flush(folder);
            LogStored(_logger, hash, data.Length);
        }
        finally
        {
            TryDelete(temp);
        }
    }

    private static Lock[] CreateStripes()
    {
        var stripes = new Lock[LockStripes];
        for (var i = 0; i < stripes.Length; i++)
        {
            stripes[i] = new Lock();
        }

        return stripes;
    }

    private Lock StripeOf(string hash) => _stripes[Convert.ToByte(hash[..2], 16)];

    /// <summary>Moves a present chunk's last-write time to now; false when the file system refuses (the chunk is then stored again, which renews it too).</summary>
    private bool TryRefresh(FileInfo present, string hash)
    {
        try
        {
            present.LastWriteTimeUtc = _time.GetUtcNow().UtcDateTime;
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogRefreshFailed(_logger, hash, ex.Message);
            return false;
        }
    }

    /// <summary>Creates <c>ab/cd</c> when missing and flushes each new entry's parent folder to disk.</summary>
    private void EnsureFolder(string folder)
    {
        if (Directory.Exists(folder))
        {
            return;
        }

        var parent = Path.GetDirectoryName(folder)!;
        if (!Directory.Exists(parent))
        {
            CreateFolder(parent);
            DirectorySync.Flush(Root);
        }

        CreateFolder(folder);
        DirectorySync.Flush(parent);
    }

    private void TryDelete(string temp)
    {
        try
        {
            File.Delete(temp);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogTempNotDeleted(_logger, temp, ex.Message);
        }
    }

    [LoggerMessage(EventId = 5101, Level = LogLevel.Debug, Message = "Stored chunk {Hash} ({Length} bytes)")]
    private static partial void LogStored(ILogger logger, string hash, int length);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Debug, Message = "Refused content ({Code}): {Reason}")]
    private static partial void LogRefused(ILogger logger, string code, string reason);

    [LoggerMessage(EventId = 5103, Level = LogLevel.Error, Message = "Chunk {Hash} of the content store is unreadable: {Reason}")]
    private static partial void LogChunkUnreadable(ILogger logger, string hash, string reason);

    [LoggerMessage(EventId = 5104, Level = LogLevel.Warning, Message = "Chunk {Hash} on disk has {Actual} bytes instead of {Expected}; rewriting it")]
    private static partial void LogRewritingDamaged(ILogger logger, string hash, long actual, int expected);

    [LoggerMessage(EventId = 5105, Level = LogLevel.Debug, Message = "Deleted chunk {Hash}")]
    private static partial void LogDeleted(ILogger logger, string hash);

    [LoggerMessage(EventId = 5106, Level = LogLevel.Information, Message = "Deleted {Count} temp files of interrupted writes in {Folder}")]
    private static partial void LogTempFilesDeleted(ILogger logger, int count, string folder);

    [LoggerMessage(EventId = 5107, Level = LogLevel.Warning, Message = "Could not delete the temp file {Path}: {Reason}")]
    private static partial void LogTempNotDeleted(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 5108, Level = LogLevel.Warning, Message = "Could not refresh the time of chunk {Hash} ({Reason}); storing it again")]
    private static partial void LogRefreshFailed(ILogger logger, string hash, string reason);
}
