using System.Buffers;
using System.Data.Common;
using System.Security.Cryptography;
using GreyOS.Abstractions.Errors;
using GreyOS.Abstractions.FileSystem;
using GreyOS.Abstractions.Storage;
using GreyOS.FileSystem.Content;
using GreyOS.FileSystem.Storage;

namespace GreyOS.FileSystem.Backends;

/// <summary>
/// The default backend (design 0004, decisions 3–6): the tree of one mount as rows of
/// <c>fs_entries</c> in the node database (<see cref="FileSystemMigrations"/>), shared by every
/// <c>sqlite</c> mount and told apart by the mount id; file content up to <see cref="InlineLimit"/>
/// bytes inline in the row, larger content as a chunk list in the <see cref="ChunkStore"/>.
/// </summary>
/// <remarks>
/// <para>
/// Writes stream the content first (into a buffer, or into the content store), then switch the row
/// in one transaction that checks the parent, <see cref="WriteOptions.CreateOnly"/> and
/// <see cref="WriteOptions.IfMatch"/> again: a refused, interrupted or crashed write leaves the old
/// content (chunks it stored stay unreferenced until the garbage collector removes them). Appends
/// re-chunk only the old last, partial chunk together with the new bytes, and commit only if the
/// file is still what they appended to (else they redo the append on the new content, in the end
/// holding the write lock), so appends are atomic and content keeps its fixed chunking.
/// </para>
/// <para>
/// The ETag of a file is its quoted content identity (<see cref="ContentRef.Id"/>, computed the same
/// way for inline content): equal bytes have equal ETags. Moves change one row (the subtree follows
/// its parent); copies copy rows, never bytes; deletes remove rows and never chunks. A path
/// resolves in one statement (a recursive walk over the <c>(parent_id, name)</c> index), so a stat
/// or an open sees one consistent state. Thread-safe; the database serializes the mutations.
/// </para>
/// </remarks>
internal sealed class SqliteBackend : IContentAwareBackend
{
    /// <summary>The most bytes kept inline in a file's row; larger content goes to the content store.</summary>
    public const int InlineLimit = 64 * 1024;

    /// <summary>
    /// How often an append streams outside the write lock; when other writes changed the file each
    /// time, the next attempt holds the lock (and so cannot lose again).
    /// </summary>
    private const int OptimisticAppendAttempts = 2;

    private const string FileKind = "file";
    private const string FolderKind = "folder";

    /// <summary>
    /// Resolves a path in one statement: from the root (<c>$root</c>) down the names of <c>$rest</c>
    /// (the path without its leading <c>/</c>, each name followed by <c>/</c>), as far as entries
    /// exist; the caller reads the deepest entry reached and its depth.
    /// </summary>
    private const string Walk = """
        WITH RECURSIVE walk(depth, id, rest) AS (
            SELECT 0, $root, $rest
            UNION ALL
            SELECT walk.depth + 1, e.id, substr(walk.rest, instr(walk.rest, '/') + 1)
            FROM walk JOIN fs_entries AS e
                ON e.parent_id = walk.id AND e.name = substr(walk.rest, 1, instr(walk.rest, '/') - 1) AND e.mount = $mount
            WHERE walk.rest <> ''
        )
        SELECT w.depth, e.id, e.parent_id, e.kind, e.length, e.etag, e.created_at, e.modified_at
        """;

    private const string WalkFrom = """

        FROM walk AS w JOIN fs_entries AS e ON e.id = w.id
        ORDER BY w.depth DESC LIMIT 1;
        """;

    private const string LookupSql = Walk + WalkFrom;

    private const string LookupWithContentSql = Walk + ", e.inline, e.chunks" + WalkFrom;

    private const string Columns = "mount, parent_id, name, kind, length, etag, inline, chunks, created_at, modified_at";

    private readonly IDatabase _database;
    private readonly ChunkStore _chunks;
    private readonly string _mount;
    private readonly TimeProvider _time;

    /// <summary>The root row's id once known (0 before: row ids start at 1).</summary>
    private long _rootId;

    /// <summary>The backend of mount <paramref name="mountId"/>; its root row is created on first use.</summary>
    public SqliteBackend(IDatabase database, ChunkStore chunks, string mountId, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(chunks);
        ArgumentException.ThrowIfNullOrEmpty(mountId);
        ArgumentNullException.ThrowIfNull(time);
        _database = database;
        _chunks = chunks;
        _mount = mountId;
        _time = time;
    }

