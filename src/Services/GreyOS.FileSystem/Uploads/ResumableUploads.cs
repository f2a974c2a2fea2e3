using System.Buffers;
using System.Collections.Concurrent;
using System.Data.Common;
using System.Security.Cryptography;
using GreyOS.Abstractions.Errors;
using GreyOS.Abstractions.FileSystem;
using GreyOS.Abstractions.Node;
using GreyOS.Abstractions.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GreyOS.FileSystem.Uploads;

/// <summary>
/// Resumable uploads (design 0004, "Resumable uploads"): a row in <c>fs_uploads</c>
/// (<see cref="UploadMigrations"/>) and a staging file <c>&lt;data&gt;/uploads/&lt;id&gt;</c> per upload.
/// A part is streamed into the staging file at the acknowledged offset, flushed to disk, and only then
/// is the new offset committed to the row, so an acknowledged offset survives <c>kill -9</c>; bytes
/// past the row's offset (a part the crash interrupted) are cut off before the next part. When the
/// last byte arrives the staged content is written through <see cref="IFileSystem.WriteAsync"/> with
/// the caller's principal (access checked again), the declared length and the preconditions.
/// </summary>
/// <remarks>
/// Creation checks what can be checked without writing: the caller may write the path (a dry-run
/// write whose never-matching If-Match refuses it before any byte is accepted: the VFS's own access
/// checks, shares included), the parent folder exists, and the preconditions hold now. One request at
/// a time writes to an upload (others wait up to <see cref="UploadOptions.BusyWait"/>, then <c>upload_busy</c>).
/// </remarks>
internal sealed partial class ResumableUploads : IResumableUploads, IDisposable
{
    private const string IdPrefix = "upl_";
    private const int IdHexLength = 32;
    private const int CopyBufferSize = 128 * 1024;
    private const string OpenState = "open";
    private const string DoneState = "done";

    /// <summary>An If-Match no ETag can equal: the VFS refuses such a write before it accepts a byte.</summary>
    private const string ProbeETag = "\"greyos-upload-probe\"";

    private const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode StagingFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private const string Columns = "id, user_id, path, length, received, if_match, create_only, state, committed_etag, committed_mime, committed_at, created_at, updated_at, expires_at";

