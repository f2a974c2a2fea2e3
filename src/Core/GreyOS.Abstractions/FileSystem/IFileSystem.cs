using GreyOS.Abstractions.Errors;

namespace GreyOS.Abstractions.FileSystem;

/// <summary>Who is asking the file system: a user, and the app when an app asks on their behalf.</summary>
/// <param name="UserId">The user (<c>usr_…</c>).</param>
/// <param name="UserName">The user's name (their home folder is <c>/home/&lt;name&gt;</c>).</param>
/// <param name="IsAdmin">Holds the <c>fs.admin</c> (or <c>*</c>) permission: may access every path.</param>
/// <param name="AppId">The app acting for the user, or null for the user directly.</param>
public sealed record FilePrincipal(string UserId, string UserName, bool IsAdmin, string? AppId = null);

/// <summary>A file or folder as the VFS shows it.</summary>
/// <param name="Path">The full VFS path.</param>
/// <param name="Kind">File or folder.</param>
/// <param name="Length">Bytes (0 for folders).</param>
/// <param name="ETag">Quoted entity tag: changes whenever the content changes.</param>
/// <param name="MimeType">Guessed from the name for files; null for folders.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="ModifiedAt">When its content last changed.</param>
public sealed record FileEntry(VfsPath Path, EntryKind Kind, long Length, string ETag, string? MimeType, DateTimeOffset CreatedAt, DateTimeOffset ModifiedAt)
{
    /// <summary>The last path segment.</summary>
    public string Name => Path.Name;
}

/// <summary>How a listing is sorted.</summary>
public enum ListOrder
{
    Name,
    Modified,
    Size,
}

/// <summary>A page of a folder listing; <see cref="NextCursor"/> continues it.</summary>
/// <param name="Folder">The folder listed.</param>
/// <param name="Entries">This page, sorted (folders first, then by the order asked).</param>
/// <param name="Total">Entries in the folder.</param>
/// <param name="NextCursor">Pass to get the next page; null on the last.</param>
public sealed record FileListing(FileEntry Folder, IReadOnlyList<FileEntry> Entries, int Total, string? NextCursor);

/// <summary>
/// The virtual file system as users and apps see it (docs/design/0004-vfs.md): one namespace
/// (<c>/home/&lt;user&gt;</c>, <c>/shared</c>, <c>/apps/&lt;app&gt;/data</c>, read-only <c>/system</c>)
/// over mounted backends, every call checked for its principal. Failures are values with stable
/// codes (<c>invalid_path</c>, <c>file_not_found</c>, <c>forbidden</c>, <c>file_exists</c>,
/// <c>etag_mismatch</c>, <c>content_too_large</c>, <c>quota_exceeded</c> …).
/// </summary>
public interface IFileSystem
{
    ValueTask<Result<FileEntry>> StatAsync(FilePrincipal principal, VfsPath path, CancellationToken cancellationToken);

    /// <summary>
    /// Null when <paramref name="principal"/> may read <paramref name="folder"/> and, with
    /// <paramref name="write"/>, create and change entries inside it (by the rules and shares that
    /// apply there, and the mount's mode); else the error the first such call would get. Changes nothing.
    /// </summary>
    ValueTask<GreyError?> CheckAccessAsync(FilePrincipal principal, VfsPath folder, bool write, CancellationToken cancellationToken);

    /// <summary>A page of a folder (at most 10,000 entries per page).</summary>
    ValueTask<Result<FileListing>> ListAsync(FilePrincipal principal, VfsPath folder, ListOrder order, bool descending, int limit, string? cursor, CancellationToken cancellationToken);

    /// <summary>The file's entry and a stream over <paramref name="offset"/>..+<paramref name="length"/>.</summary>
    ValueTask<Result<(FileEntry Entry, Stream Content)>> OpenReadAsync(FilePrincipal principal, VfsPath path, long offset, long? length, CancellationToken cancellationToken);

    /// <summary>Writes (atomically replaces, or appends to) a file; quota checked before and while bytes arrive.</summary>
    ValueTask<Result<FileEntry>> WriteAsync(FilePrincipal principal, VfsPath path, Stream content, WriteOptions options, CancellationToken cancellationToken);

    /// <summary>Creates a folder, and its missing parents when <paramref name="parents"/> (<c>mkdir -p</c>).</summary>
    ValueTask<Result<FileEntry>> CreateFolderAsync(FilePrincipal principal, VfsPath path, bool parents, CancellationToken cancellationToken);

    ValueTask<Result<FileEntry>> MoveAsync(FilePrincipal principal, VfsPath source, VfsPath destination, bool overwrite, CancellationToken cancellationToken);

    ValueTask<Result<FileEntry>> CopyAsync(FilePrincipal principal, VfsPath source, VfsPath destination, bool overwrite, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes a file, or a folder (non-empty ones only when <paramref name="recursive"/>), by moving it
    /// to its owner's trash (<see cref="IFileRecovery"/> restores or purges it).
    /// </summary>
    ValueTask<Result<FileEntry>> DeleteAsync(FilePrincipal principal, VfsPath path, bool recursive, string? ifMatch, CancellationToken cancellationToken);
}
