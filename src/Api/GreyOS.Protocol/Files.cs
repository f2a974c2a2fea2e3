namespace GreyOS.Protocol;

/// <summary>A file or folder. <c>Kind</c>: <c>file</c> or <c>folder</c>; <c>ETag</c> is quoted, as in HTTP.</summary>
public sealed record FileEntryResponse(string Path, string Name, string Kind, long Length, string ETag, string? MimeType, DateTimeOffset CreatedAt, DateTimeOffset ModifiedAt);

/// <summary>A page of a folder: <c>GET /api/v1/fs/list/{path}</c>; pass <c>NextCursor</c> as <c>cursor</c> for the next page.</summary>
public sealed record FileListingResponse(FileEntryResponse Folder, IReadOnlyList<FileEntryResponse> Entries, int Total, string? NextCursor);

/// <summary><c>POST /api/v1/fs/move</c> and <c>/copy</c>.</summary>
public sealed record FileTransferRequest(string Source, string Destination, bool Overwrite = false);
