using System.Data.Common;
using GreyOS.Abstractions.FileSystem;
using GreyOS.Abstractions.Storage;
using GreyOS.FileSystem.Storage;

namespace GreyOS.FileSystem.Trash;

/// <summary>A trash item and where its entry waits (<c>&lt;mount&gt;/.trash/&lt;id&gt;</c>).</summary>
internal sealed record TrashRow(TrashItem Item, VfsPath TrashPath);

/// <summary>The trash's index (<c>fs_trash</c>); the entries themselves sit in each mount's hidden <c>.trash</c> folder.</summary>
internal sealed class TrashStore(IDatabase database)
{
    private const string Select = "SELECT id, owner, original_path, trash_path, kind, length, deleted_at, deleted_by FROM fs_trash";

    public async Task AddAsync(TrashRow row, CancellationToken cancellationToken)
    {
        var item = row.Item;
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand(
            "INSERT INTO fs_trash (id, owner, original_path, trash_path, kind, length, deleted_at, deleted_by) VALUES ($id, $owner, $original, $trash, $kind, $length, $at, $by);")
            .With("$id", item.Id).With("$owner", item.Owner).With("$original", item.OriginalPath.Value).With("$trash", row.TrashPath.Value)
            .With("$kind", item.Kind == EntryKind.File ? "file" : "folder").With("$length", item.Length)
            .With("$at", item.DeletedAt.ToUnixTimeMilliseconds()).With("$by", item.DeletedBy);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task RemoveAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand("DELETE FROM fs_trash WHERE id = $id;").With("$id", id);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<TrashRow?> GetAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand(Select + " WHERE id = $id;").With("$id", id);
        var rows = await ReadAsync(command, cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    /// <summary>Items of <paramref name="owners"/> or deleted by <paramref name="deletedBy"/> (every item when both are null), newest first.</summary>
    public async Task<IReadOnlyList<TrashRow>> ListAsync(IReadOnlyCollection<string>? owners, string? deletedBy, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        if (owners is null && deletedBy is null)
        {
            await using var all = connection.CreateCommand(Select + " ORDER BY deleted_at DESC, id;");
            return await ReadAsync(all, cancellationToken).ConfigureAwait(false);
        }

        await using var command = connection.CreateCommand(Select + " WHERE owner IN (SELECT value FROM json_each($owners)) OR deleted_by = $by ORDER BY deleted_at DESC, id;")
            .With("$owners", System.Text.Json.JsonSerializer.Serialize(owners ?? [], FileSystemJson.Default.IReadOnlyCollectionString))
            .With("$by", (object?)deletedBy ?? DBNull.Value);
        return await ReadAsync(command, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Forgets the items whose entry waits at or under <paramref name="path"/> (a mount that goes away).</summary>
    public async Task DeleteUnderAsync(VfsPath path, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await PathRows.DeleteAsync(connection, null, "fs_trash", "trash_path", path, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The bytes in the trash of <paramref name="owner"/>.</summary>
    public async Task<long> SumAsync(string owner, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand("SELECT coalesce(sum(length), 0) FROM fs_trash WHERE owner = $owner;").With("$owner", owner);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long total ? total : 0;
    }

    /// <summary>Items deleted before <paramref name="before"/> (for expiry), oldest first, at most <paramref name="limit"/>.</summary>
    public async Task<IReadOnlyList<TrashRow>> ExpiredAsync(DateTimeOffset before, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand(Select + " WHERE deleted_at < $before ORDER BY deleted_at LIMIT $limit;")
            .With("$before", before.ToUnixTimeMilliseconds()).With("$limit", limit);
        return await ReadAsync(command, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<IReadOnlyList<TrashRow>> ReadAsync(DbCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var rows = new List<TrashRow>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var item = new TrashItem(
                reader.GetString(0),
                VfsPath.Parse(reader.GetString(2)).Value,
                reader.GetString(4) == "file" ? EntryKind.File : EntryKind.Folder,
                reader.GetInt64(5),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)),
                reader.GetString(7),
                reader.GetString(1));
            rows.Add(new TrashRow(item, VfsPath.Parse(reader.GetString(3)).Value));
        }

        return rows;
    }
}
