using GreyOS.Abstractions.Errors;

namespace GreyOS.Abstractions.FileSystem;

/// <summary>An earlier content of a file, kept when the file was replaced.</summary>
/// <param name="Id">The version's id (stable, unique on the node).</param>
/// <param name="Path">The file the version belongs to (follows moves and renames).</param>
/// <param name="Length">Bytes.</param>
/// <param name="ETag">The content's ETag (as the file had it then).</param>
/// <param name="ModifiedAt">When that content was written.</param>
/// <param name="SavedAt">When it was replaced (and kept as this version).</param>
/// <param name="SavedBy">The user whose write replaced it.</param>
public sealed record FileVersion(long Id, VfsPath Path, long Length, string ETag, DateTimeOffset ModifiedAt, DateTimeOffset SavedAt, string SavedBy);

/// <summary>A deleted file or folder waiting in its owner's trash.</summary>
/// <param name="Id">The trash item's id.</param>
/// <param name="OriginalPath">Where it was.</param>
/// <param name="Kind">File or folder (with everything that was in it).</param>
/// <param name="Length">Bytes (all files, for a folder).</param>
/// <param name="DeletedAt">When it was deleted.</param>
/// <param name="DeletedBy">The user who deleted it.</param>
/// <param name="Owner">Whose trash holds it: <c>user:&lt;name&gt;</c> (a home), <c>shared</c>, <c>app:&lt;id&gt;</c> or <c>mount:&lt;name&gt;</c>.</param>
public sealed record TrashItem(string Id, VfsPath OriginalPath, EntryKind Kind, long Length, DateTimeOffset DeletedAt, string DeletedBy, string Owner);

/// <summary>How much of a quota is used.</summary>
/// <param name="Root">The folder the quota covers (e.g. <c>/home/alice</c>).</param>
/// <param name="UsedBytes">Live files plus trash.</param>
/// <param name="TrashBytes">The part of <paramref name="UsedBytes"/> in the trash.</param>
/// <param name="QuotaBytes">The limit; 0 when unlimited.</param>
public sealed record QuotaUsage(VfsPath Root, long UsedBytes, long TrashBytes, long QuotaBytes);

/// <summary>What changed in the file system (published after the change is durable).</summary>
public enum FileChangeKind
{
    Created,
    Changed,
    Deleted,
    Moved,

    /// <summary>The watcher fell too far behind and missed changes; the watch ends: list again, then watch again.</summary>
    Overflow,
}

/// <summary>A change to an entry, for watchers.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Path">The entry (its new path for a move).</param>
/// <param name="OldPath">The path it had before a move; null otherwise.</param>
/// <param name="EntryKind">File or folder.</param>
/// <param name="ETag">The new ETag (null after a delete).</param>
/// <param name="At">When.</param>
public sealed record FileChange(FileChangeKind Kind, VfsPath Path, VfsPath? OldPath, EntryKind EntryKind, string? ETag, DateTimeOffset At);

/// <summary>
/// Keeping and recovering files (docs/design/0004-vfs.md): versions (the last N contents of each
/// file), the trash (delete moves there; restore or purge), quotas, name search and change
/// watching. Every call is checked for its principal like the rest of <see cref="IFileSystem"/>.
/// </summary>
public interface IFileRecovery
{
    /// <summary>The kept versions of a file, newest first.</summary>
    ValueTask<Result<IReadOnlyList<FileVersion>>> ListVersionsAsync(FilePrincipal principal, VfsPath path, CancellationToken cancellationToken);

    /// <summary>Makes a kept version the file's content again (the current content becomes a version).</summary>
    ValueTask<Result<FileEntry>> RestoreVersionAsync(FilePrincipal principal, VfsPath path, long versionId, string? ifMatch, CancellationToken cancellationToken);

    /// <summary>The caller's trash (or, for an administrator with <paramref name="all"/>, every trash), newest first.</summary>
    ValueTask<Result<IReadOnlyList<TrashItem>>> ListTrashAsync(FilePrincipal principal, bool all, CancellationToken cancellationToken);

    /// <summary>Puts a trash item back where it was, or at <paramref name="destination"/>.</summary>
    ValueTask<Result<FileEntry>> RestoreFromTrashAsync(FilePrincipal principal, string trashId, VfsPath? destination, CancellationToken cancellationToken);

    /// <summary>Deletes a trash item for good.</summary>
    ValueTask<Result<TrashItem>> PurgeAsync(FilePrincipal principal, string trashId, CancellationToken cancellationToken);

    /// <summary>Deletes everything in the caller's trash for good; returns how many items went.</summary>
    ValueTask<Result<int>> EmptyTrashAsync(FilePrincipal principal, CancellationToken cancellationToken);

    /// <summary>Deletes a file or folder without the trash (its versions and shares go too).</summary>
    ValueTask<Result<FileEntry>> DeleteForeverAsync(FilePrincipal principal, VfsPath path, bool recursive, string? ifMatch, CancellationToken cancellationToken);

    /// <summary>The quota covering <paramref name="path"/> (e.g. a home folder) and its use.</summary>
    ValueTask<Result<QuotaUsage>> QuotaAsync(FilePrincipal principal, VfsPath path, CancellationToken cancellationToken);

    /// <summary>Entries under <paramref name="folder"/> whose name contains <paramref name="query"/> (case-insensitive), at most <paramref name="limit"/>.</summary>
    ValueTask<Result<IReadOnlyList<FileEntry>>> SearchAsync(FilePrincipal principal, VfsPath folder, string query, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Changes under <paramref name="folder"/> the principal may read, as they happen, until
    /// <paramref name="cancellationToken"/> ends the watch. A watcher that falls too far behind gets
    /// one <see cref="FileChangeKind.Overflow"/> change and the watch ends: list again, then watch again.
    /// </summary>
    ValueTask<Result<IAsyncEnumerable<FileChange>>> WatchAsync(FilePrincipal principal, VfsPath folder, CancellationToken cancellationToken);
}
