using System.Globalization;
using System.Net.Http.Json;
using GreyOS.Protocol;

namespace GreyOS.Client;

/// <summary>Versions, trash, quotas, search, shares, public links and mounts of the virtual file system.</summary>
public sealed partial class GreyOSClient
{
    /// <summary><c>GET /api/v1/fs/versions/{path}</c>: the kept versions of a file, newest first.</summary>
    public async Task<IReadOnlyList<FileVersionResponse>> ListFileVersionsAsync(string path, CancellationToken cancellationToken = default) =>
        (await SendAsync(HttpMethod.Get, FilePath("versions", path), null, ProtocolJsonContext.Default.FileVersionListResponse, cancellationToken).ConfigureAwait(false)).Versions;

    /// <summary><c>POST /api/v1/fs/versions/restore</c>: makes a version the file's content again.</summary>
    public Task<FileEntryResponse> RestoreFileVersionAsync(string path, long version, string? ifMatch = null, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, new Uri("api/v1/fs/versions/restore", UriKind.Relative),
            JsonContent.Create(new RestoreVersionRequest(NormalizeFilePath(path), version, ifMatch), ProtocolJsonContext.Default.RestoreVersionRequest),
            ProtocolJsonContext.Default.FileEntryResponse, cancellationToken);

    /// <summary><c>GET /api/v1/fs/trash</c>: the caller's trash (<paramref name="all"/>: every trash, administrators).</summary>
    public async Task<IReadOnlyList<TrashItemResponse>> ListTrashAsync(bool all = false, CancellationToken cancellationToken = default) =>
        (await SendAsync(HttpMethod.Get, new Uri(all ? "api/v1/fs/trash?all=true" : "api/v1/fs/trash", UriKind.Relative), null, ProtocolJsonContext.Default.TrashListResponse, cancellationToken).ConfigureAwait(false)).Items;

    /// <summary><c>POST /api/v1/fs/trash/{id}/restore</c>: puts an item back (or at <paramref name="destination"/>).</summary>
    public Task<FileEntryResponse> RestoreFromTrashAsync(string id, string? destination = null, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, Path("fs", "trash", id, "restore"),
            JsonContent.Create(new RestoreTrashRequest(destination is null ? null : NormalizeFilePath(destination)), ProtocolJsonContext.Default.RestoreTrashRequest),
            ProtocolJsonContext.Default.FileEntryResponse, cancellationToken);

    /// <summary><c>DELETE /api/v1/fs/trash/{id}</c>: deletes a trash item for good.</summary>
    public Task<TrashItemResponse> PurgeTrashItemAsync(string id, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, Path("fs", "trash", id), null, ProtocolJsonContext.Default.TrashItemResponse, cancellationToken);

    /// <summary><c>DELETE /api/v1/fs/trash</c>: empties the caller's trash; returns how many items went.</summary>
    public async Task<int> EmptyTrashAsync(CancellationToken cancellationToken = default) =>
        (await SendAsync(HttpMethod.Delete, Path("fs", "trash"), null, ProtocolJsonContext.Default.EmptyTrashResponse, cancellationToken).ConfigureAwait(false)).Purged;

    /// <summary><c>DELETE /api/v1/fs/files/{path}?permanent=true</c>: deletes without the trash.</summary>
    public Task<FileEntryResponse> DeleteForeverAsync(string path, bool recursive = false, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, Query(Query(FilePath("files", path), "permanent", "true"), "recursive", recursive ? "true" : "false"), null, ProtocolJsonContext.Default.FileEntryResponse, cancellationToken);

    /// <summary><c>GET /api/v1/fs/quota/{path}</c>: the quota covering <paramref name="path"/> (null: the caller's home).</summary>
    public Task<QuotaResponse> GetQuotaAsync(string? path = null, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, path is null ? new Uri("api/v1/fs/quota", UriKind.Relative) : FilePath("quota", path), null, ProtocolJsonContext.Default.QuotaResponse, cancellationToken);

    /// <summary><c>GET /api/v1/fs/search/{folder}?q=</c>: entries whose name contains <paramref name="query"/>.</summary>
    public async Task<IReadOnlyList<FileEntryResponse>> SearchFilesAsync(string folder, string query, int limit = 100, CancellationToken cancellationToken = default) =>
        (await SendAsync(HttpMethod.Get, Query(Query(FilePath("search", folder), "q", query), "limit", limit.ToString(CultureInfo.InvariantCulture)), null, ProtocolJsonContext.Default.FileSearchResponse, cancellationToken).ConfigureAwait(false)).Entries;

