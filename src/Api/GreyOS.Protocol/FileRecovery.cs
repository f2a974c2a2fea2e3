namespace GreyOS.Protocol;

/// <summary>A kept earlier content of a file: <c>GET /api/v1/fs/versions/{path}</c>.</summary>
public sealed record FileVersionResponse(long Id, string Path, long Length, string ETag, DateTimeOffset ModifiedAt, DateTimeOffset SavedAt, string SavedBy);

/// <summary>The versions of a file, newest first.</summary>
public sealed record FileVersionListResponse(IReadOnlyList<FileVersionResponse> Versions);

/// <summary><c>POST /api/v1/fs/versions/restore</c>: make version <c>Version</c> of <c>Path</c> its content again (<c>IfMatch</c>: only if the file is still this ETag).</summary>
public sealed record RestoreVersionRequest(string Path, long Version, string? IfMatch = null);

/// <summary>A deleted entry in a trash. <c>Owner</c>: <c>user:&lt;name&gt;</c>, <c>shared</c>, <c>app:&lt;id&gt;</c> or <c>mount:&lt;name&gt;</c>.</summary>
public sealed record TrashItemResponse(string Id, string OriginalPath, string Kind, long Length, DateTimeOffset DeletedAt, string DeletedBy, string Owner);

/// <summary>The caller's trash (<c>GET /api/v1/fs/trash</c>), newest first.</summary>
public sealed record TrashListResponse(IReadOnlyList<TrashItemResponse> Items);

/// <summary><c>POST /api/v1/fs/trash/{id}/restore</c>: where to put it (default: where it was).</summary>
public sealed record RestoreTrashRequest(string? Destination = null);

/// <summary><c>DELETE /api/v1/fs/trash</c>: how many items were purged.</summary>
public sealed record EmptyTrashResponse(int Purged);

/// <summary>A quota and its use (<c>GET /api/v1/fs/quota/{path}</c>); <c>QuotaBytes</c> 0 means unlimited.</summary>
public sealed record QuotaResponse(string Root, long UsedBytes, long TrashBytes, long QuotaBytes);

/// <summary>Name search results (<c>GET /api/v1/fs/search/{folder}?q=…</c>).</summary>
public sealed record FileSearchResponse(IReadOnlyList<FileEntryResponse> Entries);

/// <summary>One change seen by a watch (<c>GET /api/v1/fs/watch/{folder}</c>, server-sent events). <c>Kind</c>: created, changed, deleted, moved, overflow.</summary>
public sealed record FileChangeEvent(string Kind, string Path, string? OldPath, string EntryKind, string? ETag, DateTimeOffset At);

/// <summary>A share of a path. <c>Kind</c>: user, group or app; <c>Rights</c>: read, write, share.</summary>
public sealed record ShareResponse(string Path, string Kind, string Id, string Name, IReadOnlyList<string> Rights, string GrantedBy, DateTimeOffset GrantedAt);

/// <summary>Shares on a path, or shared with the caller.</summary>
public sealed record ShareListResponse(IReadOnlyList<ShareResponse> Shares);

/// <summary><c>PUT /api/v1/fs/shares/{path}</c>: share with a user or group (by name) or an app (by id).</summary>
public sealed record ShareRequest(string Kind, string Name, IReadOnlyList<string> Rights);

/// <summary><c>POST /api/v1/fs/links</c>: a public read-only link; optional expiry and password.</summary>
public sealed record CreateLinkRequest(string Path, DateTimeOffset? ExpiresAt = null, string? Password = null);

/// <summary>A public link (its token is never shown again after creation).</summary>
public sealed record LinkResponse(string Id, string Path, string CreatedBy, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, bool HasPassword, long Downloads);

/// <summary>A new link: <c>Url</c> (relative to the node) opens it; <c>Token</c> is the secret in it.</summary>
public sealed record CreatedLinkResponse(LinkResponse Link, string Token, string Url);

/// <summary>Links of the caller.</summary>
public sealed record LinkListResponse(IReadOnlyList<LinkResponse> Links);

/// <summary>What a public link to a folder shows: the folder and its entries (paths relative to the link).</summary>
public sealed record LinkFolderResponse(string Name, IReadOnlyList<FileEntryResponse> Entries, int Total, string? NextCursor);

/// <summary>An admin mount at <c>/mnt/&lt;Name&gt;</c>. <c>Backend</c>: local (a host folder) or sqlite.</summary>
public sealed record MountResponse(string Name, string MountPoint, string Backend, string Source, bool ReadOnly, string CreatedBy, DateTimeOffset CreatedAt);

/// <summary>The mount table.</summary>
public sealed record MountListResponse(IReadOnlyList<MountResponse> Mounts);

/// <summary><c>POST /api/v1/fs/mounts</c>.</summary>
public sealed record CreateMountRequest(string Name, string Backend, string? Source = null, bool ReadOnly = false);
