using GreyOS.Abstractions.Errors;
using GreyOS.Abstractions.FileSystem;
using GreyOS.FileSystem.Trash;

namespace GreyOS.FileSystem.Vfs;

/// <summary>Versions, trash, quotas, name search and watching (<see cref="IFileRecovery"/>).</summary>
internal sealed partial class VirtualFileSystem
{
    /// <summary>The most results one search returns.</summary>
    public const int MaxSearchResults = 1_000;

    public async ValueTask<Result<IReadOnlyList<FileVersion>>> ListVersionsAsync(FilePrincipal principal, VfsPath path, CancellationToken cancellationToken)
    {
        if (await PrepareAsync(principal, path, Access.Read, cancellationToken).ConfigureAwait(false) is { } denied)
        {
            return denied;
        }

        var at = await mounts.LocateAsync(path, cancellationToken).ConfigureAwait(false);
        if (await at.Backend.StatAsync(at.Inner, cancellationToken).ConfigureAwait(false) is not { Kind: EntryKind.File })
        {
            return GreyError.NotFound(ErrorCodes.FileNotFound, $"no file '{path}'");
        }

        return Result<IReadOnlyList<FileVersion>>.Success(await versions.ListAsync(path, cancellationToken).ConfigureAwait(false));
    }

    public async ValueTask<Result<FileEntry>> RestoreVersionAsync(FilePrincipal principal, VfsPath path, long versionId, string? ifMatch, CancellationToken cancellationToken)
    {
        if (await PrepareWriteAsync(principal, path, cancellationToken).ConfigureAwait(false) is { } denied)
        {
            return denied;
        }

        if (await versions.GetAsync(path, versionId, cancellationToken).ConfigureAwait(false) is not { } version)
        {
            return GreyError.NotFound(ErrorCodes.VersionNotFound, $"'{path}' has no version {versionId}");
        }

        var at = await mounts.LocateAsync(path, cancellationToken).ConfigureAwait(false);
        var existing = await at.Backend.StatAsync(at.Inner, cancellationToken).ConfigureAwait(false);
        if (existing is { Kind: EntryKind.Folder })
        {
            return GreyError.Invalid(ErrorCodes.NotAFile, $"'{path}' is a folder");
        }

        if (ifMatch is not null && existing?.ETag != ifMatch)
        {
            return GreyError.PreconditionFailed(ErrorCodes.EtagMismatch, $"'{path}' changed since it was read (ETag differs)");
        }

        var oldLength = existing?.Length ?? 0;
        var admitted = await AdmitAsync(path, oldLength, version.Length, append: false, cancellationToken).ConfigureAwait(false);
        if (!admitted.IsSuccess)
        {
            return admitted.Error;
        }

        var delta = 0L;
        try
        {
            // The current content becomes a version in turn.
            long? keptId = null;
            if (existing is not null && existing.ETag != version.ETag
                && await snapshots.TakeAsync(at.Backend, at.Inner, existing, options.Value.VersionCopyLimitBytes, cancellationToken).ConfigureAwait(false) is { } current
                && KeepsVersion(path, admitted.Value, current) is var (capRoot, capBytes, keeps) && keeps)
            {
                keptId = await versions.AddAsync(path, current, principal.UserName, Math.Max(1, options.Value.VersionsKept), capRoot, capBytes, cancellationToken).ConfigureAwait(false);
            }

            var restored = await snapshots.RestoreAsync(at.Backend, at.Inner, version, existing?.ETag ?? ifMatch, cancellationToken).ConfigureAwait(false);
            if (!restored.IsSuccess)
            {
                if (keptId is { } failed)
                {
                    await versions.RemoveAsync(failed, CancellationToken.None).ConfigureAwait(false);
                }

                return at.Outer(restored.Error, path);
            }

            delta = restored.Value.Length - oldLength;
            Publish(existing is null ? FileChangeKind.Created : FileChangeKind.Changed, path, null, EntryKind.File, restored.Value.ETag);
            return ToEntry(at.Outer(restored.Value));
        }
        finally
        {
            if (admitted.Value is { } admission)
            {
                await QuotaLedger.CompleteAsync(admission, delta).ConfigureAwait(false);
            }
        }
    }

