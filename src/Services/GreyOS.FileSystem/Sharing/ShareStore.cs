using System.Data.Common;
using GreyOS.Abstractions.FileSystem;
using GreyOS.Abstractions.Storage;
using GreyOS.FileSystem.Storage;

namespace GreyOS.FileSystem.Sharing;

/// <summary>
/// The ACL entries (<c>fs_shares</c>), also held in memory by path: access checks ask for the
/// entries on a path and its parents without touching the database. Changes write the database
/// first, then the memory copy (under one lock), so a check never sees a share the database lacks.
/// </summary>
internal sealed class ShareStore(IDatabase database, TimeProvider time) : IDisposable
{
    private const string Table = "fs_shares";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile Dictionary<string, ShareEntry[]>? _byPath;

    /// <summary>Whether any share exists on <paramref name="path"/> or a folder above it.</summary>
    public async ValueTask<bool> AnyAtOrAboveAsync(VfsPath path, CancellationToken cancellationToken)
    {
        var map = await MapAsync(cancellationToken).ConfigureAwait(false);
        if (map.Count == 0)
        {
            return false;
        }

        for (var p = path; ; p = p.Parent)
        {
            if (map.ContainsKey(p.Value))
            {
                return true;
            }

            if (p.IsRoot)
            {
                return false;
            }
        }
    }

    /// <summary>The union of the rights the given sharees hold on <paramref name="path"/> (through it or any folder above it).</summary>
    public async ValueTask<FileRights> RightsAsync(VfsPath path, Func<ShareEntry, bool> isSharee, CancellationToken cancellationToken)
    {
        var map = await MapAsync(cancellationToken).ConfigureAwait(false);
        var rights = FileRights.None;
        for (var p = path; ; p = p.Parent)
        {
            if (map.TryGetValue(p.Value, out var entries))
            {
                foreach (var entry in entries)
                {
                    if (isSharee(entry))
                    {
                        rights |= entry.Rights;
                    }
                }
            }

            if (p.IsRoot)
            {
                return rights;
            }
        }
    }

    public async ValueTask<IReadOnlyList<ShareEntry>> OnAsync(VfsPath path, CancellationToken cancellationToken)
    {
        var map = await MapAsync(cancellationToken).ConfigureAwait(false);
        return map.TryGetValue(path.Value, out var entries) ? entries : [];
    }

    /// <summary>Every share matching <paramref name="isSharee"/>, by path.</summary>
    public async ValueTask<IReadOnlyList<ShareEntry>> WhereAsync(Func<ShareEntry, bool> isSharee, CancellationToken cancellationToken)
    {
        var map = await MapAsync(cancellationToken).ConfigureAwait(false);
        return map.Values.SelectMany(e => e).Where(isSharee).OrderBy(e => e.Path.Value, StringComparer.Ordinal).ToList();
    }

    /// <summary>Adds or replaces the share of <paramref name="path"/> for one sharee.</summary>
    public async Task<ShareEntry> SetAsync(VfsPath path, ShareeKind kind, string id, string name, FileRights rights, string grantedBy, CancellationToken cancellationToken)
    {
        var share = new ShareEntry(path, kind, id, name, rights, grantedBy, time.GetUtcNow());
        await ChangeAsync(
            async (connection, transaction) =>
            {
                await using var command = connection.CreateCommand(
                    """
                    INSERT INTO fs_shares (path, kind, sharee_id, sharee_name, rights, granted_by, granted_at) VALUES ($path, $kind, $id, $name, $rights, $by, $at)
                    ON CONFLICT (path, kind, sharee_id) DO UPDATE SET sharee_name = excluded.sharee_name, rights = excluded.rights, granted_by = excluded.granted_by, granted_at = excluded.granted_at;
                    """,
                    transaction)
                    .With("$path", path.Value).With("$kind", KindName(kind)).With("$id", id).With("$name", name).With("$rights", (int)rights)
                    .With("$by", grantedBy).With("$at", share.GrantedAt.ToUnixTimeMilliseconds());
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
        return share;
    }

    /// <summary>Removes one share; false when there was none.</summary>
    public async Task<bool> RemoveAsync(VfsPath path, ShareeKind kind, string id, CancellationToken cancellationToken)
    {
        var removed = 0;
        await ChangeAsync(
            async (connection, transaction) =>
            {
                await using var command = connection.CreateCommand("DELETE FROM fs_shares WHERE path = $path AND kind = $kind AND sharee_id = $id;", transaction)
                    .With("$path", path.Value).With("$kind", KindName(kind)).With("$id", id);
                removed = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
        return removed > 0;
    }

    /// <summary>The shares follow a move of their path (or of a folder above it).</summary>
    public Task MoveAsync(VfsPath from, VfsPath to, CancellationToken cancellationToken) =>
        ChangeAsync((connection, transaction) => PathRows.MoveAsync(connection, transaction, Table, "path", from, to, cancellationToken), cancellationToken);

    /// <summary>Removes the shares at or under <paramref name="path"/>.</summary>
    public Task DeleteAsync(VfsPath path, CancellationToken cancellationToken) =>
        ChangeAsync((connection, transaction) => PathRows.DeleteAsync(connection, transaction, Table, "path", path, cancellationToken), cancellationToken);

    private async Task ChangeAsync(Func<DbConnection, DbTransaction, Task> change, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await change(connection, transaction).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            _byPath = await LoadAsync(connection, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async ValueTask<Dictionary<string, ShareEntry[]>> MapAsync(CancellationToken cancellationToken)
    {
        if (_byPath is { } map)
        {
            return map;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_byPath is null)
            {
                await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                _byPath = await LoadAsync(connection, cancellationToken).ConfigureAwait(false);
            }

            return _byPath;
        }
        finally
        {
            _gate.Release();
        }
    }

    private static async Task<Dictionary<string, ShareEntry[]>> LoadAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand("SELECT path, kind, sharee_id, sharee_name, rights, granted_by, granted_at FROM fs_shares;");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var shares = new List<ShareEntry>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            shares.Add(new ShareEntry(
                VfsPath.Parse(reader.GetString(0)).Value,
                reader.GetString(1) switch { "user" => ShareeKind.User, "group" => ShareeKind.Group, _ => ShareeKind.App },
                reader.GetString(2),
                reader.GetString(3),
                (FileRights)reader.GetInt32(4),
                reader.GetString(5),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6))));
        }

        return shares.GroupBy(s => s.Path.Value, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
    }

    public static string KindName(ShareeKind kind) => kind switch
    {
        ShareeKind.User => "user",
        ShareeKind.Group => "group",
        _ => "app",
    };

    public void Dispose() => _gate.Dispose();
}
