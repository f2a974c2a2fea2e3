using GreyOS.Abstractions.Errors;
using GreyOS.Abstractions.FileSystem;

namespace GreyOS.FileSystem.Backends;

/// <summary>
/// A file's stored content as the VFS keeps it for versions: the bytes themselves (up to 64 KiB,
/// <see cref="Inline"/>) or a chunk list in the content store (<see cref="Chunks"/>, encoded as
/// <see cref="Content.ChunkList"/>). Exactly one of the two is set.
/// </summary>
internal sealed record ContentSnapshot(long Length, string ETag, DateTimeOffset ModifiedAt, byte[]? Inline, byte[]? Chunks);

/// <summary>
/// A backend whose content already lives in the content store (<c>sqlite</c>): versions are kept
/// and restored by reference, without copying bytes, and a folder's size is one query. Other
/// backends get the same from the VFS by streaming (<see cref="Vfs.Snapshots"/>).
/// </summary>
internal interface IContentAwareBackend : IStorageBackend
{
    /// <summary>The file's current content by reference, or null when there is no file at <paramref name="path"/>.</summary>
    ValueTask<ContentSnapshot?> SnapshotAsync(VfsPath path, CancellationToken cancellationToken);

    /// <summary>Makes <paramref name="content"/> the file's content (creating it if missing), atomically, checking <paramref name="ifMatch"/>.</summary>
    ValueTask<Result<StorageEntry>> RestoreAsync(VfsPath path, ContentSnapshot content, string? ifMatch, CancellationToken cancellationToken);

    /// <summary>The bytes of all files at or under <paramref name="path"/> (0 when missing).</summary>
    ValueTask<long> MeasureAsync(VfsPath path, CancellationToken cancellationToken);
}