    public async ValueTask<Result<IReadOnlyList<TrashItem>>> ListTrashAsync(FilePrincipal principal, bool all, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(principal);
        if (all && !(principal.IsAdmin && principal.AppId is null))
        {
            return GreyError.Forbidden(ErrorCodes.Forbidden, "only an administrator sees every trash");
        }

        await PurgeExpiredAsync(cancellationToken).ConfigureAwait(false);
        var rows = all
            ? await trash.ListAsync(null, null, cancellationToken).ConfigureAwait(false)
            : await trash.ListAsync(OwnersOf(principal), principal.AppId is null ? principal.UserName : null, cancellationToken).ConfigureAwait(false);
        return rows.Select(r => r.Item).ToList();
    }

    public async ValueTask<Result<FileEntry>> RestoreFromTrashAsync(FilePrincipal principal, string trashId, VfsPath? destination, CancellationToken cancellationToken)
    {
        var found = await TrashRowAsync(principal, trashId, cancellationToken).ConfigureAwait(false);
        if (!found.IsSuccess)
        {
            return found.Error;
        }

        var row = found.Value;
        var target = destination ?? row.Item.OriginalPath;
        if (await PrepareWriteAsync(principal, target, cancellationToken).ConfigureAwait(false) is { } denied)
        {
            return denied;
        }

        var from = await mounts.LocateAsync(row.TrashPath, cancellationToken).ConfigureAwait(false);
        var into = await mounts.LocateAsync(target, cancellationToken).ConfigureAwait(false);
        if (!ReferenceEquals(from.Backend, into.Backend))
        {
            return GreyError.Invalid(ErrorCodes.InvalidRequest, $"'{row.Item.OriginalPath}' can only be restored within its mount");
        }

        // The folder it was in may have gone meanwhile: make it again.
        if (!target.Parent.IsRoot && await into.Backend.StatAsync(into.Inner.Parent, cancellationToken).ConfigureAwait(false) is null)
        {
            var parent = await CreateFolderAsync(principal, target.Parent, parents: true, cancellationToken).ConfigureAwait(false);
            if (!parent.IsSuccess)
            {
                return parent.Error;
            }
        }

        var owner = QuotaOwner(target, principal);
        if (owner != row.Item.Owner)
        {
            var admitted = await AdmitAsync(target, 0, row.Item.Length, append: false, cancellationToken).ConfigureAwait(false);
            if (!admitted.IsSuccess)
            {
                return admitted.Error;
            }

            if (admitted.Value is { } admission)
            {
                await QuotaLedger.CompleteAsync(admission, 0).ConfigureAwait(false);
            }
        }

        var moved = await from.Backend.MoveAsync(from.Inner, into.Inner, overwrite: false, cancellationToken).ConfigureAwait(false);
        if (!moved.IsSuccess)
        {
            return into.Outer(moved.Error, target);
        }

        await trash.RemoveAsync(row.Item.Id, CancellationToken.None).ConfigureAwait(false);
        await versions.MoveAsync(row.TrashPath, target, CancellationToken.None).ConfigureAwait(false);
        quota.Invalidate(owner);
        quota.Invalidate(row.Item.Owner);
        Publish(FileChangeKind.Created, target, null, moved.Value.Kind, moved.Value.ETag);
        return ToEntry(into.Outer(moved.Value));
    }

    public async ValueTask<Result<TrashItem>> PurgeAsync(FilePrincipal principal, string trashId, CancellationToken cancellationToken)
    {
        var found = await TrashRowAsync(principal, trashId, cancellationToken).ConfigureAwait(false);
        if (!found.IsSuccess)
        {
            return found.Error;
        }

        var purged = await PurgeRowAsync(found.Value, cancellationToken).ConfigureAwait(false);
        return purged is null ? found.Value.Item : purged;
    }

    public async ValueTask<Result<int>> EmptyTrashAsync(FilePrincipal principal, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(principal);
        var rows = await trash.ListAsync(OwnersOf(principal), principal.AppId is null ? principal.UserName : null, cancellationToken).ConfigureAwait(false);
        var count = 0;
        foreach (var row in rows)
        {
            if (await PurgeRowAsync(row, cancellationToken).ConfigureAwait(false) is { } failed)
            {
                return failed;
            }

            count++;
        }

        return count;
    }

    public async ValueTask<Result<FileEntry>> DeleteForeverAsync(FilePrincipal principal, VfsPath path, bool recursive, string? ifMatch, CancellationToken cancellationToken)
    {
        if (await PrepareWriteAsync(principal, path, cancellationToken).ConfigureAwait(false) is { } denied)
        {
            return denied;
        }

        var at = await mounts.LocateAsync(path, cancellationToken).ConfigureAwait(false);
        var deleted = await at.Backend.DeleteAsync(at.Inner, recursive, ifMatch, cancellationToken).ConfigureAwait(false);
        if (!deleted.IsSuccess)
        {
            return at.Outer(deleted.Error, path);
        }

        await ForgetAsync(path, CancellationToken.None).ConfigureAwait(false);
        quota.Invalidate(QuotaOwner(path));
        Publish(FileChangeKind.Deleted, path, null, deleted.Value.Kind, null);
        return ToEntry(at.Outer(deleted.Value));
    }