    public string Kind => "sqlite";

    /// <summary>The mount whose rows this backend owns.</summary>
    public string MountId => _mount;

    public async ValueTask<StorageEntry?> StatAsync(VfsPath path, CancellationToken cancellationToken)
    {
        var root = await RootAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var lookup = await LookupAsync(connection, null, root, path, withContent: false, cancellationToken).ConfigureAwait(false);
        return lookup.Found ? lookup.Deepest.Entry(path) : null;
    }

    public async ValueTask<Result<IReadOnlyList<StorageEntry>>> ListAsync(VfsPath folder, CancellationToken cancellationToken)
    {
        var root = await RootAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var lookup = await LookupAsync(connection, null, root, folder, withContent: false, cancellationToken).ConfigureAwait(false);
        if (FolderOf(lookup, folder) is { } problem)
        {
            return problem;
        }

        await using var command = connection.CreateCommand(
            "SELECT name, kind, length, etag, created_at, modified_at FROM fs_entries WHERE parent_id = $parent AND mount = $mount;")
            .With("$parent", lookup.Deepest.Id).With("$mount", _mount);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var entries = new List<StorageEntry>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            entries.Add(new StorageEntry(
                folder.Combine(reader.GetString(0)).Value,
                ParseKind(reader.GetString(1)),
                reader.GetInt64(2),
                reader.GetString(3),
                FromUnixMilliseconds(reader.GetInt64(4)),
                FromUnixMilliseconds(reader.GetInt64(5))));
        }