    private readonly IDatabase _database;
    private readonly IFileSystem _files;
    private readonly UploadOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ResumableUploads> _logger;
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);

    public ResumableUploads(IDatabase database, IFileSystem files, DataDirectory data, IOptions<UploadOptions> options, TimeProvider time, ILogger<ResumableUploads> logger)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        _database = database;
        _files = files;
        _options = options.Value;
        _time = time;
        _logger = logger;
        Folder = data.File(UploadOptions.FolderName);
    }

    /// <summary>The staging folder (absolute).</summary>
    public string Folder { get; }

    public long MaxLength => _options.MaxLength;

    public async ValueTask<Result<UploadState>> CreateAsync(FilePrincipal principal, UploadRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(principal);
        ArgumentNullException.ThrowIfNull(request);
        if (request.Length < 0)
        {
            return GreyError.Invalid(ErrorCodes.InvalidRequest, "length is the upload's total size in bytes (0 or more)");
        }

        if (request.Length > _options.MaxLength)
        {
            return GreyError.TooLarge(ErrorCodes.ContentTooLarge, $"{request.Length} bytes is more than the largest upload ({_options.MaxLength} bytes)");
        }

        if (request.IfMatch is not null && request.CreateOnly)
        {
            return GreyError.Invalid(ErrorCodes.InvalidRequest, "ifMatch (replace that version) and createOnly (nothing may exist) exclude each other");
        }

        if (await CheckTargetAsync(principal, request, cancellationToken).ConfigureAwait(false) is { } refused)
        {
            return refused;
        }

        var id = IdPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(IdHexLength / 2));
        var now = _time.GetUtcNow();
        EnsureFolder();
        CreateStagingFile(id);
        var inserted = false;
        try
        {
            await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

            // One statement: the per-user limit holds even when requests race.
            await using var insert = connection.CreateCommand(
                $"""
                INSERT INTO fs_uploads ({Columns})
                SELECT $id, $user, $path, $length, 0, $ifMatch, $createOnly, 'open', NULL, NULL, NULL, $now, $now, $expires
                WHERE (SELECT COUNT(*) FROM fs_uploads WHERE user_id = $user AND state = 'open' AND expires_at > $now) < $max;
                """)
                .With("$id", id).With("$user", principal.UserId).With("$path", request.Path.Value).With("$length", request.Length)
                .With("$ifMatch", request.IfMatch).With("$createOnly", request.CreateOnly ? 1 : 0)
                .With("$now", now.ToUnixTimeMilliseconds()).With("$expires", (now + _options.Expiry).ToUnixTimeMilliseconds())
                .With("$max", _options.MaxOpenPerUser);
            inserted = await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
        }
        finally
        {
            if (!inserted)
            {
                DeleteStagingFile(id);
            }
        }

        if (!inserted)
        {
            return new GreyError(ErrorKind.TooManyRequests, ErrorCodes.TooManyUploads,
                $"you have {_options.MaxOpenPerUser} open uploads, the most allowed: complete or cancel one first");
        }

        LogCreated(_logger, id, principal.UserId, request.Path.Value, request.Length);
        return new UploadState(id, principal.UserId, request.Path, request.Length, 0, request.IfMatch, request.CreateOnly, FromMillis(now.ToUnixTimeMilliseconds()), now + _options.Expiry, null);
    }

    public async ValueTask<Result<UploadState>> GetAsync(FilePrincipal principal, string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(principal);
        return await LoadAsync(principal, id, cancellationToken).ConfigureAwait(false);
    }

    public ValueTask<Result<UploadState>> AppendAsync(FilePrincipal principal, string id, long offset, Stream content, long? contentLength, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(principal);
        ArgumentNullException.ThrowIfNull(content);
        return LockedAsync(
            principal,
            id,
            async upload =>
            {
                if (upload.IsComplete || offset != upload.Offset)
                {
                    // Repeating the last (empty) part of a completed upload is harmless: report it done.
                    return upload.IsComplete && offset == upload.Length && contentLength is null or 0
                        ? upload
                        : OffsetMismatch(upload, offset);
                }

                var remaining = upload.Length - upload.Offset;
                if (contentLength > remaining)
                {
                    return TooLong(upload, contentLength.Value);
                }

                var written = await StageAsync(upload, content, remaining, cancellationToken).ConfigureAwait(false);
                if (written is null)
                {
                    return TooLong(upload, null);
                }

                upload = await AcknowledgeAsync(upload, upload.Offset + written.Value, CancellationToken.None).ConfigureAwait(false);
                LogAppended(_logger, id, written.Value, upload.Offset, upload.Length);
                return upload.Offset == upload.Length
                    ? await CommitAsync(principal, upload, cancellationToken).ConfigureAwait(false)
                    : upload;
            },
            cancellationToken);
    }

    public ValueTask<Result<UploadState>> CompleteAsync(FilePrincipal principal, string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(principal);
        return LockedAsync(
            principal,
            id,
            async upload => upload.IsComplete
                ? upload
                : upload.Offset < upload.Length
                    ? GreyError.Conflict(ErrorCodes.UploadIncomplete, $"the upload {id} holds {upload.Offset} of its {upload.Length} bytes: send the rest from offset {upload.Offset}")
                    : await CommitAsync(principal, upload, cancellationToken).ConfigureAwait(false),
            cancellationToken);
    }

    public async ValueTask<Result<UploadState>> CancelAsync(FilePrincipal principal, string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(principal);
        var cancelled = await LockedAsync(
            principal,
            id,
            async upload =>
            {
                await DeleteAsync(id, CancellationToken.None).ConfigureAwait(false);
                LogCancelled(_logger, id);
                return upload;
            },
            cancellationToken).ConfigureAwait(false);
        if (cancelled.IsSuccess)
        {
            _locks.TryRemove(id, out _);
        }

        return cancelled;
    }

    /// <summary>
    /// Runs <paramref name="action"/> on the caller's upload holding its lock, loaded again under the
    /// lock (another part may have moved the offset meanwhile). Unknown or foreign ids are refused
    /// before a lock exists for them, so clients cannot grow the lock table with made-up ids.
    /// </summary>
    private async ValueTask<Result<UploadState>> LockedAsync(FilePrincipal principal, string id, Func<UploadState, ValueTask<Result<UploadState>>> action, CancellationToken cancellationToken)
    {
        var found = await LoadAsync(principal, id, cancellationToken).ConfigureAwait(false);
        if (!found.IsSuccess)
        {
            return found;
        }

        var gate = _locks.GetOrAdd(id, static _ => new SemaphoreSlim(1, 1));
        if (!await gate.WaitAsync(_options.BusyWait, cancellationToken).ConfigureAwait(false))
        {
            return Busy(id);
        }

        try
        {
            found = await LoadAsync(principal, id, cancellationToken).ConfigureAwait(false);
            return found.IsSuccess ? await action(found.Value).ConfigureAwait(false) : found;
        }
        finally
        {
            gate.Release();
        }
    }

    public async ValueTask<IReadOnlyList<UploadState>> ListAsync(FilePrincipal principal, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(principal);
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var select = connection.CreateCommand(
            $"SELECT {Columns} FROM fs_uploads WHERE user_id = $user AND expires_at > $now ORDER BY created_at DESC, id;")
            .With("$user", principal.UserId).With("$now", _time.GetUtcNow().ToUnixTimeMilliseconds());
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var uploads = new List<UploadState>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (Read(reader) is { } upload)
            {
                uploads.Add(upload);
            }
        }

        return uploads;
    }

    public async ValueTask<int> SweepExpiredAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var expired = new List<string>();
        await using (var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
        {
            await using var select = connection.CreateCommand("SELECT id FROM fs_uploads WHERE expires_at <= $now;").With("$now", now);
            await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                expired.Add(reader.GetString(0));
            }
        }

        var swept = 0;
        foreach (var id in expired)
        {
            var gate = _locks.GetOrAdd(id, static _ => new SemaphoreSlim(1, 1));
            if (!await gate.WaitAsync(TimeSpan.Zero, cancellationToken).ConfigureAwait(false))
            {
                continue; // a part is arriving right now: not expired after all (the next sweep decides)
            }

            try
            {
                await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using var delete = connection.CreateCommand("DELETE FROM fs_uploads WHERE id = $id AND expires_at <= $now;").With("$id", id).With("$now", now);
                if (await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1)
                {
                    DeleteStagingFile(id);
                    swept++;
                }
            }
            finally
            {
                gate.Release();
                _locks.TryRemove(id, out _);
            }
        }

        if (swept > 0)
        {
            LogSwept(_logger, swept);
        }

        return swept;
    }

    /// <summary>At node start: creates the staging folder and deletes staging files no open upload owns (left by a crash during create or cancel).</summary>
    public async Task PrepareAsync(CancellationToken cancellationToken)
    {
        EnsureFolder();
        var open = new HashSet<string>(StringComparer.Ordinal);
        await using (var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
        {
            await using var select = connection.CreateCommand("SELECT id FROM fs_uploads WHERE state = 'open';");
            await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                open.Add(reader.GetString(0));
            }
        }

        var orphans = 0;
        foreach (var file in Directory.EnumerateFiles(Folder))
        {
            if (!open.Contains(Path.GetFileName(file)))
            {
                File.Delete(file);
                orphans++;
            }
        }

        if (orphans > 0)
        {
            LogOrphansDeleted(_logger, orphans, Folder);
        }
    }

    public void Dispose()
    {
        foreach (var gate in _locks.Values)
        {
            gate.Dispose();
        }
    }

    /// <summary>Can the principal write the path, and do the preconditions hold now? (Checked again, for real, at commit.)</summary>
    private async Task<GreyError?> CheckTargetAsync(FilePrincipal principal, UploadRequest request, CancellationToken cancellationToken)
    {
        // A write that can never succeed: the VFS checks access (and the parent) and refuses at If-Match, before any byte.
        var probe = await _files.WriteAsync(principal, request.Path, Stream.Null, new WriteOptions(IfMatch: ProbeETag, ExpectedLength: 0, MaxLength: 0), cancellationToken).ConfigureAwait(false);
        if (probe.IsSuccess)
        {
            throw new InvalidOperationException($"The file system accepted a write to '{request.Path}' with an If-Match no file can have.");
        }

        if (probe.Error.Code != ErrorCodes.EtagMismatch)
        {
            return probe.Error;
        }

        var current = await _files.StatAsync(principal, request.Path, cancellationToken).ConfigureAwait(false);
        if (current.IsSuccess)
        {
            if (current.Value.Kind != EntryKind.File)
            {
                return GreyError.Invalid(ErrorCodes.NotAFile, $"'{request.Path}' is a folder");
            }

            if (request.CreateOnly)
            {
                return GreyError.Conflict(ErrorCodes.FileExists, $"'{request.Path}' already exists");
            }
        }
        else if (current.Error.Code != ErrorCodes.FileNotFound)
        {
            return current.Error;
        }

        if (request.IfMatch is { } etag && !(current.IsSuccess && string.Equals(current.Value.ETag, etag, StringComparison.Ordinal)))
        {
            return GreyError.PreconditionFailed(ErrorCodes.EtagMismatch, $"'{request.Path}' changed since it was read (ETag differs)");
        }

        return null;
    }

    /// <summary>
    /// Streams up to <paramref name="remaining"/> bytes into the staging file at the upload's offset and
    /// flushes them to disk. Returns how many arrived, or null (nothing kept) when more than
    /// <paramref name="remaining"/> did. If reading fails, what arrived is flushed and acknowledged, then the exception propagates.
    /// </summary>
    private async Task<long?> StageAsync(UploadState upload, Stream content, long remaining, CancellationToken cancellationToken)
    {
        var file = OpenStagingFile(upload.Id);
        await using (file.ConfigureAwait(false))
        {
            // Bytes past the acknowledged offset (a part a crash or a broken connection interrupted) never count.
            file.SetLength(upload.Offset);
            file.Position = upload.Offset;
            var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
            long written = 0;
            try
            {
                while (true)
                {
                    // Read at most one byte past the declared length: that byte proves the part is too long.
                    var want = (int)Math.Min(buffer.Length, remaining - written + 1);
                    var read = await content.ReadAsync(buffer.AsMemory(0, want), cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        break;
                    }

                    if (written + read > remaining)
                    {
                        file.SetLength(upload.Offset);
                        file.Flush(flushToDisk: true);
                        return null;
                    }

                    await file.WriteAsync(buffer.AsMemory(0, read), CancellationToken.None).ConfigureAwait(false);
                    written += read;
                }
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException)
            {
                // The client went away (or the node stops): keep what arrived, so the client resumes from there.
                file.Flush(flushToDisk: true);
                if (written > 0)
                {
                    await AcknowledgeAsync(upload, upload.Offset + written, CancellationToken.None).ConfigureAwait(false);
                }

                LogInterrupted(_logger, upload.Id, written, ex.Message);
                throw;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer, clearArray: true);
            }

            file.Flush(flushToDisk: true);
            return written;
        }
    }

    /// <summary>Records the new offset (after its bytes are on disk) and moves the expiry on.</summary>
    private async Task<UploadState> AcknowledgeAsync(UploadState upload, long offset, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var update = connection.CreateCommand("UPDATE fs_uploads SET received = $received, updated_at = $now, expires_at = $expires WHERE id = $id AND state = 'open';")
            .With("$received", offset).With("$now", now.ToUnixTimeMilliseconds()).With("$expires", (now + _options.Expiry).ToUnixTimeMilliseconds()).With("$id", upload.Id);
        await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return upload with { Offset = offset, ExpiresAt = now + _options.Expiry };
    }

    /// <summary>Writes the staged content to the VFS as the caller; on success the upload is done and its staging file deleted.</summary>
    private async Task<Result<UploadState>> CommitAsync(FilePrincipal principal, UploadState upload, CancellationToken cancellationToken)
    {
        Result<FileEntry> written;
        var staged = new FileStream(StagingPath(upload.Id), System.IO.FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using (staged.ConfigureAwait(false))
        {
            if (staged.Length != upload.Length)
            {
                throw new IOException($"The staging file of upload {upload.Id} has {staged.Length} bytes, {upload.Length} expected ({StagingPath(upload.Id)}).");
            }

            var options = new WriteOptions(upload.IfMatch, upload.CreateOnly, ExpectedLength: upload.Length, MaxLength: upload.Length);
            written = await _files.WriteAsync(principal, upload.Path, staged, options, cancellationToken).ConfigureAwait(false);
        }

        if (!written.IsSuccess)
        {
            LogCommitRefused(_logger, upload.Id, upload.Path.Value, written.Error.Code);
            return written.Error;
        }

        var entry = written.Value;
        var now = _time.GetUtcNow();
        await using (var connection = await _database.OpenConnectionAsync(CancellationToken.None).ConfigureAwait(false))
        {
            await using var update = connection.CreateCommand(
                """
                UPDATE fs_uploads SET state = 'done', committed_etag = $etag, committed_mime = $mime, committed_at = $modified, updated_at = $now, expires_at = $expires
                WHERE id = $id;
                """)
                .With("$etag", entry.ETag).With("$mime", entry.MimeType).With("$modified", entry.ModifiedAt.ToUnixTimeMilliseconds())
                .With("$now", now.ToUnixTimeMilliseconds()).With("$expires", (now + _options.Expiry).ToUnixTimeMilliseconds()).With("$id", upload.Id);
            await update.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
        }

        DeleteStagingFile(upload.Id);
        LogCommitted(_logger, upload.Id, entry.Path.Value, entry.Length);
        return upload with { Committed = entry, ExpiresAt = now + _options.Expiry };
    }

    /// <summary>The caller's live upload <paramref name="id"/>; anything else (another user's, expired, malformed id) is <c>upload_not_found</c>.</summary>
    private async Task<Result<UploadState>> LoadAsync(FilePrincipal principal, string id, CancellationToken cancellationToken)
    {
        if (!IsValidId(id))
        {
            return NotFound(id);
        }

        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var select = connection.CreateCommand($"SELECT {Columns} FROM fs_uploads WHERE id = $id AND user_id = $user AND expires_at > $now;")
            .With("$id", id).With("$user", principal.UserId).With("$now", _time.GetUtcNow().ToUnixTimeMilliseconds());
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) && Read(reader) is { } upload ? upload : NotFound(id);
    }

    private static UploadState? Read(DbDataReader reader)
    {
        var path = VfsPath.Parse(reader.GetString(2));
        if (!path.IsSuccess)
        {
            return null;
        }

        var length = reader.GetInt64(3);
        FileEntry? committed = null;
        if (reader.GetString(7) == DoneState)
        {
            var at = FromMillis(reader.GetInt64(10));
            committed = new FileEntry(path.Value, EntryKind.File, length, reader.GetString(8), reader.IsDBNull(9) ? null : reader.GetString(9), at, at);
        }

        return new UploadState(
            reader.GetString(0),
            reader.GetString(1),
            path.Value,
            length,
            reader.GetInt64(4),
            reader.IsDBNull(5) ? null : reader.GetString(5),
            reader.GetInt64(6) != 0,
            FromMillis(reader.GetInt64(11)),
            FromMillis(reader.GetInt64(13)),
            committed);
    }

    private async Task DeleteAsync(string id, CancellationToken cancellationToken)
    {
        await using (var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
        {
            await using var delete = connection.CreateCommand("DELETE FROM fs_uploads WHERE id = $id;").With("$id", id);
            await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        DeleteStagingFile(id);
    }

    internal static bool IsValidId(string? id)
    {
        if (id is not { Length: 36 } || !id.StartsWith(IdPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in id.AsSpan(IdPrefix.Length))
        {
            if (!char.IsAsciiDigit(c) && c is not (>= 'a' and <= 'f'))
            {
                return false;
            }
        }

        return true;
    }

    private string StagingPath(string id) => IsValidId(id) ? Path.Combine(Folder, id) : throw new ArgumentException("not an upload id", nameof(id));

    private void EnsureFolder()
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(Folder);
        }
        else
        {
            Directory.CreateDirectory(Folder, FolderMode);
        }
    }

    private void CreateStagingFile(string id)
    {
        var options = new FileStreamOptions { Mode = System.IO.FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = StagingFileMode;
        }

        using (new FileStream(StagingPath(id), options))
        {
        }

        Content.DirectorySync.Flush(Folder);
    }

    private FileStream OpenStagingFile(string id) =>
        new(StagingPath(id), System.IO.FileMode.OpenOrCreate, FileAccess.Write, FileShare.None, bufferSize: 0, FileOptions.Asynchronous);

    private void DeleteStagingFile(string id)
    {
        try
        {
            File.Delete(StagingPath(id));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogStagingNotDeleted(_logger, id, ex.Message);
        }
    }

    private static DateTimeOffset FromMillis(long milliseconds) => DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);

    private static GreyError NotFound(string id) =>
        GreyError.NotFound(ErrorCodes.UploadNotFound, $"no upload '{(id.Length <= 64 ? id : id[..64] + "…")}' (it may have completed long ago, expired or been cancelled)");

    private static GreyError Busy(string id) =>
        GreyError.Conflict(ErrorCodes.UploadBusy, $"another request is writing to the upload {id}: ask for its offset and resume from there");

    private static GreyError OffsetMismatch(UploadState upload, long offset) => upload.IsComplete
        ? GreyError.Conflict(ErrorCodes.UploadOffsetMismatch, $"the upload {upload.Id} is complete (all {upload.Length} bytes arrived); nothing more is accepted")
        : GreyError.Conflict(ErrorCodes.UploadOffsetMismatch, $"the part starts at byte {offset}, but the upload {upload.Id} holds {upload.Offset} bytes: resume from offset {upload.Offset}");

    private static GreyError TooLong(UploadState upload, long? partLength) => GreyError.TooLarge(
        ErrorCodes.ContentTooLarge,
        $"the part{(partLength is { } n ? $" of {n} bytes" : string.Empty)} runs past the declared length of {upload.Length} bytes (the upload holds {upload.Offset}); nothing of it was kept");

    [LoggerMessage(EventId = 5160, Level = LogLevel.Information, Message = "Upload {Id} created by {UserId} for {Path} ({Length} bytes)")]
    private static partial void LogCreated(ILogger logger, string id, string userId, string path, long length);

    [LoggerMessage(EventId = 5161, Level = LogLevel.Debug, Message = "Upload {Id}: {Bytes} bytes appended, {Offset} of {Length} held")]
    private static partial void LogAppended(ILogger logger, string id, long bytes, long offset, long length);

    [LoggerMessage(EventId = 5162, Level = LogLevel.Information, Message = "Upload {Id} written to {Path} ({Length} bytes)")]
    private static partial void LogCommitted(ILogger logger, string id, string path, long length);

    [LoggerMessage(EventId = 5163, Level = LogLevel.Information, Message = "Upload {Id} to {Path} could not be written: {Code}; its bytes stay staged until it is cancelled or expires")]
    private static partial void LogCommitRefused(ILogger logger, string id, string path, string code);

    [LoggerMessage(EventId = 5164, Level = LogLevel.Information, Message = "Upload {Id} cancelled")]
    private static partial void LogCancelled(ILogger logger, string id);

    [LoggerMessage(EventId = 5165, Level = LogLevel.Information, Message = "Swept {Count} expired uploads")]
    private static partial void LogSwept(ILogger logger, int count);

    [LoggerMessage(EventId = 5166, Level = LogLevel.Information, Message = "Upload {Id}: a part broke off after {Bytes} bytes ({Reason}); they are kept")]
    private static partial void LogInterrupted(ILogger logger, string id, long bytes, string reason);

    [LoggerMessage(EventId = 5167, Level = LogLevel.Information, Message = "Deleted {Count} staging files no open upload owns in {Folder}")]
    private static partial void LogOrphansDeleted(ILogger logger, int count, string folder);

    [LoggerMessage(EventId = 5168, Level = LogLevel.Warning, Message = "Could not delete the staging file of upload {Id}: {Reason}")]
    private static partial void LogStagingNotDeleted(ILogger logger, string id, string reason);
}