    public async ValueTask<Result<QuotaUsage>> QuotaAsync(FilePrincipal principal, VfsPath path, CancellationToken cancellationToken)
    {
        if (AccessRules.QuotaRootOf(path) is not { } root)
        {
            return GreyError.Invalid(ErrorCodes.InvalidRequest, $"no quota covers '{path}' (quotas cover /home/<user>, /shared, /apps/<app>/data)");
        }

        if (await PrepareAsync(principal, root.Root, Access.Read, cancellationToken).ConfigureAwait(false) is { } denied)
        {
            return denied;
        }

        var used = await quota.UsedAsync(root.Owner, ct => MeasureAsync(root.Root, root.Owner, ct), cancellationToken).ConfigureAwait(false);
        var inTrash = await trash.SumAsync(root.Owner, cancellationToken).ConfigureAwait(false);
        var limit = await quota.LimitAsync(root.Owner, cancellationToken).ConfigureAwait(false);
        return new QuotaUsage(root.Root, used, inTrash, limit);
    }

    public async ValueTask<Result<IReadOnlyList<FileEntry>>> SearchAsync(FilePrincipal principal, VfsPath folder, string query, int limit, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(query) || query.Length > VfsPath.MaxNameBytes)
        {
            return GreyError.Invalid(ErrorCodes.InvalidRequest, $"the query is 1 to {VfsPath.MaxNameBytes} characters");
        }

        if (limit is < 1 or > MaxSearchResults)
        {
            return GreyError.Invalid(ErrorCodes.InvalidRequest, $"limit must be between 1 and {MaxSearchResults}");
        }

        if (await PrepareAsync(principal, folder, Access.Read, cancellationToken).ConfigureAwait(false) is { } denied)
        {
            return denied;
        }

        // Breadth first, nearest matches first; only into folders the principal may read; bounded.
        var found = new List<FileEntry>();
        var pending = new Queue<VfsPath>();
        pending.Enqueue(folder);
        var visited = 0;
        var budget = options.Value.SearchVisitLimit;
        while (pending.TryDequeue(out var next) && found.Count < limit && visited < budget)
        {
            var at = await mounts.LocateAsync(next, cancellationToken).ConfigureAwait(false);
            var children = await at.Backend.ListAsync(at.Inner, cancellationToken).ConfigureAwait(false);
            if (!children.IsSuccess)
            {
                continue;
            }

            foreach (var child in children.Value.OrderBy(c => c.Name, StringComparer.Ordinal))
            {
                visited++;
                var entry = at.Outer(child);
                if (AccessRules.IsTrash(entry.Path.Segments)
                    || await authorizer.CheckAsync(principal, entry.Path, Access.Read, cancellationToken).ConfigureAwait(false) is not null)
                {
                    continue;
                }

                if (entry.Name.Contains(query, StringComparison.OrdinalIgnoreCase))
                {
                    found.Add(ToEntry(entry));
                    if (found.Count == limit)
                    {
                        break;
                    }
                }

                if (entry.Kind == EntryKind.Folder)
                {
                    pending.Enqueue(entry.Path);
                }
            }
        }

