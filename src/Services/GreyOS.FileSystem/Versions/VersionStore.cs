using GreyOS.Abstractions.FileSystem;
using GreyOS.Abstractions.Storage;
using GreyOS.FileSystem.Backends;
using GreyOS.FileSystem.Storage;

namespace GreyOS.FileSystem.Versions;

/// <summary>
/// Earlier contents of files (<c>fs_versions</c>), by VFS path: inline bytes or a chunk list, so a
/// version of a big file costs a row, not a copy. Keeps the last N per file.
/// </summary>
internal sealed class VersionStore(IDatabase database, TimeProvider time)
{
    private const string Table = "fs_versions";

    /// <summary>
    /// Keeps <paramref name="content"/> as the newest version of <paramref name="path"/>, dropping all
    /// but the newest <paramref name="keep"/>; with a <paramref name="capRoot"/>, also drops the oldest
    /// versions under that folder until all of them, the new one included, fit in <paramref name="capBytes"/>.
    /// </summary>
    public async Task<long> AddAsync(VfsPath path, ContentSnapshot content, string savedBy, int keep, VfsPath? capRoot, long capBytes, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (capRoot is { } root)
        {
            // Newest first, a running total; what runs past the budget goes (a range scan of the path index).
            await using var cap = connection.CreateCommand(
                """
                DELETE FROM fs_versions WHERE id IN (
                    SELECT id FROM (SELECT id, sum(length) OVER (ORDER BY id DESC) AS running FROM fs_versions WHERE path > $low AND path < $high)
                    WHERE running > $budget);
                """,
                transaction)
                .With("$low", root.Value + "/").With("$high", root.Value + "0").With("$budget", capBytes - content.Length);
            await cap.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        long id;
        await using (var insert = connection.CreateCommand(
            "INSERT INTO fs_versions (path, length, etag, modified_at, saved_at, saved_by, inline, chunks) VALUES ($path, $length, $etag, $modified, $saved, $by, $inline, $chunks) RETURNING id;",
            transaction)
            .With("$path", path.Value).With("$length", content.Length).With("$etag", content.ETag)
            .With("$modified", content.ModifiedAt.ToUnixTimeMilliseconds()).With("$saved", time.GetUtcNow().ToUnixTimeMilliseconds())
            .With("$by", savedBy).With("$inline", content.Inline).With("$chunks", content.Chunks))
        {
            id = (long)(await insert.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }

        await using (var trim = connection.CreateCommand(
            "DELETE FROM fs_versions WHERE path = $path AND id NOT IN (SELECT id FROM fs_versions WHERE path = $path ORDER BY id DESC LIMIT $keep);",
            transaction)
            .With("$path", path.Value).With("$keep", keep))
        {
            await trim.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return id;
    }

    public async Task RemoveAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand("DELETE FROM fs_versions WHERE id = $id;").With("$id", id);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The versions of one file, newest first.</summary>
    public async Task<IReadOnlyList<FileVersion>> ListAsync(VfsPath path, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand(
            "SELECT id, length, etag, modified_at, saved_at, saved_by FROM fs_versions WHERE path = $path ORDER BY id DESC;").With("$path", path.Value);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var versions = new List<FileVersion>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            versions.Add(new FileVersion(
                reader.GetInt64(0), path, reader.GetInt64(1), reader.GetString(2),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)), reader.GetString(5)));
        }

        return versions;
    }

    /// <summary>One version of <paramref name="path"/> with its content, or null.</summary>
    public async Task<ContentSnapshot?> GetAsync(VfsPath path, long id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand(
            "SELECT length, etag, modified_at, inline, chunks FROM fs_versions WHERE id = $id AND path = $path;").With("$id", id).With("$path", path.Value);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return new ContentSnapshot(
            reader.GetInt64(0), reader.GetString(1), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)),
            reader.IsDBNull(3) ? null : reader.GetFieldValue<byte[]>(3),
            reader.IsDBNull(4) ? null : reader.GetFieldValue<byte[]>(4));
    }

    /// <summary>The versions follow a move of their file (or of a folder above it).</summary>
    public async Task MoveAsync(VfsPath from, VfsPath to, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await PathRows.MoveAsync(connection, null, Table, "path", from, to, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Forgets the versions at or under <paramref name="path"/> (their chunks go with the next collection).</summary>
    public async Task DeleteAsync(VfsPath path, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await PathRows.DeleteAsync(connection, null, Table, "path", path, cancellationToken).ConfigureAwait(false);
    }
}
