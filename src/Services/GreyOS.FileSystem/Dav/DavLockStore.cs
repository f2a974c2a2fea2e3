using System.Data.Common;
using GreyOS.Abstractions.Errors;
using GreyOS.Abstractions.FileSystem;
using GreyOS.Abstractions.Storage;
using GreyOS.FileSystem.Vfs;

namespace GreyOS.FileSystem.Dav;

/// <summary>
/// WebDAV locks in the node database (<c>dav_locks</c>): they survive a restart and expire by time.
/// Taking a lock is serialized on this node (one gate) and checked inside a transaction, so two
/// clients cannot both get an exclusive lock on the same resource.
/// </summary>
internal sealed class DavLockStore(IDatabase database, Authorizer authorizer, TimeProvider time) : IDavLockStore, IDisposable
{
    private const string Columns = "token, root, exclusive, infinite, user_id, owner_xml, timeout_s, expires_at";

    private readonly SemaphoreSlim _gate = new(1, 1);

    public async ValueTask<IReadOnlyList<DavLock>> FindAsync(VfsPath path, bool withDescendants, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await FindAsync(connection, null, path, withDescendants, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<Result<DavLock>> LockAsync(FilePrincipal principal, DavLockRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(principal);
        ArgumentNullException.ThrowIfNull(request);
        if (await authorizer.CheckAsync(principal, request.Root, Access.Write, cancellationToken).ConfigureAwait(false) is { } denied)
        {
            return denied;
        }

        var timeout = Clamp(request.Timeout);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = time.GetUtcNow();
            await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (var prune = connection.CreateCommand("DELETE FROM dav_locks WHERE expires_at <= $now;", transaction).With("$now", now.ToUnixTimeMilliseconds()))
            {
                await prune.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await using (var count = connection.CreateCommand("SELECT count(*) FROM dav_locks WHERE user_id = $user;", transaction).With("$user", principal.UserId))
            {
                if (Convert.ToInt64(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture) >= IDavLockStore.MaxLocksPerUser)
                {
                    return GreyError.Conflict(ErrorCodes.LockLimit, $"a user may hold at most {IDavLockStore.MaxLocksPerUser} locks: unlock some first");
                }
            }

            var existing = await FindAsync(connection, transaction, request.Root, request.Infinite, cancellationToken).ConfigureAwait(false);
            if (existing.FirstOrDefault(l => l.Exclusive || request.Exclusive) is { } conflict)
            {
                return GreyError.Conflict(ErrorCodes.Locked, $"'{conflict.Root}' is locked{(conflict.Exclusive ? " exclusively" : string.Empty)} by another lock");
            }

            var created = new DavLock("urn:uuid:" + Guid.NewGuid().ToString("D"), request.Root, request.Exclusive, request.Infinite, principal.UserId, request.OwnerXml, timeout, now + timeout);
            await using (var insert = connection.CreateCommand(
                $"INSERT INTO dav_locks ({Columns}) VALUES ($token, $root, $exclusive, $infinite, $user, $owner, $timeout, $expires);", transaction)
                .With("$token", created.Token).With("$root", created.Root.Value).With("$exclusive", created.Exclusive ? 1 : 0).With("$infinite", created.Infinite ? 1 : 0)
                .With("$user", created.UserId).With("$owner", created.OwnerXml).With("$timeout", (long)timeout.TotalSeconds).With("$expires", created.ExpiresAt.ToUnixTimeMilliseconds()))
            {
                await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return created;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask<Result<DavLock>> RefreshAsync(FilePrincipal principal, string token, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(principal);
        timeout = Clamp(timeout);
        var now = time.GetUtcNow();
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var update = connection.CreateCommand(
            $"""
            UPDATE dav_locks SET timeout_s = $timeout, expires_at = $expires
            WHERE token = $token AND user_id = $user AND expires_at > $now RETURNING {Columns};
            """)
            .With("$timeout", (long)timeout.TotalSeconds).With("$expires", (now + timeout).ToUnixTimeMilliseconds())
            .With("$token", token).With("$user", principal.UserId).With("$now", now.ToUnixTimeMilliseconds());
        var locks = await ReadAsync(update, cancellationToken).ConfigureAwait(false);
        return locks.Count == 1 ? locks[0] : NotFound();
    }

    public async ValueTask<Result<DavLock>> UnlockAsync(FilePrincipal principal, string token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(principal);
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var delete = connection.CreateCommand(
            $"DELETE FROM dav_locks WHERE token = $token AND (user_id = $user OR $admin) AND expires_at > $now RETURNING {Columns};")
            .With("$token", token).With("$user", principal.UserId).With("$admin", principal.IsAdmin && principal.AppId is null ? 1 : 0)
            .With("$now", time.GetUtcNow().ToUnixTimeMilliseconds());
        var locks = await ReadAsync(delete, cancellationToken).ConfigureAwait(false);
        return locks.Count == 1 ? locks[0] : NotFound();
    }

    public async ValueTask RemoveTreeAsync(VfsPath path, CancellationToken cancellationToken)
    {
        var prefix = DavMigrations.Prefix(path);
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var delete = connection.CreateCommand(
            "DELETE FROM dav_locks WHERE root = $path OR substr(root, 1, length($prefix) + 1) = $prefix || '/';")
            .With("$path", path.Value).With("$prefix", prefix);
        await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => _gate.Dispose();

    private async Task<IReadOnlyList<DavLock>> FindAsync(DbConnection connection, DbTransaction? transaction, VfsPath path, bool withDescendants, CancellationToken cancellationToken)
    {
        await using var select = connection.CreateCommand(
            $"""
            SELECT {Columns} FROM dav_locks
            WHERE expires_at > $now
              AND (root = $path OR root = '/' OR substr($path, 1, length(root) + 1) = root || '/'
                   OR ($descendants AND substr(root, 1, length($prefix) + 1) = $prefix || '/'));
            """, transaction)
            .With("$now", time.GetUtcNow().ToUnixTimeMilliseconds()).With("$path", path.Value)
            .With("$descendants", withDescendants ? 1 : 0).With("$prefix", DavMigrations.Prefix(path));
        var locks = await ReadAsync(select, cancellationToken).ConfigureAwait(false);
        return locks.Where(l => l.Covers(path) || (withDescendants && l.Root.IsSameOrUnder(path))).ToList();
    }

    private static TimeSpan Clamp(TimeSpan timeout)
    {
        var max = TimeSpan.FromSeconds(IDavLockStore.MaxTimeoutSeconds);
        return timeout <= TimeSpan.Zero || timeout > max ? max : TimeSpan.FromSeconds(Math.Max(1, Math.Floor(timeout.TotalSeconds)));
    }

    private static GreyError NotFound() => GreyError.Invalid(ErrorCodes.LockNotFound, "no such lock held by you (it may have expired)");

    private static async Task<IReadOnlyList<DavLock>> ReadAsync(DbCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var locks = new List<DavLock>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var root = VfsPath.Parse(reader.GetString(1));
            if (!root.IsSuccess)
            {
                continue;
            }

            locks.Add(new DavLock(
                reader.GetString(0),
                root.Value,
                reader.GetInt64(2) != 0,
                reader.GetInt64(3) != 0,
                reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5),
                TimeSpan.FromSeconds(reader.GetInt64(6)),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7))));
        }

        return locks;
    }
}