        return found;
    }

    public async ValueTask<Result<IAsyncEnumerable<FileChange>>> WatchAsync(FilePrincipal principal, VfsPath folder, CancellationToken cancellationToken)
    {
        if (await PrepareAsync(principal, folder, Access.Read, cancellationToken).ConfigureAwait(false) is { } denied)
        {
            return denied;
        }

        if (changes.TrySubscribe(principal.UserId, folder, options.Value.WatchesPerUser) is not { } watcher)
        {
            return GreyError.TooManyRequests(ErrorCodes.RateLimited, $"at most {options.Value.WatchesPerUser} watches per user");
        }

        return Result<IAsyncEnumerable<FileChange>>.Success(new Watch(this, changes, time, principal, watcher, cancellationToken));
    }

    /// <summary>
    /// What a watcher may see of a change: all of it when it may read both paths; a move between a
    /// readable and an unreadable place shows as a create or a delete on the readable side only.
    /// </summary>
    private async ValueTask<FileChange?> VisibleAsync(FilePrincipal principal, FileChange change, CancellationToken cancellationToken)
    {
        var seesNew = await authorizer.CheckAsync(principal, change.Path, Access.Read, cancellationToken).ConfigureAwait(false) is null;
        if (change.OldPath is not { } old)
        {
            return seesNew ? change : null;
        }

        var seesOld = await authorizer.CheckAsync(principal, old, Access.Read, cancellationToken).ConfigureAwait(false) is null;
        return (seesNew, seesOld) switch
        {
            (true, true) => change,
            (true, false) => change with { Kind = FileChangeKind.Created, OldPath = null },
            (false, true) => change with { Kind = FileChangeKind.Deleted, Path = old, OldPath = null, ETag = null },
            _ => null,
        };
    }

    /// <summary>
    /// One watch: the changes of its watcher the principal may see, then an overflow if it fell
    /// behind. Disposing it (also before the first read) ends the subscription.
    /// </summary>
    private sealed class Watch(VirtualFileSystem vfs, ChangeFeed feed, TimeProvider time, FilePrincipal principal, ChangeFeed.Watcher watcher, CancellationToken cancellationToken)
        : IAsyncEnumerable<FileChange>, IAsyncEnumerator<FileChange>
    {
        private bool _ended;
        private FileChange? _current;

        public FileChange Current => _current ?? throw new InvalidOperationException("no current change");

        public IAsyncEnumerator<FileChange> GetAsyncEnumerator(CancellationToken token = default) => this;

        public async ValueTask<bool> MoveNextAsync()
        {
            while (!_ended)
            {
                if (watcher.Queue.Reader.TryRead(out var change))
                {
                    if (await vfs.VisibleAsync(principal, change, cancellationToken).ConfigureAwait(false) is { } visible)
                    {
                        _current = visible;
                        return true;
                    }

                    continue;
                }

                if (!await watcher.Queue.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    _ended = true;
                    if (watcher.Overflowed)
                    {
                        _current = new FileChange(FileChangeKind.Overflow, watcher.Folder, null, EntryKind.Folder, null, time.GetUtcNow());
                        return true;
                    }
                }
            }

            return false;
        }

        public ValueTask DisposeAsync()
        {
            _ended = true;
            feed.Unsubscribe(watcher);
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>Purges trash items older than the retention (a bounded batch per call).</summary>
    public async Task<int> PurgeExpiredAsync(CancellationToken cancellationToken)
    {
        var retention = options.Value.TrashRetention;
        if (retention <= TimeSpan.Zero)
        {
            return 0;
        }

        var expired = await trash.ExpiredAsync(time.GetUtcNow() - retention, 100, cancellationToken).ConfigureAwait(false);
        foreach (var row in expired)
        {
            await PurgeRowAsync(row, cancellationToken).ConfigureAwait(false);
        }

        return expired.Count;
    }

    private async ValueTask<GreyError?> PurgeRowAsync(TrashRow row, CancellationToken cancellationToken)
    {
        var at = await mounts.LocateAsync(row.TrashPath, cancellationToken).ConfigureAwait(false);
        var deleted = await at.Backend.DeleteAsync(at.Inner, recursive: true, null, cancellationToken).ConfigureAwait(false);
        if (!deleted.IsSuccess && deleted.Error.Code != ErrorCodes.FileNotFound)
        {
            return at.Outer(deleted.Error, row.TrashPath);
        }

        await versions.DeleteAsync(row.TrashPath, CancellationToken.None).ConfigureAwait(false);
        await trash.RemoveAsync(row.Item.Id, CancellationToken.None).ConfigureAwait(false);
        quota.Invalidate(row.Item.Owner);
        return null;
    }

    /// <summary>A trash item the principal may restore or purge: their home's, their app's, or one they deleted; every item for an administrator.</summary>
    private async ValueTask<Result<TrashRow>> TrashRowAsync(FilePrincipal principal, string trashId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(principal);
        var row = string.IsNullOrEmpty(trashId) || trashId.Length > 64 ? null : await trash.GetAsync(trashId, cancellationToken).ConfigureAwait(false);
        var mine = row is not null && (
            (principal.IsAdmin && principal.AppId is null)
            || OwnersOf(principal).Contains(row.Item.Owner)
            || (principal.AppId is null && row.Item.DeletedBy == principal.UserName));
        return mine ? row! : GreyError.NotFound(ErrorCodes.TrashItemNotFound, $"no item '{trashId}' in your trash");
    }

    private static string[] OwnersOf(FilePrincipal principal) =>
        principal.AppId is { } app ? ["app:" + app] : ["user:" + principal.UserName];
}