    /// <summary><c>GET /api/v1/fs/shares/{path}</c>: the shares on a path.</summary>
    public async Task<IReadOnlyList<ShareResponse>> ListSharesAsync(string path, CancellationToken cancellationToken = default) =>
        (await SendAsync(HttpMethod.Get, FilePath("shares", path), null, ProtocolJsonContext.Default.ShareListResponse, cancellationToken).ConfigureAwait(false)).Shares;

    /// <summary><c>GET /api/v1/fs/shared-with-me</c>.</summary>
    public async Task<IReadOnlyList<ShareResponse>> SharedWithMeAsync(CancellationToken cancellationToken = default) =>
        (await SendAsync(HttpMethod.Get, Path("fs", "shared-with-me"), null, ProtocolJsonContext.Default.ShareListResponse, cancellationToken).ConfigureAwait(false)).Shares;

    /// <summary><c>PUT /api/v1/fs/shares/{path}</c>: shares with a user, group or app (<paramref name="kind"/>) the <paramref name="rights"/> (read, write, share).</summary>
    public Task<ShareResponse> ShareAsync(string path, string kind, string name, IReadOnlyList<string> rights, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Put, FilePath("shares", path), JsonContent.Create(new ShareRequest(kind, name, rights), ProtocolJsonContext.Default.ShareRequest),
            ProtocolJsonContext.Default.ShareResponse, cancellationToken);

    /// <summary><c>DELETE /api/v1/fs/shares/{path}?kind=&amp;name=</c>: removes a share.</summary>
    public Task<ShareResponse> UnshareAsync(string path, string kind, string name, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, Query(Query(FilePath("shares", path), "kind", kind), "name", name), null, ProtocolJsonContext.Default.ShareResponse, cancellationToken);

    /// <summary><c>POST /api/v1/fs/links</c>: a public read-only link (the token is shown only now).</summary>
    public Task<CreatedLinkResponse> CreateLinkAsync(string path, DateTimeOffset? expiresAt = null, string? password = null, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, Path("fs", "links"), JsonContent.Create(new CreateLinkRequest(NormalizeFilePath(path), expiresAt, password), ProtocolJsonContext.Default.CreateLinkRequest),
            ProtocolJsonContext.Default.CreatedLinkResponse, cancellationToken);

    /// <summary><c>GET /api/v1/fs/links</c>: the caller's links.</summary>
    public async Task<IReadOnlyList<LinkResponse>> ListLinksAsync(bool all = false, CancellationToken cancellationToken = default) =>
        (await SendAsync(HttpMethod.Get, all ? Query(Path("fs", "links"), "all", "true") : Path("fs", "links"), null, ProtocolJsonContext.Default.LinkListResponse, cancellationToken).ConfigureAwait(false)).Links;

    /// <summary><c>DELETE /api/v1/fs/links/{id}</c>: revokes a link.</summary>
    public Task<LinkResponse> RevokeLinkAsync(string id, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, Path("fs", "links", id), null, ProtocolJsonContext.Default.LinkResponse, cancellationToken);

    /// <summary><c>GET /api/v1/fs/mounts</c> (administrators).</summary>
    public async Task<IReadOnlyList<MountResponse>> ListMountsAsync(CancellationToken cancellationToken = default) =>
        (await SendAsync(HttpMethod.Get, Path("fs", "mounts"), null, ProtocolJsonContext.Default.MountListResponse, cancellationToken).ConfigureAwait(false)).Mounts;

    /// <summary><c>POST /api/v1/fs/mounts</c> (administrators).</summary>
    public Task<MountResponse> MountAsync(string name, string backend, string? source = null, bool readOnly = false, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, Path("fs", "mounts"), JsonContent.Create(new CreateMountRequest(name, backend, source, readOnly), ProtocolJsonContext.Default.CreateMountRequest),
            ProtocolJsonContext.Default.MountResponse, cancellationToken);

    /// <summary><c>DELETE /api/v1/fs/mounts/{name}</c> (administrators).</summary>
    public Task<MountResponse> UnmountAsync(string name, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, Path("fs", "mounts", name), null, ProtocolJsonContext.Default.MountResponse, cancellationToken);
}
