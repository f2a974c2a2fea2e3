using GreyOS.Abstractions.Errors;

namespace GreyOS.Abstractions.FileSystem;

/// <summary>What an entry is.</summary>
public enum EntryKind
{
    File,
    Folder,
}

/// <summary>An entry as a backend stores it. <see cref="Path"/> is relative to the backend's root.</summary>
/// <remarks>
/// <c>ETag</c>: the content identity of a file (changes whenever its bytes change; equal bytes may
/// share it); for a folder, a value that changes when the folder is created anew.
/// </remarks>
public sealed record StorageEntry(VfsPath Path, EntryKind Kind, long Length, string ETag, DateTimeOffset CreatedAt, DateTimeOffset ModifiedAt)
{
    /// <summary>The entry's name (last path segment).</summary>
    public string Name => Path.Name;
}

/// <summary>How a write may proceed.</summary>
/// <param name="IfMatch">Replace only if the current file has this ETag (optimistic concurrency).</param>
/// <param name="CreateOnly">Fail with <c>file_exists</c> if anything exists at the path.</param>
/// <param name="ExpectedLength">The declared length: fewer or more bytes fail the write (nothing changes).</param>
/// <param name="MaxLength">The most bytes accepted (quota, limits); more fail the write (nothing changes).</param>
/// <param name="Append">Append to the current content instead of replacing it (still atomic).</param>
public sealed record WriteOptions(string? IfMatch = null, bool CreateOnly = false, long? ExpectedLength = null, long MaxLength = long.MaxValue, bool Append = false);

/// <summary>
/// A storage backend: one tree of folders and files behind a mount. Paths are relative to the
/// backend's root and already validated (<see cref="VfsPath"/>); permissions, quotas, versions and
/// trash are the VFS's business, not the backend's. Every mutation is atomic: it happens entirely or
/// not at all, also across a crash of the node. Expected failures are values with these codes:
/// <c>file_not_found</c> (or a missing parent), <c>file_exists</c>, <c>not_a_folder</c>,
/// <c>not_a_file</c>, <c>folder_not_empty</c>, <c>etag_mismatch</c>, <c>content_too_large</c>,
/// <c>content_length_mismatch</c>, <c>invalid_path</c> (e.g. a folder moved into itself).
/// </summary>
public interface IStorageBackend
{
    /// <summary>The backend's kind: <c>memory</c>, <c>sqlite</c>, <c>local</c> …</summary>
    string Kind { get; }

    /// <summary>The entry at <paramref name="path"/>, or null.</summary>
    ValueTask<StorageEntry?> StatAsync(VfsPath path, CancellationToken cancellationToken);

    /// <summary>The direct children of a folder, in no particular order.</summary>
    ValueTask<Result<IReadOnlyList<StorageEntry>>> ListAsync(VfsPath folder, CancellationToken cancellationToken);

    /// <summary>A read-only stream over the file's bytes from <paramref name="offset"/> (at most <paramref name="length"/> bytes).</summary>
    ValueTask<Result<Stream>> OpenReadAsync(VfsPath path, long offset, long? length, CancellationToken cancellationToken);

    /// <summary>Writes a whole file (or appends) from a stream; the parent folder must exist.</summary>
    ValueTask<Result<StorageEntry>> WriteAsync(VfsPath path, Stream content, WriteOptions options, CancellationToken cancellationToken);

    /// <summary>Creates one folder; the parent must exist.</summary>
    ValueTask<Result<StorageEntry>> CreateFolderAsync(VfsPath path, CancellationToken cancellationToken);

    /// <summary>Moves or renames a file or a folder (with its subtree).</summary>
    ValueTask<Result<StorageEntry>> MoveAsync(VfsPath source, VfsPath destination, bool overwrite, CancellationToken cancellationToken);

    /// <summary>Copies a file or a folder (with its subtree).</summary>
    ValueTask<Result<StorageEntry>> CopyAsync(VfsPath source, VfsPath destination, bool overwrite, CancellationToken cancellationToken);

    /// <summary>Deletes a file, or a folder (non-empty ones only when <paramref name="recursive"/>).</summary>
    ValueTask<Result<StorageEntry>> DeleteAsync(VfsPath path, bool recursive, string? ifMatch, CancellationToken cancellationToken);
}