        return entries;
    }

    public async ValueTask<Result<Stream>> OpenReadAsync(VfsPath path, long offset, long? length, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var root = await RootAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var lookup = await LookupAsync(connection, null, root, path, withContent: true, cancellationToken).ConfigureAwait(false);
        if (!lookup.Found)
        {
            return NotFound(path);
        }

        if (lookup.Deepest.Kind != EntryKind.File)
        {
            return GreyError.Invalid(ErrorCodes.NotAFile, $"'{path}' is a folder");
        }

        return OpenContent(lookup.Deepest, offset, length);
    }

    public async ValueTask<Result<StorageEntry>> WriteAsync(VfsPath path, Stream content, WriteOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(options);
        if (options.ExpectedLength is { } declared)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(declared, nameof(options));
        }

        if (path.IsRoot)
        {
            return GreyError.Invalid(ErrorCodes.NotAFile, "the root is a folder");
        }

        var root = await RootAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var source = content;
        var expected = options.ExpectedLength;
        Stream? replay = null;
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                // An append that keeps losing races to other writes holds the write lock while it streams.
                DbTransaction? transaction = options.Append && attempt > OptimisticAppendAttempts
                    ? await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false)
                    : null;
                try
                {
                    // Look before streaming: a write that cannot succeed must not pour its bytes into the store.
                    var before = CheckWrite(path, await LookupAsync(connection, transaction, root, path, options.Append, cancellationToken).ConfigureAwait(false), options);
                    if (!before.IsSuccess)
                    {
                        return before.Error;
                    }

                    var appendTo = options.Append ? before.Value.Existing : null;
                    var stored = await StoreAsync(appendTo, source, expected, options, cancellationToken).ConfigureAwait(false);
                    if (!stored.IsSuccess)
                    {
                        return stored.Error;
                    }

                    var target = before;
                    if (transaction is null)
                    {
                        transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                        target = CheckWrite(path, await LookupAsync(connection, transaction, root, path, withContent: false, cancellationToken).ConfigureAwait(false), options);
                        if (!target.IsSuccess)
                        {
                            return target.Error;
                        }

                        if (options.Append && !string.Equals(target.Value.Existing?.ETag, appendTo?.ETag, StringComparison.Ordinal))
                        {
                            // Another write changed the file while the bytes streamed: append them to its new content.
                            var next = stored.Value.OpenAppended(_chunks);
                            if (replay is not null)
                            {
                                await replay.DisposeAsync().ConfigureAwait(false);
                            }

                            (replay, source, expected) = (next, next, stored.Value.AppendedLength);
                            continue;
                        }
                    }

                    var entry = await SaveFileAsync(connection, transaction, path, target.Value, stored.Value.Content, cancellationToken).ConfigureAwait(false);
                    await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                    return entry;
                }
                finally
                {
                    if (transaction is not null)
                    {
                        await transaction.DisposeAsync().ConfigureAwait(false);
                    }
                }
            }
        }
        finally
        {
            if (replay is not null)
            {
                await replay.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    public async ValueTask<Result<StorageEntry>> CreateFolderAsync(VfsPath path, CancellationToken cancellationToken)
    {
        if (path.IsRoot)
        {
            return GreyError.Conflict(ErrorCodes.FileExists, "the root exists");
        }

        var root = await RootAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var lookup = await LookupAsync(connection, transaction, root, path, withContent: false, cancellationToken).ConfigureAwait(false);
        var parent = ParentOf(lookup, path);
        if (!parent.IsSuccess)
        {
            return parent.Error;
        }

        if (lookup.Found)
        {
            return GreyError.Conflict(ErrorCodes.FileExists, $"'{path}' already exists");
        }

        var folder = await InsertFolderAsync(connection, transaction, parent.Value, path.Name, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return folder.Entry(path);
    }

    public ValueTask<Result<StorageEntry>> MoveAsync(VfsPath source, VfsPath destination, bool overwrite, CancellationToken cancellationToken) =>
        TransferAsync(source, destination, overwrite, move: true, cancellationToken);

    public ValueTask<Result<StorageEntry>> CopyAsync(VfsPath source, VfsPath destination, bool overwrite, CancellationToken cancellationToken) =>
        TransferAsync(source, destination, overwrite, move: false, cancellationToken);

    public async ValueTask<Result<StorageEntry>> DeleteAsync(VfsPath path, bool recursive, string? ifMatch, CancellationToken cancellationToken)
    {
        if (path.IsRoot)
        {
            return GreyError.Invalid(ErrorCodes.InvalidRequest, "the root cannot be deleted");
        }

        var root = await RootAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var lookup = await LookupAsync(connection, transaction, root, path, withContent: false, cancellationToken).ConfigureAwait(false);
        if (!lookup.Found)
        {
            return NotFound(path);
        }

        var row = lookup.Deepest;
        if (ifMatch is not null && !string.Equals(row.ETag, ifMatch, StringComparison.Ordinal))
        {
            return ETagMismatch(path);
        }

        if (!recursive && row.Kind == EntryKind.Folder && await HasChildrenAsync(connection, transaction, row.Id, cancellationToken).ConfigureAwait(false))
        {
            return GreyError.Conflict(ErrorCodes.FolderNotEmpty, $"'{path}' is not empty");
        }

        await DeleteSubtreeAsync(connection, transaction, row.Id, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return row.Entry(path);
    }

    public async ValueTask<ContentSnapshot?> SnapshotAsync(VfsPath path, CancellationToken cancellationToken)
    {
        var root = await RootAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var lookup = await LookupAsync(connection, null, root, path, withContent: true, cancellationToken).ConfigureAwait(false);
        if (!lookup.Found || lookup.Deepest.Kind != EntryKind.File)
        {
            return null;
        }

        var row = lookup.Deepest;
        return new ContentSnapshot(row.Length, row.ETag, FromUnixMilliseconds(row.ModifiedAt), row.Chunks is null ? row.Inline ?? [] : null, row.Chunks);
    }

    public async ValueTask<Result<StorageEntry>> RestoreAsync(VfsPath path, ContentSnapshot content, string? ifMatch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (path.IsRoot)
        {
            return GreyError.Invalid(ErrorCodes.NotAFile, "the root is a folder");
        }

        var stored = content.Chunks is { } list
            ? StoredContent.Of(ChunkList.Decode(list))
            : StoredContent.Of(content.Inline ?? []);
        var root = await RootAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var target = CheckWrite(path, await LookupAsync(connection, transaction, root, path, withContent: false, cancellationToken).ConfigureAwait(false), new WriteOptions(IfMatch: ifMatch));
        if (!target.IsSuccess)
        {
            return target.Error;
        }

        var entry = await SaveFileAsync(connection, transaction, path, target.Value, stored, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return entry;
    }

    public async ValueTask<long> MeasureAsync(VfsPath folder, CancellationToken cancellationToken)
    {
        var root = await RootAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var lookup = await LookupAsync(connection, null, root, folder, withContent: false, cancellationToken).ConfigureAwait(false);
        if (!lookup.Found)
        {
            return 0;
        }

        await using var command = connection.CreateCommand(
            """
            WITH RECURSIVE subtree(id, length) AS (
                SELECT id, length FROM fs_entries WHERE id = $id
                UNION ALL
                SELECT e.id, e.length FROM fs_entries AS e JOIN subtree ON e.parent_id = subtree.id
            )
            SELECT coalesce(sum(length), 0) FROM subtree;
            """)
            .With("$id", lookup.Deepest.Id);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long total ? total : 0;
    }

    private async ValueTask<Result<StorageEntry>> TransferAsync(VfsPath from, VfsPath into, bool overwrite, bool move, CancellationToken cancellationToken)
    {
        if (from.IsRoot || into.IsRoot)
        {
            return GreyError.Invalid(ErrorCodes.InvalidRequest, "the root cannot be moved, copied or replaced");
        }

        // Paths are canonical, so "inside" by path is "inside" in the tree: no walk up the parents needed.
        if (into.IsSameOrUnder(from))
        {
            return GreyError.Invalid(ErrorCodes.InvalidPath, $"'{into}' is inside '{from}'");
        }

        var root = await RootAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var source = await LookupAsync(connection, transaction, root, from, withContent: false, cancellationToken).ConfigureAwait(false);
        if (!source.Found)
        {
            return NotFound(from);
        }

        var target = await LookupAsync(connection, transaction, root, into, withContent: false, cancellationToken).ConfigureAwait(false);
        var parent = ParentOf(target, into);
        if (!parent.IsSuccess)
        {
            return parent.Error;
        }

        if (target.Found)
        {
            if (!overwrite)
            {
                return GreyError.Conflict(ErrorCodes.FileExists, $"'{into}' already exists");
            }

            var existing = target.Deepest;
            if (existing.Kind == EntryKind.Folder && await HasChildrenAsync(connection, transaction, existing.Id, cancellationToken).ConfigureAwait(false))
            {
                return GreyError.Conflict(ErrorCodes.FolderNotEmpty, $"'{into}' is a folder that is not empty");
            }

            await DeleteSubtreeAsync(connection, transaction, existing.Id, cancellationToken).ConfigureAwait(false);
        }

        var row = source.Deepest;
        Row result;
        if (move)
        {
            // One row changes; the subtree follows its parent id.
            await using var update = connection.CreateCommand("UPDATE fs_entries SET parent_id = $parent, name = $name WHERE id = $id;", transaction)
                .With("$parent", parent.Value).With("$name", into.Name).With("$id", row.Id);
            await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            result = row;
        }
        else if (row.Kind == EntryKind.File)
        {
            // The row, chunk list included, is copied; the bytes are shared.
            var now = Now();
            await using var insert = connection.CreateCommand(
                $"INSERT INTO fs_entries ({Columns}) SELECT mount, $parent, $name, kind, length, etag, inline, chunks, $now, $now FROM fs_entries WHERE id = $id;",
                transaction)
                .With("$parent", parent.Value).With("$name", into.Name).With("$now", now).With("$id", row.Id);
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            result = row with { CreatedAt = now, ModifiedAt = now };
        }
        else
        {
            result = await CopyFolderAsync(connection, transaction, row.Id, parent.Value, into.Name, cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return result.Entry(into);
    }

    /// <summary>Copies a folder and everything below it: its files in one statement per folder, its folders one by one.</summary>
    private async Task<Row> CopyFolderAsync(DbConnection connection, DbTransaction transaction, long sourceId, long parentId, string name, CancellationToken cancellationToken)
    {
        var copy = await InsertFolderAsync(connection, transaction, parentId, name, cancellationToken).ConfigureAwait(false);
        await using (var files = connection.CreateCommand(
            $"INSERT INTO fs_entries ({Columns}) SELECT mount, $copy, name, kind, length, etag, inline, chunks, $now, $now FROM fs_entries WHERE parent_id = $source AND kind = 'file';",
            transaction)
            .With("$copy", copy.Id).With("$now", copy.CreatedAt).With("$source", sourceId))
        {
            await files.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var folders = new List<(long Id, string Name)>();
        await using (var select = connection.CreateCommand("SELECT id, name FROM fs_entries WHERE parent_id = $source AND kind = 'folder';", transaction)
            .With("$source", sourceId))
        {
            await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                folders.Add((reader.GetInt64(0), reader.GetString(1)));
            }
        }

        foreach (var folder in folders)
        {
            await CopyFolderAsync(connection, transaction, folder.Id, copy.Id, folder.Name, cancellationToken).ConfigureAwait(false);
        }

        return copy;
    }

    private async Task<Row> InsertFolderAsync(DbConnection connection, DbTransaction transaction, long parentId, string name, CancellationToken cancellationToken)
    {
        var now = Now();
        var etag = NewFolderETag();
        await using var insert = connection.CreateCommand(
            $"INSERT INTO fs_entries ({Columns}) VALUES ($mount, $parent, $name, 'folder', 0, $etag, NULL, NULL, $now, $now) RETURNING id;",
            transaction)
            .With("$mount", _mount).With("$parent", parentId).With("$name", name).With("$etag", etag).With("$now", now);
        var id = (long)(await insert.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        return new Row(id, parentId, EntryKind.Folder, 0, etag, now, now);
    }

    /// <summary>Inserts or replaces the file row (inside the write's transaction) and returns the new entry.</summary>
    private async Task<StorageEntry> SaveFileAsync(DbConnection connection, DbTransaction transaction, VfsPath path, WriteTarget target, StoredContent content, CancellationToken cancellationToken)
    {
        var now = Now();
        var chunkList = content.Chunks is { } chunks ? ChunkList.Encode(chunks.Chunks) : null;
        var inline = content.Chunks is null ? content.Inline ?? [] : null;
        DbCommand command;
        if (target.Existing is { } existing)
        {
            command = connection.CreateCommand(
                "UPDATE fs_entries SET length = $length, etag = $etag, inline = $inline, chunks = $chunks, modified_at = $now WHERE id = $id;",
                transaction)
                .With("$id", existing.Id);
        }
        else
        {
            command = connection.CreateCommand(
                $"INSERT INTO fs_entries ({Columns}) VALUES ($mount, $parent, $name, 'file', $length, $etag, $inline, $chunks, $now, $now);",
                transaction)
                .With("$mount", _mount).With("$parent", target.ParentId).With("$name", path.Name);
        }

        await using (command)
        {
            command.With("$length", content.Length).With("$etag", content.ETag).With("$inline", inline).With("$chunks", chunkList).With("$now", now);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var created = target.Existing?.CreatedAt ?? now;
        return new StorageEntry(path, EntryKind.File, content.Length, content.ETag, FromUnixMilliseconds(created), FromUnixMilliseconds(now));
    }

    /// <summary>
    /// Streams the bytes to write (after the old ones when appending to <paramref name="appendTo"/>)
    /// into a buffer or the content store. Appending keeps the old full chunks and re-chunks only the
    /// old partial last chunk (or the old inline bytes) together with the new bytes.
    /// </summary>
    private async Task<Result<Stored>> StoreAsync(Row? appendTo, Stream source, long? expected, WriteOptions options, CancellationToken cancellationToken)
    {
        IReadOnlyList<ChunkRef> kept = [];
        Stream? prefix = null;
        if (appendTo?.Chunks is { } list)
        {
            var chunks = ChunkList.Decode(list).Chunks;
            if (chunks.Count > 0 && chunks[^1].Length < ChunkStore.ChunkSize)
            {
                kept = chunks.Take(chunks.Count - 1).ToArray();
                prefix = _chunks.OpenRead(ContentRef.FromChunks([chunks[^1]]), 0, null);
            }
            else
            {
                kept = chunks;
            }
        }
        else if (appendTo is not null)
        {
            prefix = new MemoryStream(appendTo.Inline ?? [], writable: false);
        }

        if (prefix is null && appendTo is null)
        {
            var whole = await StoreStreamAsync(source, expected, options.MaxLength, inlineAllowed: true, cancellationToken).ConfigureAwait(false);
            return whole.IsSuccess ? new Stored(whole.Value, whole.Value, 0) : whole.Error;
        }

        await using (prefix)
        {
            long keptLength = 0;
            foreach (var chunk in kept)
            {
                keptLength += chunk.Length;
            }

            var prefixLength = prefix?.Length ?? 0;
            var room = options.MaxLength - keptLength;
            if (room < 0)
            {
                return GrowsTooLarge(options);
            }

            var stream = prefix is null ? source : new ConcatenatedStream(prefix, source);
            var tail = await StoreStreamAsync(stream, prefixLength + expected, room, inlineAllowed: kept.Count == 0, cancellationToken).ConfigureAwait(false);
            if (!tail.IsSuccess)
            {
                return tail.Error.Code == ErrorCodes.ContentTooLarge
                    ? GrowsTooLarge(options)
                    : GreyError.Invalid(tail.Error.Code, $"the appended content is not the declared {expected} bytes");
            }

            var content = kept.Count == 0 ? tail.Value : StoredContent.Of(ContentRef.FromChunks(kept.Concat(tail.Value.Chunks!.Chunks)));
            return new Stored(content, tail.Value, prefixLength);
        }
    }

    /// <summary>
    /// Reads up to <see cref="InlineLimit"/> + 1 bytes; content that ends within the limit stays
    /// inline, anything longer goes (buffered bytes first) to the content store.
    /// </summary>
    private async Task<Result<StoredContent>> StoreStreamAsync(Stream source, long? expected, long maxLength, bool inlineAllowed, CancellationToken cancellationToken)
    {
        if (expected > maxLength)
        {
            return TooLarge(maxLength);
        }

        if (!inlineAllowed)
        {
            var chunked = await _chunks.WriteAsync(source, expected, maxLength, cancellationToken).ConfigureAwait(false);
            return chunked.IsSuccess ? StoredContent.Of(chunked.Value) : chunked.Error;
        }

        // Never read more than one byte past the limit: that byte proves the limit is exceeded.
        var limit = Math.Min(maxLength, expected ?? long.MaxValue);
        var capacity = limit >= InlineLimit ? InlineLimit + 1 : (int)limit + 1;
        var buffer = ArrayPool<byte>.Shared.Rent(InlineLimit + 1);
        try
        {
            var filled = 0;
            var ended = false;
            while (filled < capacity)
            {
                var read = await source.ReadAsync(buffer.AsMemory(filled, capacity - filled), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    ended = true;
                    break;
                }

                filled += read;
            }

            if (filled > limit)
            {
                return filled > maxLength
                    ? TooLarge(maxLength)
                    : GreyError.Invalid(ErrorCodes.ContentLengthMismatch, $"more than the declared {expected} bytes arrived");
            }

            if (ended)
            {
                if (expected is { } declared && filled != declared)
                {
                    return GreyError.Invalid(ErrorCodes.ContentLengthMismatch, $"{filled} of the declared {declared} bytes arrived");
                }

                return StoredContent.Of(buffer.AsSpan(0, filled).ToArray());
            }

            // Longer than inline content may be: the buffered bytes, then the rest of the stream.
            var head = new MemoryStream(buffer, 0, filled, writable: false);
            await using (head.ConfigureAwait(false))
            {
                var chunked = await _chunks.WriteAsync(new ConcatenatedStream(head, source), expected, maxLength, cancellationToken).ConfigureAwait(false);
                return chunked.IsSuccess ? StoredContent.Of(chunked.Value) : chunked.Error;
            }
        }
        finally
        {
            // The buffer held user content and the pool is shared by the whole process.
            ArrayPool<byte>.Shared.Return(buffer, clearArray: true);
        }
    }

    private Stream OpenContent(Row row, long offset, long? length)
    {
        if (row.Chunks is { } list)
        {
            var content = ChunkList.Decode(list);
            var start = Math.Min(offset, content.Length);
            return _chunks.OpenRead(content, start, Math.Min(length ?? long.MaxValue, content.Length - start));
        }

        var bytes = row.Inline ?? [];
        var from = (int)Math.Min(offset, bytes.Length);
        var count = (int)Math.Min(length ?? long.MaxValue, bytes.Length - from);
        return new MemoryStream(bytes, from, count, writable: false);
    }

    /// <summary>The id of this mount's root row, created when missing.</summary>
    private async ValueTask<long> RootAsync(CancellationToken cancellationToken)
    {
        var known = Volatile.Read(ref _rootId);
        if (known != 0)
        {
            return known;
        }

        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var id = await FindRootAsync(connection, cancellationToken).ConfigureAwait(false);
        if (id is null)
        {
            var now = Now();
            await using (var insert = connection.CreateCommand(
                $"INSERT INTO fs_entries ({Columns}) VALUES ($mount, NULL, '', 'folder', 0, $etag, NULL, NULL, $now, $now) ON CONFLICT DO NOTHING;")
                .With("$mount", _mount).With("$etag", NewFolderETag()).With("$now", now))
            {
                await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            // Another instance may have won the race: its row is the root.
            id = await FindRootAsync(connection, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"The root row of mount '{_mount}' could not be created.");
        }

        Volatile.Write(ref _rootId, id.Value);
        return id.Value;
    }

    private async Task<long?> FindRootAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await using var select = connection.CreateCommand("SELECT id FROM fs_entries WHERE mount = $mount AND parent_id IS NULL;").With("$mount", _mount);
        return await select.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long id ? id : null;
    }

    /// <summary>Walks <paramref name="path"/> from the root as far as it exists, in one statement.</summary>
    private async Task<Lookup> LookupAsync(DbConnection connection, DbTransaction? transaction, long root, VfsPath path, bool withContent, CancellationToken cancellationToken)
    {
        var rest = path.IsRoot ? "" : string.Concat(path.Value.AsSpan(1), "/");
        await using var command = connection.CreateCommand(withContent ? LookupWithContentSql : LookupSql, transaction)
            .With("$root", root).With("$rest", rest).With("$mount", _mount);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            throw new InvalidOperationException($"The root row of mount '{_mount}' is missing.");
        }

        var row = new Row(
            reader.GetInt64(1),
            reader.IsDBNull(2) ? null : reader.GetInt64(2),
            ParseKind(reader.GetString(3)),
            reader.GetInt64(4),
            reader.GetString(5),
            reader.GetInt64(6),
            reader.GetInt64(7));
        if (withContent)
        {
            row = row with
            {
                Inline = reader.IsDBNull(8) ? null : reader.GetFieldValue<byte[]>(8),
                Chunks = reader.IsDBNull(9) ? null : reader.GetFieldValue<byte[]>(9),
            };
        }

        return new Lookup(row, reader.GetInt32(0), path.Depth);
    }

    private static async Task<bool> HasChildrenAsync(DbConnection connection, DbTransaction transaction, long id, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand("SELECT EXISTS (SELECT 1 FROM fs_entries WHERE parent_id = $id);", transaction).With("$id", id);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long found && found != 0;
    }

    /// <summary>Deletes an entry and everything below it in one statement (rows only: chunks are the collector's).</summary>
    private static async Task DeleteSubtreeAsync(DbConnection connection, DbTransaction transaction, long id, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand(
            """
            WITH RECURSIVE subtree(id) AS (
                SELECT $id
                UNION ALL
                SELECT e.id FROM fs_entries AS e JOIN subtree ON e.parent_id = subtree.id
            )
            DELETE FROM fs_entries WHERE id IN (SELECT id FROM subtree);
            """,
            transaction)
            .With("$id", id);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Where a write to <paramref name="path"/> lands, or why it cannot (the same checks as <see cref="MemoryBackend"/>).</summary>
    private static Result<WriteTarget> CheckWrite(VfsPath path, Lookup lookup, WriteOptions options)
    {
        var parent = ParentOf(lookup, path);
        if (!parent.IsSuccess)
        {
            return parent.Error;
        }

        var existing = lookup.Found ? lookup.Deepest : null;
        if (existing?.Kind == EntryKind.Folder)
        {
            return GreyError.Invalid(ErrorCodes.NotAFile, $"'{path}' is a folder");
        }

        if (existing is not null && options.CreateOnly)
        {
            return GreyError.Conflict(ErrorCodes.FileExists, $"'{path}' already exists");
        }

        if (options.IfMatch is { } etag && !string.Equals(existing?.ETag, etag, StringComparison.Ordinal))
        {
            return ETagMismatch(path);
        }

        return new WriteTarget(parent.Value, existing);
    }

    /// <summary>The id of the folder that holds (or would hold) the entry at <paramref name="path"/> (not the root).</summary>
    private static Result<long> ParentOf(Lookup lookup, VfsPath path)
    {
        if (lookup.Found)
        {
            return lookup.Deepest.ParentId ?? throw new InvalidOperationException("The root has no parent.");
        }

        if (lookup.Deepest.Kind == EntryKind.File)
        {
            return GreyError.Invalid(
                ErrorCodes.NotAFolder,
                lookup.Depth == path.Depth - 1 ? $"'{path.Parent}' is a file" : $"a parent of '{path.Parent}' is a file");
        }

        return lookup.Depth == path.Depth - 1 ? lookup.Deepest.Id : NotFound(path.Parent);
    }

    /// <summary>Null when <paramref name="lookup"/> found a folder at <paramref name="path"/>, else the error.</summary>
    private static GreyError? FolderOf(Lookup lookup, VfsPath path)
    {
        if (lookup.Deepest.Kind == EntryKind.File)
        {
            return GreyError.Invalid(ErrorCodes.NotAFolder, lookup.Found ? $"'{path}' is a file" : $"a parent of '{path}' is a file");
        }

        return lookup.Found ? null : NotFound(path);
    }

    private static EntryKind ParseKind(string kind) => kind switch
    {
        FileKind => EntryKind.File,
        FolderKind => EntryKind.Folder,
        _ => throw new InvalidDataException($"Unknown entry kind '{kind}' in fs_entries."),
    };

    private static string Quote(string id) => string.Concat("\"", id, "\"");

    private static string NewFolderETag() => Quote("d" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)));

    private long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private static DateTimeOffset FromUnixMilliseconds(long milliseconds) => DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);

    private static GreyError TooLarge(long max) => GreyError.TooLarge(ErrorCodes.ContentTooLarge, $"more than {max} bytes");

    private static GreyError GrowsTooLarge(WriteOptions options) =>
        GreyError.TooLarge(ErrorCodes.ContentTooLarge, $"the file would grow past {options.MaxLength} bytes");

    private static GreyError ETagMismatch(VfsPath path) =>
        GreyError.PreconditionFailed(ErrorCodes.EtagMismatch, $"'{path}' changed since it was read (ETag differs)");

    private static GreyError NotFound(VfsPath path) => GreyError.NotFound(ErrorCodes.FileNotFound, $"no '{path}'");

    /// <summary>An entry row; <see cref="Inline"/> and <see cref="Chunks"/> only when asked for. Times are Unix milliseconds.</summary>
    private sealed record Row(long Id, long? ParentId, EntryKind Kind, long Length, string ETag, long CreatedAt, long ModifiedAt)
    {
        public byte[]? Inline { get; init; }

        public byte[]? Chunks { get; init; }

        public StorageEntry Entry(VfsPath path) =>
            new(path, Kind, Length, ETag, FromUnixMilliseconds(CreatedAt), FromUnixMilliseconds(ModifiedAt));
    }

    /// <summary>How far a path resolved: the deepest entry reached and its depth (the path's own depth when found).</summary>
    private readonly record struct Lookup(Row Deepest, int Depth, int Wanted)
    {
        public bool Found => Depth == Wanted;
    }

    /// <summary>Where a write lands: the parent folder, and the file it replaces (if any).</summary>
    private readonly record struct WriteTarget(long ParentId, Row? Existing);

    /// <summary>Content ready to be referenced by a row: inline bytes, or a chunk list in the store.</summary>
    private sealed record StoredContent(long Length, string ETag, byte[]? Inline, ContentRef? Chunks)
    {
        public static StoredContent Of(ContentRef chunks) => new(chunks.Length, Quote(chunks.Id), null, chunks);

        /// <summary>Inline bytes, with the identity the same bytes would have in the content store.</summary>
        public static StoredContent Of(byte[] bytes)
        {
            var identity = bytes.Length == 0
                ? ContentRef.Empty
                : ContentRef.FromChunks([new ChunkRef(Convert.ToHexStringLower(SHA256.HashData(bytes)), bytes.Length)]);
            return new StoredContent(bytes.Length, Quote(identity.Id), bytes, null);
        }
    }

    /// <summary>
    /// The result of streaming a write: the file's new <see cref="Content"/>, and the part that was
    /// streamed (<see cref="Streamed"/>: the old bytes re-chunked for an append, then the new bytes
    /// from <see cref="AppendedFrom"/>), from which an append that lost a race is redone.
    /// </summary>
    private sealed record Stored(StoredContent Content, StoredContent Streamed, long AppendedFrom)
    {
        public long AppendedLength => Streamed.Length - AppendedFrom;

        /// <summary>The new bytes again, read back from where they were stored.</summary>
        public Stream OpenAppended(ChunkStore store) => Streamed.Chunks is { } chunks
            ? store.OpenRead(chunks, AppendedFrom, null)
            : new MemoryStream(Streamed.Inline!, (int)AppendedFrom, (int)AppendedLength, writable: false);
    }

    /// <summary>A forward-only read of one stream, then another (neither is disposed here).</summary>
    private sealed class ConcatenatedStream(Stream first, Stream second) : Stream
    {
        private bool _firstDone;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            ValidateBufferArguments(buffer, offset, count);
            return Read(buffer.AsSpan(offset, count));
        }

        public override int Read(Span<byte> buffer)
        {
            if (buffer.IsEmpty)
            {
                return 0;
            }

            if (!_firstDone)
            {
                var read = first.Read(buffer);
                if (read > 0)
                {
                    return read;
                }

                _firstDone = true;
            }

            return second.Read(buffer);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            ValidateBufferArguments(buffer, offset, count);
            return ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (buffer.IsEmpty)
            {
                return 0;
            }

            if (!_firstDone)
            {
                var read = await first.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                if (read > 0)
                {
                    return read;
                }

                _firstDone = true;
            }

            return await second.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
