using GreyOS.Abstractions.Errors;

namespace GreyOS.Abstractions.FileSystem;

/// <summary>What a resumable upload will write when its last byte arrives.</summary>
/// <param name="Path">The file to write (its parent folder must exist at commit).</param>
/// <param name="Length">The declared total length in bytes.</param>
/// <param name="IfMatch">Replace only this version of the file (checked at creation and at commit).</param>
/// <param name="CreateOnly">Only if nothing exists at the path (checked at creation and at commit).</param>
public sealed record UploadRequest(VfsPath Path, long Length, string? IfMatch = null, bool CreateOnly = false);

/// <summary>The state of a resumable upload.</summary>
/// <param name="Id">The upload's id (<c>upl_…</c>).</param>
/// <param name="UserId">The user who created it: only they can see or touch it.</param>
/// <param name="Path">The file it writes.</param>
/// <param name="Length">The declared total length.</param>
/// <param name="Offset">How many bytes the node holds durably (the next part starts here).</param>
/// <param name="IfMatch">The ETag precondition, if any.</param>
/// <param name="CreateOnly">The create-only precondition.</param>
/// <param name="CreatedAt">When it was created.</param>
/// <param name="ExpiresAt">When it is dropped unless a part arrives (each part moves this on).</param>
/// <param name="Committed">The written file once the upload completed; null while it is open.</param>
public sealed record UploadState(
    string Id,
    string UserId,
    VfsPath Path,
    long Length,
    long Offset,
    string? IfMatch,
    bool CreateOnly,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    FileEntry? Committed)
{
    /// <summary>True once the file is written (then <see cref="Committed"/> tells which version).</summary>
    public bool IsComplete => Committed is not null;
}

/// <summary>
/// Resumable uploads of large files (docs/design/0004-vfs.md, "Resumable uploads"; after the IETF
/// httpbis draft "Resumable Uploads for HTTP"): create an upload for a path with its total length,
/// append parts at an explicit offset (each acknowledged part is on disk and survives a crash), ask
/// for the offset after a failure, cancel; when the last byte arrives the content is written to the
/// VFS atomically with the preconditions given at creation. Only the creating user sees an upload
/// (<c>upload_not_found</c> for everyone else). Failures are values with these codes:
/// <c>upload_not_found</c>, <c>upload_offset_mismatch</c>, <c>upload_incomplete</c>,
/// <c>upload_busy</c>, <c>too_many_uploads</c>, <c>content_too_large</c>, and the VFS's own
/// (<c>forbidden</c>, <c>etag_mismatch</c>, <c>file_exists</c>, <c>file_not_found</c> …) at creation or commit.
/// </summary>
public interface IResumableUploads
{
    /// <summary>The largest upload accepted (bytes).</summary>
    long MaxLength { get; }

    /// <summary>Creates an upload; access and preconditions are checked now and again at commit.</summary>
    ValueTask<Result<UploadState>> CreateAsync(FilePrincipal principal, UploadRequest request, CancellationToken cancellationToken);

    /// <summary>The upload's state (its offset: where to resume).</summary>
    ValueTask<Result<UploadState>> GetAsync(FilePrincipal principal, string id, CancellationToken cancellationToken);

    /// <summary>
    /// Appends the bytes of <paramref name="content"/> at <paramref name="offset"/>, which must be the
    /// upload's offset (<c>upload_offset_mismatch</c> otherwise). The bytes are streamed to disk and
    /// flushed before the new offset is acknowledged; bytes past the declared length refuse the whole
    /// part (<c>content_too_large</c>). When the last byte arrives the file is written (the returned
    /// state has <see cref="UploadState.Committed"/>). If reading <paramref name="content"/> fails,
    /// the bytes that did arrive are kept (the offset moves on) and the exception propagates.
    /// </summary>
    ValueTask<Result<UploadState>> AppendAsync(FilePrincipal principal, string id, long offset, Stream content, long? contentLength, CancellationToken cancellationToken);

    /// <summary>Writes the file if every byte has arrived (<c>upload_incomplete</c> otherwise); repeating it after success returns the same state.</summary>
    ValueTask<Result<UploadState>> CompleteAsync(FilePrincipal principal, string id, CancellationToken cancellationToken);

    /// <summary>Drops the upload and its staged bytes.</summary>
    ValueTask<Result<UploadState>> CancelAsync(FilePrincipal principal, string id, CancellationToken cancellationToken);

    /// <summary>The caller's uploads (open and recently completed), newest first.</summary>
    ValueTask<IReadOnlyList<UploadState>> ListAsync(FilePrincipal principal, CancellationToken cancellationToken);

    /// <summary>Drops every expired upload (staged file and record); returns how many.</summary>
    ValueTask<int> SweepExpiredAsync(CancellationToken cancellationToken);
}
