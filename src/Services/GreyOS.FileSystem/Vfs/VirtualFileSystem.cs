using System.Globalization;
using GreyOS.Abstractions.Errors;
using GreyOS.Abstractions.FileSystem;

namespace GreyOS.FileSystem.Vfs;

/// <summary>
/// The VFS over one root backend (mounts of other backends under <c>/mnt</c> come with the next
/// increment): checks every call against <see cref="AccessRules"/>, creates the namespace and each
/// user's home folder on first use, sorts and pages listings, and adds MIME types.
/// </summary>
internal sealed class VirtualFileSystem(IStorageBackend root) : IFileSystem, IDisposable
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

        return await root.StatAsync(path, cancellationToken).ConfigureAwait(false) is { } entry ? ToEntry(entry) : NotFound(path);
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

        if (await root.StatAsync(folder, cancellationToken).ConfigureAwait(false) is not { } self)
        {
            return NotFound(folder);
        }

        var children = await root.ListAsync(folder, cancellationToken).ConfigureAwait(false);
        if (!children.IsSuccess)
        {
            return children.Error;
        }

        // Non-admins see only what they may read at the top: /home lists their own folder only.
        var visible = principal.IsAdmin && principal.AppId is null
            ? children.Value
            : children.Value.Where(c => AccessRules.Check(principal, c.Path, Access.Read) is null || (folder.IsRoot && principal.AppId is null)).ToList();
        var foldersFirst = visible.OrderBy(e => e.Kind == EntryKind.Folder ? 0 : 1);
        var sorted = order switch
        {
            ListOrder.Modified => descending ? foldersFirst.ThenByDescending(e => e.ModifiedAt) : foldersFirst.ThenBy(e => e.ModifiedAt),
            ListOrder.Size => descending ? foldersFirst.ThenByDescending(e => e.Length) : foldersFirst.ThenBy(e => e.Length),
            _ => descending ? foldersFirst.ThenByDescending(e => e.Name, StringComparer.Ordinal) : foldersFirst.ThenBy(e => e.Name, StringComparer.Ordinal),
        };
        var page = sorted.Skip(offset).Take(limit).Select(ToEntry).ToList();
        var next = offset + page.Count < visible.Count ? string.Create(CultureInfo.InvariantCulture, $"o:{offset + page.Count}") : null;
        return new FileListing(ToEntry(self), page, visible.Count, next);
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

        if (await root.StatAsync(path, cancellationToken).ConfigureAwait(false) is not { } entry)
        {
            return NotFound(path);
        }

        var opened = await root.OpenReadAsync(path, offset, length, cancellationToken).ConfigureAwait(false);
        return opened.IsSuccess ? (ToEntry(entry), opened.Value) : opened.Error;
    }

    public async ValueTask<Result<FileEntry>> WriteAsync(FilePrincipal principal, VfsPath path, Stream content, WriteOptions options, CancellationToken cancellationToken)
    {
        if (await PrepareAsync(principal, path, Access.Write, cancellationToken).ConfigureAwait(false) is { } denied)
        {
            return denied;
        }

        var written = await root.WriteAsync(path, content, options, cancellationToken).ConfigureAwait(false);
        return written.IsSuccess ? ToEntry(written.Value) : written.Error;
    }

    public async ValueTask<Result<FileEntry>> CreateFolderAsync(FilePrincipal principal, VfsPath path, bool parents, CancellationToken cancellationToken)
    {
        if (await PrepareAsync(principal, path, Access.Write, cancellationToken).ConfigureAwait(false) is { } denied)
        {
            return denied;
        }

        if (!parents)
        {
            var created = await root.CreateFolderAsync(path, cancellationToken).ConfigureAwait(false);
            return created.IsSuccess ? ToEntry(created.Value) : created.Error;
        }

        // mkdir -p: create what is missing from the top; existing folders are fine, a file is not.
        var current = VfsPath.Root;
        StorageEntry? last = null;
        foreach (var segment in path.Segments)
        {
            current = current.Combine(segment).Value;
            last = await root.StatAsync(current, cancellationToken).ConfigureAwait(false);
            if (last is { Kind: EntryKind.File })
            {
                return GreyError.Invalid(ErrorCodes.NotAFolder, $"'{current}' is a file");
            }

            if (last is null)
            {
                if (AccessRules.Check(principal, current, Access.Write) is { } refused)
                {
                    return refused;
                }

                var created = await root.CreateFolderAsync(current, cancellationToken).ConfigureAwait(false);
                if (!created.IsSuccess && created.Error.Code != ErrorCodes.FileExists)
                {
                    return created.Error;
                }

                last = created.IsSuccess ? created.Value : await root.StatAsync(current, cancellationToken).ConfigureAwait(false);
            }
        }

        return last is null ? NotFound(path) : ToEntry(last);
    }

    public ValueTask<Result<FileEntry>> MoveAsync(FilePrincipal principal, VfsPath source, VfsPath destination, bool overwrite, CancellationToken cancellationToken) =>
        TransferAsync(principal, source, destination, overwrite, move: true, cancellationToken);

    public ValueTask<Result<FileEntry>> CopyAsync(FilePrincipal principal, VfsPath source, VfsPath destination, bool overwrite, CancellationToken cancellationToken) =>
        TransferAsync(principal, source, destination, overwrite, move: false, cancellationToken);

    public async ValueTask<Result<FileEntry>> DeleteAsync(FilePrincipal principal, VfsPath path, bool recursive, string? ifMatch, CancellationToken cancellationToken)
    {
        if (await PrepareAsync(principal, path, Access.Write, cancellationToken).ConfigureAwait(false) is { } denied)
        {
            return denied;
        }

        var deleted = await root.DeleteAsync(path, recursive, ifMatch, cancellationToken).ConfigureAwait(false);
        return deleted.IsSuccess ? ToEntry(deleted.Value) : deleted.Error;
    }

    private async ValueTask<Result<FileEntry>> TransferAsync(FilePrincipal principal, VfsPath source, VfsPath destination, bool overwrite, bool move, CancellationToken cancellationToken)
    {
        if (await PrepareAsync(principal, source, move ? Access.Write : Access.Read, cancellationToken).ConfigureAwait(false) is { } sourceDenied)
        {
            return sourceDenied;
        }

        if (await PrepareAsync(principal, destination, Access.Write, cancellationToken).ConfigureAwait(false) is { } destinationDenied)
        {
            return destinationDenied;
        }

        var done = move
            ? await root.MoveAsync(source, destination, overwrite, cancellationToken).ConfigureAwait(false)
            : await root.CopyAsync(source, destination, overwrite, cancellationToken).ConfigureAwait(false);
        return done.IsSuccess ? ToEntry(done.Value) : done.Error;
    }

    /// <summary>Checks access, and makes sure the namespace and the caller's home folder exist.</summary>
    private async ValueTask<GreyError?> PrepareAsync(FilePrincipal principal, VfsPath path, Access access, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(principal);
        if (AccessRules.Check(principal, path, access) is { } denied)
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

    public void Dispose() => _namespace.Dispose();

    private static FileEntry ToEntry(StorageEntry e) =>
        new(e.Path, e.Kind, e.Length, e.ETag, e.Kind == EntryKind.File ? MimeTypes.Of(e.Name) : null, e.CreatedAt, e.ModifiedAt);

    private static GreyError NotFound(VfsPath path) => GreyError.NotFound(ErrorCodes.FileNotFound, $"no '{path}'");
}
