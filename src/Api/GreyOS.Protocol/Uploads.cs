namespace GreyOS.Protocol;

/// <summary>
/// <c>POST /api/v1/fs/uploads</c>: starts a resumable upload of <c>Length</c> bytes to <c>Path</c>.
/// <c>IfMatch</c>: replace only that version; <c>CreateOnly</c>: only if nothing exists there (both
/// checked now and when the last byte arrives).
/// </summary>
public sealed record CreateUploadRequest(string Path, long Length, string? IfMatch = null, bool CreateOnly = false);

/// <summary>
/// A resumable upload. <c>Offset</c>: the bytes the node holds durably (send the next part from
/// there, <c>PATCH Url</c> with <c>Upload-Offset</c>); <c>Complete</c> once the file is written, then
/// <c>File</c> is the written file (null before).
/// </summary>
public sealed record UploadResponse(
    string Id,
    string Url,
    string Path,
    long Length,
    long Offset,
    bool Complete,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    FileEntryResponse? File);

/// <summary><c>GET /api/v1/fs/uploads</c>: the caller's uploads (open and recently completed), newest first.</summary>
public sealed record UploadListResponse(IReadOnlyList<UploadResponse> Uploads);

/// <summary><c>POST /api/v1/fs/gc</c>: what a garbage collection of the content store did.</summary>
public sealed record ContentGcResponse(long Scanned, long Marked, long Swept, long SweptBytes, long KeptByGrace, double DurationMs);
