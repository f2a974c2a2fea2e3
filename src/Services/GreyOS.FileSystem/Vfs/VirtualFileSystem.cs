using System.Globalization;
using System.Security.Cryptography;
using GreyOS.Abstractions.Errors;
using GreyOS.Abstractions.FileSystem;
using GreyOS.Abstractions.Identity;
using GreyOS.FileSystem.Backends;
using GreyOS.FileSystem.Mounts;
using GreyOS.FileSystem.Sharing;
using GreyOS.FileSystem.Trash;
using GreyOS.FileSystem.Versions;
using Microsoft.Extensions.Options;

namespace GreyOS.FileSystem.Vfs;

/// <summary>
/// The VFS (design 0004): the namespace over the <see cref="MountTable"/>; every call checked by the
/// <see cref="Authorizer"/> (built-in rules, then shares); home folders created on first use;
/// versions kept on replace, deletes moved to the trash, quotas admitted before bytes are accepted,
/// changes published to watchers. Sorted, paged listings with MIME types. Partial: recovery
/// (versions, trash, quotas, search, watch) and sharing (shares, links, mounts) are in their own files.
/// </summary>
internal sealed partial class VirtualFileSystem(
    MountTable mounts,
    Authorizer authorizer,
    ShareStore shares,
    LinkStore links,
    VersionStore versions,
    TrashStore trash,
    QuotaLedger quota,
    Snapshots snapshots,
    ChangeFeed changes,
    IOptions<FileSystemOptions> options,
    TimeProvider time,
    IUserDirectory? users = null) : IFileSystem, IFileRecovery, IFileSharing, IMountTable, IDisposable
{
    public const int MaxPage = 10_000;

    private readonly SemaphoreSlim _namespace = new(1, 1);

    // Namespace folders known to exist (they cannot be deleted or moved): checked once, not per call.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<VfsPath, bool> _ensured = new();
    private volatile bool _namespaceReady;

    public async ValueTask<Result<FileEntry>> StatAsync(FilePrincipal principal, VfsPath path, CancellationToken cancellationToken)
    {
        if (await PrepareAsync(principal, path, Access.Read, cancellationToken).ConfigureAwait(false) is { } denied)
        {
            return denied;
        }

        var at = await mounts.LocateAsync(path, cancellationToken).ConfigureAwait(false);
        return await at.Backend.StatAsync(at.Inner, cancellationToken).ConfigureAwait(false) is { } entry ? ToEntry(at.Outer(entry)) : NotFound(path);
    }

    public async ValueTask<GreyError?> CheckAccessAsync(FilePrincipal principal, VfsPath folder, bool write, CancellationToken cancellationToken)
    {
        var denied = await PrepareAsync(principal, folder, Access.Read, cancellationToken).ConfigureAwait(false);
        if (denied is not null || !write)
        {
            return denied;
        }

        // Rules and shares apply by path: any name inside the folder stands for all of them (nothing is created).
        var inside = folder.Combine("entry");
        return inside.IsSuccess
            ? await CheckWriteAsync(principal, inside.Value, cancellationToken).ConfigureAwait(false)
            : inside.Error;
    }

    public async ValueTask<Result<FileListing>> ListAsync(FilePrincipal principal, VfsPath folder, ListOrder order, bool descending, int limit, string? cursor, CancellationToken cancellationToken)
    {
        if (limit is < 1 or > MaxPage)
        {
            return GreyError.Invalid(ErrorCodes.InvalidRequest, $"limit must be between 1 and {MaxPage}");
        }

        var offset = 0;
        if (cursor is not null && (!cursor.StartsWith("o:", StringComparison.Ordinal) || !int.TryParse(cursor.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out offset)))
        {
            return GreyError.Invalid(ErrorCodes.InvalidRequest, "the cursor is not one a listing returned");
        }

        if (await PrepareAsync(principal, folder, Access.Read, cancellationToken).ConfigureAwait(false) is { } denied)
        {
            return denied;
        }

        var at = await mounts.LocateAsync(folder, cancellationToken).ConfigureAwait(false);
        if (await at.Backend.StatAsync(at.Inner, cancellationToken).ConfigureAwait(false) is not { } self)
        {
            return NotFound(folder);
        }

        var children = await at.Backend.ListAsync(at.Inner, cancellationToken).ConfigureAwait(false);
        if (!children.IsSuccess)
        {
            return at.Outer(children.Error, folder);
        }

        // Non-admins see only what they may read at the top: /home lists their own folder only. A
        // folder reached through a share shows all its children (the share covers them).
        var throughShare = !AccessRules.Check(principal, folder, Access.Read).Allowed;
        var visible = children.Value
            .Select(at.Outer)
            .Where(c => !AccessRules.IsTrash(c.Path.Segments))
            .Where(c => throughShare || (principal.IsAdmin && principal.AppId is null) || AccessRules.Check(principal, c.Path, Access.Read).Allowed || (folder.IsRoot && principal.AppId is null))
            .ToList();
        var foldersFirst = visible.OrderBy(e => e.Kind == EntryKind.Folder ? 0 : 1);
        var sorted = order switch
        {
            ListOrder.Modified => descending ? foldersFirst.ThenByDescending(e => e.ModifiedAt) : foldersFirst.ThenBy(e => e.ModifiedAt),
            ListOrder.Size => descending ? foldersFirst.ThenByDescending(e => e.Length) : foldersFirst.ThenBy(e => e.Length),
            _ => descending ? foldersFirst.ThenByDescending(e => e.Name, StringComparer.Ordinal) : foldersFirst.ThenBy(e => e.Name, StringComparer.Ordinal),
        };
        var page = sorted.Skip(offset).Take(limit).Select(ToEntry).ToList();
        var next = offset + page.Count < visible.Count ? string.Create(CultureInfo.InvariantCulture, $"o:{offset + page.Count}") : null;
        return new FileListing(ToEntry(at.Outer(self)), page, visible.Count, next);
    }

    public async ValueTask<Result<(FileEntry Entry, Stream Content)>> OpenReadAsync(FilePrincipal principal, VfsPath path, long offset, long? length, CancellationToken cancellationToken)
    {
        if (offset < 0 || length < 0)
        {
            return GreyError.Invalid(ErrorCodes.InvalidRequest, "offset and length must not be negative");
        }

        if (await PrepareAsync(principal, path, Access.Read, cancellationToken).ConfigureAwait(false) is { } denied)
        {
            return denied;
        }

        var at = await mounts.LocateAsync(path, cancellationToken).ConfigureAwait(false);
        if (await at.Backend.StatAsync(at.Inner, cancellationToken).ConfigureAwait(false) is not { } entry)
        {
            return NotFound(path);
        }

        var opened = await at.Backend.OpenReadAsync(at.Inner, offset, length, cancellationToken).ConfigureAwait(false);
        return opened.IsSuccess ? (ToEntry(at.Outer(entry)), opened.Value) : at.Outer(opened.Error, path);
    }

    public async ValueTask<Result<FileEntry>> WriteAsync(FilePrincipal principal, VfsPath path, Stream content, WriteOptions writeOptions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(writeOptions);
        if (await PrepareWriteAsync(principal, path, cancellationToken).ConfigureAwait(false) is { } denied)
        {
            return denied;
        }

        var at = await mounts.LocateAsync(path, cancellationToken).ConfigureAwait(false);
        var existing = await at.Backend.StatAsync(at.Inner, cancellationToken).ConfigureAwait(false);
        var oldLength = existing is { Kind: EntryKind.File } ? existing.Length : 0;
        var admitted = await AdmitAsync(path, oldLength, writeOptions.ExpectedLength, writeOptions.Append, cancellationToken).ConfigureAwait(false);
        if (!admitted.IsSuccess)
        {
            return admitted.Error;
        }

        var admission = admitted.Value;
        var delta = 0L;
        long? versionId = null;
        ContentSnapshot? kept = null;
        try
        {
            // Keep the old content as a version before it is replaced (a failed write removes it again).
            var keep = options.Value.VersionsKept;
            if (existing is { Kind: EntryKind.File } && keep > 0 && !writeOptions.Append && !writeOptions.CreateOnly
                && (writeOptions.IfMatch is null || writeOptions.IfMatch == existing.ETag))
            {
                kept = await snapshots.TakeAsync(at.Backend, at.Inner, existing, options.Value.VersionCopyLimitBytes, cancellationToken).ConfigureAwait(false);
                if (kept is not null && KeepsVersion(path, admission, kept) is var (capRoot, capBytes, keeps) && keeps)
                {
                    versionId = await versions.AddAsync(path, kept, principal.UserName, keep, capRoot, capBytes, cancellationToken).ConfigureAwait(false);
                }
            }

            var limited = admission is { } a && a.MaxLength < writeOptions.MaxLength ? writeOptions with { MaxLength = a.MaxLength } : writeOptions;
            var written = await at.Backend.WriteAsync(at.Inner, content, limited, cancellationToken).ConfigureAwait(false);
            if (!written.IsSuccess)
            {
                if (versionId is { } failed)
                {
                    await versions.RemoveAsync(failed, CancellationToken.None).ConfigureAwait(false);
                }

                return written.Error.Code == ErrorCodes.ContentTooLarge && admission is { Limited: true } && admission.MaxLength < writeOptions.MaxLength
                    ? QuotaLedger.Exceeded(QuotaOwner(path), admission.Limit)
                    : at.Outer(written.Error, path);
            }

            if (versionId is { } unchanged && kept?.ETag == written.Value.ETag)
            {
                await versions.RemoveAsync(unchanged, CancellationToken.None).ConfigureAwait(false); // same bytes: nothing to keep
            }

            delta = written.Value.Length - oldLength;
            Publish(existing is null ? FileChangeKind.Created : FileChangeKind.Changed, path, null, EntryKind.File, written.Value.ETag);
            return ToEntry(at.Outer(written.Value));
        }
        finally
        {
            if (admission is not null)
            {
                await QuotaLedger.CompleteAsync(admission, delta).ConfigureAwait(false);
            }
        }
    }

    public async ValueTask<Result<FileEntry>> CreateFolderAsync(FilePrincipal principal, VfsPath path, bool parents, CancellationToken cancellationToken)
    {
        if (await PrepareWriteAsync(principal, path, cancellationToken).ConfigureAwait(false) is { } denied)
        {
            return denied;
        }

        if (!parents)
        {
            var at = await mounts.LocateAsync(path, cancellationToken).ConfigureAwait(false);
            var created = await at.Backend.CreateFolderAsync(at.Inner, cancellationToken).ConfigureAwait(false);
            if (!created.IsSuccess)
            {
                return at.Outer(created.Error, path);
            }

            Publish(FileChangeKind.Created, path, null, EntryKind.Folder, created.Value.ETag);
            return ToEntry(at.Outer(created.Value));
        }

        // mkdir -p: create what is missing from the top; existing folders are fine, a file is not.
        var current = VfsPath.Root;
        StorageEntry? last = null;
        foreach (var segment in path.Segments)
        {
            current = current.Combine(segment).Value;
            var at = await mounts.LocateAsync(current, cancellationToken).ConfigureAwait(false);
            last = await at.Backend.StatAsync(at.Inner, cancellationToken).ConfigureAwait(false) is { } found ? at.Outer(found) : null;
            if (last is { Kind: EntryKind.File })
            {
                return GreyError.Invalid(ErrorCodes.NotAFolder, $"'{current}' is a file");
            }

            if (last is null)
            {
                if (await CheckWriteAsync(principal, current, cancellationToken).ConfigureAwait(false) is { } refused)
                {
                    return refused;
                }

                var created = await at.Backend.CreateFolderAsync(at.Inner, cancellationToken).ConfigureAwait(false);
                if (!created.IsSuccess && created.Error.Code != ErrorCodes.FileExists)
                {
                    return at.Outer(created.Error, current);
                }

                if (created.IsSuccess)
                {
                    Publish(FileChangeKind.Created, current, null, EntryKind.Folder, created.Value.ETag);
                }

                last = created.IsSuccess ? at.Outer(created.Value) : await at.Backend.StatAsync(at.Inner, cancellationToken).ConfigureAwait(false) is { } raced ? at.Outer(raced) : null;
            }
        }

        return last is null ? NotFound(path) : ToEntry(last);
    }

    public ValueTask<Result<FileEntry>> MoveAsync(FilePrincipal principal, VfsPath source, VfsPath destination, bool overwrite, CancellationToken cancellationToken) =>
        TransferAsync(principal, source, destination, overwrite, move: true, cancellationToken);

    public ValueTask<Result<FileEntry>> CopyAsync(FilePrincipal principal, VfsPath source, VfsPath destination, bool overwrite, CancellationToken cancellationToken) =>
        TransferAsync(principal, source, destination, overwrite, move: false, cancellationToken);

    /// <summary>Moves the entry to its owner's trash (see <see cref="IFileRecovery"/>).</summary>
    public async ValueTask<Result<FileEntry>> DeleteAsync(FilePrincipal principal, VfsPath path, bool recursive, string? ifMatch, CancellationToken cancellationToken)
    {
        if (await PrepareWriteAsync(principal, path, cancellationToken).ConfigureAwait(false) is { } denied)
        {
            return denied;
        }

        var at = await mounts.LocateAsync(path, cancellationToken).ConfigureAwait(false);
        if (await at.Backend.StatAsync(at.Inner, cancellationToken).ConfigureAwait(false) is not { } existing)
        {
            return NotFound(path);
        }

        if (ifMatch is not null && ifMatch != existing.ETag)
        {
            return GreyError.PreconditionFailed(ErrorCodes.EtagMismatch, $"'{path}' changed since it was read (ETag differs)");
        }

        if (existing.Kind == EntryKind.Folder && !recursive)
        {
            var children = await at.Backend.ListAsync(at.Inner, cancellationToken).ConfigureAwait(false);
            if (children is { IsSuccess: true, Value.Count: > 0 })
            {
                return GreyError.Conflict(ErrorCodes.FolderNotEmpty, $"'{path}' is not empty");
            }
        }

        // The index row first: an entry in the trash folder without one would be lost from view.
        var id = "t" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var trashFolder = VfsPath.Root.Combine(AccessRules.TrashFolder).Value;
        var trashInner = trashFolder.Combine(id).Value;
        var made = await at.Backend.CreateFolderAsync(trashFolder, cancellationToken).ConfigureAwait(false);
        if (!made.IsSuccess && made.Error.Code != ErrorCodes.FileExists)
        {
            return at.Outer(made.Error, path);
        }

        var length = existing.Kind == EntryKind.File ? existing.Length : await Snapshots.MeasureAsync(at.Backend, at.Inner, cancellationToken).ConfigureAwait(false);
        var item = new TrashItem(id, path, existing.Kind, length, time.GetUtcNow(), principal.UserName, QuotaOwner(path, principal));
        var row = new TrashRow(item, at.Outer(trashInner));
        await trash.AddAsync(row, cancellationToken).ConfigureAwait(false);
        var moved = await at.Backend.MoveAsync(at.Inner, trashInner, overwrite: false, cancellationToken).ConfigureAwait(false);
        if (!moved.IsSuccess)
        {
            await trash.RemoveAsync(id, CancellationToken.None).ConfigureAwait(false);
            return at.Outer(moved.Error, path);
        }

        // Versions wait in the trash with their file; shares and links end with the delete.
        await versions.MoveAsync(path, row.TrashPath, CancellationToken.None).ConfigureAwait(false);
        await shares.DeleteAsync(path, CancellationToken.None).ConfigureAwait(false);
        await links.DeleteAsync(path, CancellationToken.None).ConfigureAwait(false);
        if (QuotaOwner(path) != item.Owner)
        {
            quota.Invalidate(QuotaOwner(path));
            quota.Invalidate(item.Owner);
        }

        Publish(FileChangeKind.Deleted, path, null, existing.Kind, null);
        return ToEntry(at.Outer(existing));
    }

    private async ValueTask<Result<FileEntry>> TransferAsync(FilePrincipal principal, VfsPath source, VfsPath destination, bool overwrite, bool move, CancellationToken cancellationToken)
    {
        var sourceDenied = move
            ? await PrepareWriteAsync(principal, source, cancellationToken).ConfigureAwait(false)
            : await PrepareAsync(principal, source, Access.Read, cancellationToken).ConfigureAwait(false);
        if (sourceDenied is not null)
        {
            return sourceDenied;
        }

        if (await PrepareWriteAsync(principal, destination, cancellationToken).ConfigureAwait(false) is { } destinationDenied)
        {
            return destinationDenied;
        }

        if (destination.IsSameOrUnder(source))
        {
            return GreyError.Invalid(ErrorCodes.InvalidPath, $"'{destination}' is inside '{source}'");
        }

        var from = await mounts.LocateAsync(source, cancellationToken).ConfigureAwait(false);
        var into = await mounts.LocateAsync(destination, cancellationToken).ConfigureAwait(false);
        if (await from.Backend.StatAsync(from.Inner, cancellationToken).ConfigureAwait(false) is not { } entry)
        {
            return NotFound(source);
        }

        var replaced = await into.Backend.StatAsync(into.Inner, cancellationToken).ConfigureAwait(false);
        var sourceOwner = QuotaOwner(source);
        var destinationOwner = QuotaOwner(destination);

        // Bytes that arrive under another quota (a copy, or a move across quota roots) are admitted first.
        QuotaLedger.Admission? admission = null;
        if (!move || sourceOwner != destinationOwner)
        {
            var size = entry.Kind == EntryKind.File ? entry.Length : await Snapshots.MeasureAsync(from.Backend, from.Inner, cancellationToken).ConfigureAwait(false);
            var admitted = await AdmitAsync(destination, replaced?.Length ?? 0, size, append: false, cancellationToken).ConfigureAwait(false);
            if (!admitted.IsSuccess)
            {
                return admitted.Error;
            }

            admission = admitted.Value;
        }

        try
        {
            Result<StorageEntry> done;
            if (ReferenceEquals(from.Backend, into.Backend))
            {
                done = move
                    ? await from.Backend.MoveAsync(from.Inner, into.Inner, overwrite, cancellationToken).ConfigureAwait(false)
                    : await from.Backend.CopyAsync(from.Inner, into.Inner, overwrite, cancellationToken).ConfigureAwait(false);
                if (!done.IsSuccess)
                {
                    return into.Outer(done.Error, destination);
                }
            }
            else
            {
                var copied = await CopyAcrossAsync(from, entry, into, overwrite, cancellationToken).ConfigureAwait(false);
                if (!copied.IsSuccess)
                {
                    return copied.Error;
                }

                if (move)
                {
                    var removed = await from.Backend.DeleteAsync(from.Inner, recursive: true, null, cancellationToken).ConfigureAwait(false);
                    if (!removed.IsSuccess)
                    {
                        return from.Outer(removed.Error, source);
                    }
                }

                done = copied;
            }

            // What was replaced takes its versions, shares and links along; a move brings the source's.
            if (replaced is not null)
            {
                await ForgetAsync(destination, CancellationToken.None).ConfigureAwait(false);
            }

            if (move)
            {
                await versions.MoveAsync(source, destination, CancellationToken.None).ConfigureAwait(false);
                await shares.MoveAsync(source, destination, CancellationToken.None).ConfigureAwait(false);
                await links.MoveAsync(source, destination, CancellationToken.None).ConfigureAwait(false);
                if (sourceOwner != destinationOwner)
                {
                    quota.Invalidate(sourceOwner);
                }
            }

            quota.Invalidate(destinationOwner);
            Publish(move ? FileChangeKind.Moved : FileChangeKind.Created, destination, move ? source : null, entry.Kind, done.Value.ETag);
            return ToEntry(into.Outer(done.Value));
        }
        finally
        {
            if (admission is not null)
            {
                await QuotaLedger.CompleteAsync(admission, 0).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Copies an entry (a folder with its subtree) from one backend to another by streaming its files.</summary>
    private static async ValueTask<Result<StorageEntry>> CopyAcrossAsync(Located from, StorageEntry entry, Located into, bool overwrite, CancellationToken cancellationToken)
    {
        if (await into.Backend.StatAsync(into.Inner, cancellationToken).ConfigureAwait(false) is { } there)
        {
            if (!overwrite)
            {
                return GreyError.Conflict(ErrorCodes.FileExists, $"'{into.Outer(into.Inner)}' already exists");
            }

            var cleared = await into.Backend.DeleteAsync(into.Inner, recursive: there.Kind == EntryKind.File, null, cancellationToken).ConfigureAwait(false);
            if (!cleared.IsSuccess)
            {
                return into.Outer(cleared.Error, into.Outer(into.Inner));
            }
        }

        var pending = new Stack<(VfsPath From, VfsPath Into, EntryKind Kind)>();
        pending.Push((from.Inner, into.Inner, entry.Kind));
        StorageEntry? top = null;
        while (pending.TryPop(out var next))
        {
            Result<StorageEntry> made;
            if (next.Kind == EntryKind.File)
            {
                var opened = await from.Backend.OpenReadAsync(next.From, 0, null, cancellationToken).ConfigureAwait(false);
                if (!opened.IsSuccess)
                {
                    return from.Outer(opened.Error, from.Outer(next.From));
                }

                await using var content = opened.Value;
                made = await into.Backend.WriteAsync(next.Into, content, new WriteOptions(CreateOnly: true), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                made = await into.Backend.CreateFolderAsync(next.Into, cancellationToken).ConfigureAwait(false);
                var children = await from.Backend.ListAsync(next.From, cancellationToken).ConfigureAwait(false);
                if (!children.IsSuccess)
                {
                    return from.Outer(children.Error, from.Outer(next.From));
                }

                foreach (var child in children.Value)
                {
                    if (next.From.IsRoot && child.Name == AccessRules.TrashFolder)
                    {
                        continue; // a mount's trash stays behind
                    }

                    pending.Push((child.Path, next.Into.Combine(child.Name).Value, child.Kind));
                }
            }

            if (!made.IsSuccess)
            {
                return into.Outer(made.Error, into.Outer(next.Into));
            }

            top ??= made.Value;
        }

        return top!;
    }

    /// <summary>
    /// Versions do not count towards a quota, but under a limited quota root they may hold at most as
    /// many bytes again as the quota (the oldest go first); a content bigger than that keeps no version.
    /// </summary>
    private static (VfsPath? CapRoot, long CapBytes, bool Keep) KeepsVersion(VfsPath path, QuotaLedger.Admission? admission, ContentSnapshot content) =>
        admission is { Limited: true } && AccessRules.QuotaRootOf(path) is { } root
            ? (root.Root, admission.Limit, content.Length <= admission.Limit)
            : (null, 0, true);

    /// <summary>Removes the versions, shares and links at or under <paramref name="path"/>.</summary>
    private async Task ForgetAsync(VfsPath path, CancellationToken cancellationToken)
    {
        await versions.DeleteAsync(path, cancellationToken).ConfigureAwait(false);
        await shares.DeleteAsync(path, cancellationToken).ConfigureAwait(false);
        await links.DeleteAsync(path, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Admits a write under the quota covering <paramref name="path"/>; null when no quota applies.</summary>
    private async ValueTask<Result<QuotaLedger.Admission?>> AdmitAsync(VfsPath path, long oldLength, long? expected, bool append, CancellationToken cancellationToken)
    {
        if (AccessRules.QuotaRootOf(path) is not { } root)
        {
            return (QuotaLedger.Admission?)null;
        }

        var admitted = await quota.AdmitAsync(root.Owner, ct => MeasureAsync(root.Root, root.Owner, ct), oldLength, expected, append, cancellationToken).ConfigureAwait(false);
        return admitted.IsSuccess ? admitted.Value : admitted.Error;
    }

    /// <summary>The bytes a quota root holds: its live files and its trash.</summary>
    private async ValueTask<long> MeasureAsync(VfsPath root, string owner, CancellationToken cancellationToken)
    {
        var at = await mounts.LocateAsync(root, cancellationToken).ConfigureAwait(false);
        var live = await Snapshots.MeasureAsync(at.Backend, at.Inner, cancellationToken).ConfigureAwait(false);
        return live + await trash.SumAsync(owner, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The owner whose quota and trash cover <paramref name="path"/> (the acting user's for paths outside every quota root).</summary>
    private static string QuotaOwner(VfsPath path, FilePrincipal? principal = null) =>
        AccessRules.QuotaRootOf(path)?.Owner ?? "user:" + (principal?.UserName ?? "");

    /// <summary>Checks write access, and that the path is not on a read-only mount.</summary>
    private async ValueTask<GreyError?> PrepareWriteAsync(FilePrincipal principal, VfsPath path, CancellationToken cancellationToken) =>
        await PrepareAsync(principal, path, Access.Write, cancellationToken).ConfigureAwait(false)
        ?? await ReadOnlyMountAsync(path, cancellationToken).ConfigureAwait(false);

    private async ValueTask<GreyError?> CheckWriteAsync(FilePrincipal principal, VfsPath path, CancellationToken cancellationToken) =>
        await authorizer.CheckAsync(principal, path, Access.Write, cancellationToken).ConfigureAwait(false)
        ?? await ReadOnlyMountAsync(path, cancellationToken).ConfigureAwait(false);

    private async ValueTask<GreyError?> ReadOnlyMountAsync(VfsPath path, CancellationToken cancellationToken) =>
        (await mounts.LocateAsync(path, cancellationToken).ConfigureAwait(false)).Mount is { ReadOnly: true } mount
            ? GreyError.Forbidden(ErrorCodes.Forbidden, $"the mount '{mount.Name}' is read-only")
            : null;

    /// <summary>Checks access, and makes sure the namespace and the caller's home folder exist.</summary>
    private async ValueTask<GreyError?> PrepareAsync(FilePrincipal principal, VfsPath path, Access access, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(principal);
        if (await authorizer.CheckAsync(principal, path, access, cancellationToken).ConfigureAwait(false) is { } denied)
        {
            return denied;
        }

        await EnsureNamespaceAsync(cancellationToken).ConfigureAwait(false);
        if (principal.AppId is null && VfsPath.Parse($"/{AccessRules.Home}/{principal.UserName}") is { IsSuccess: true } home && path.IsSameOrUnder(home.Value))
        {
            await EnsureFolderAsync(home.Value, cancellationToken).ConfigureAwait(false);
        }
        else if (principal.AppId is { } app && VfsPath.Parse($"/{AccessRules.Apps}/{app}/data") is { IsSuccess: true } data && path.IsSameOrUnder(data.Value))
        {
            await EnsureFolderAsync(data.Value.Parent, cancellationToken).ConfigureAwait(false);
            await EnsureFolderAsync(data.Value, cancellationToken).ConfigureAwait(false);
        }

        return null;
    }

    private async Task EnsureNamespaceAsync(CancellationToken cancellationToken)
    {
        if (_namespaceReady)
        {
            return;
        }

        await _namespace.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var name in AccessRules.TopLevel)
            {
                await EnsureFolderAsync(VfsPath.Root.Combine(name).Value, cancellationToken).ConfigureAwait(false);
            }

            _namespaceReady = true;
        }
        finally
        {
            _namespace.Release();
        }
    }

    private async Task EnsureFolderAsync(VfsPath path, CancellationToken cancellationToken)
    {
        if (_ensured.ContainsKey(path))
        {
            return;
        }

        var root = mounts.Root;
        if (await root.StatAsync(path, cancellationToken).ConfigureAwait(false) is null)
        {
            var created = await root.CreateFolderAsync(path, cancellationToken).ConfigureAwait(false);
            if (!created.IsSuccess && created.Error.Code != ErrorCodes.FileExists)
            {
                throw new InvalidOperationException($"cannot create the namespace folder '{path}': {created.Error.Message}");
            }
        }

        _ensured.TryAdd(path, true);
    }

    private void Publish(FileChangeKind kind, VfsPath path, VfsPath? oldPath, EntryKind entryKind, string? etag)
    {
        if (changes.HasWatchers)
        {
            changes.Publish(new FileChange(kind, path, oldPath, entryKind, etag, time.GetUtcNow()));
        }
    }

    public void Dispose() => _namespace.Dispose();

    private static FileEntry ToEntry(StorageEntry e) =>
        new(e.Path, e.Kind, e.Length, e.ETag, e.Kind == EntryKind.File ? MimeTypes.Of(e.Name) : null, e.CreatedAt, e.ModifiedAt);

    private static GreyError NotFound(VfsPath path) => GreyError.NotFound(ErrorCodes.FileNotFound, $"no '{path}'");
}
