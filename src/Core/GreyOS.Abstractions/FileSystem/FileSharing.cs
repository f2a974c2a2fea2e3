using GreyOS.Abstractions.Errors;

namespace GreyOS.Abstractions.FileSystem;

/// <summary>What a share allows (flags): <see cref="Write"/> includes reading; <see cref="Share"/> lets the grantee share further (never more than they hold).</summary>
[Flags]
public enum FileRights
{
    None = 0,
    Read = 1,
    Write = 2,
    Share = 4,
}

/// <summary>Who a share is for.</summary>
public enum ShareeKind
{
    User,
    Group,
    App,
}

/// <summary>One ACL entry: <paramref name="Path"/> and everything below it for a user, group or app.</summary>
/// <param name="Path">The shared file or folder.</param>
/// <param name="Kind">User, group or app.</param>
/// <param name="Id">The user's or group's id, or the app id.</param>
/// <param name="Name">The user's or group's name (the app id for apps).</param>
/// <param name="Rights">What it allows.</param>
/// <param name="GrantedBy">The user who shared it.</param>
/// <param name="GrantedAt">When.</param>
public sealed record ShareEntry(VfsPath Path, ShareeKind Kind, string Id, string Name, FileRights Rights, string GrantedBy, DateTimeOffset GrantedAt);

/// <summary>A public (anonymous, read-only) link to a file or folder.</summary>
/// <param name="Id">The link's id (for listing and revoking; not the secret).</param>
/// <param name="Path">What it shows.</param>
/// <param name="CreatedBy">The user who made it; the link reads as that user.</param>
/// <param name="CreatedAt">When.</param>
/// <param name="ExpiresAt">When it stops working; null for never.</param>
/// <param name="HasPassword">Whether it asks for a password.</param>
/// <param name="Downloads">How often it was opened.</param>
public sealed record PublicLink(string Id, VfsPath Path, string CreatedBy, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, bool HasPassword, long Downloads);

/// <summary>A new public link and its secret token (shown once: only its hash is kept).</summary>
public sealed record CreatedLink(PublicLink Link, string Token);

/// <summary>What an opened public link grants: read access to <see cref="Path"/> (and below) as <see cref="Principal"/>.</summary>
public sealed record OpenedLink(PublicLink Link, FilePrincipal Principal, VfsPath Path);

/// <summary>
/// Sharing (docs/design/0004-vfs.md, decision 7): ACL entries for users, groups and apps on a
/// path and its subtree, and public links. Only the owner of a path (its home's user), an
/// administrator, or a holder of the <see cref="FileRights.Share"/> right may change its shares.
/// </summary>
public interface IFileSharing
{
    /// <summary>The shares on <paramref name="path"/> itself.</summary>
    ValueTask<Result<IReadOnlyList<ShareEntry>>> ListSharesAsync(FilePrincipal principal, VfsPath path, CancellationToken cancellationToken);

    /// <summary>Shares (or changes the rights of a share of) <paramref name="path"/> with a user or group (by name) or an app (by id).</summary>
    ValueTask<Result<ShareEntry>> ShareAsync(FilePrincipal principal, VfsPath path, ShareeKind kind, string who, FileRights rights, CancellationToken cancellationToken);

    /// <summary>Removes a share.</summary>
    ValueTask<Result<ShareEntry>> UnshareAsync(FilePrincipal principal, VfsPath path, ShareeKind kind, string who, CancellationToken cancellationToken);

    /// <summary>What others shared with the caller (directly or through a group).</summary>
    ValueTask<IReadOnlyList<ShareEntry>> SharedWithAsync(FilePrincipal principal, CancellationToken cancellationToken);

    /// <summary>Creates a public read-only link; optional expiry and password.</summary>
    ValueTask<Result<CreatedLink>> CreateLinkAsync(FilePrincipal principal, VfsPath path, DateTimeOffset? expiresAt, string? password, CancellationToken cancellationToken);

    /// <summary>The caller's links (an administrator's <paramref name="all"/>: every link).</summary>
    ValueTask<Result<IReadOnlyList<PublicLink>>> ListLinksAsync(FilePrincipal principal, bool all, CancellationToken cancellationToken);

    /// <summary>Revokes a link (its creator or an administrator).</summary>
    ValueTask<Result<PublicLink>> RevokeLinkAsync(FilePrincipal principal, string linkId, CancellationToken cancellationToken);

    /// <summary>
    /// Checks an anonymous visitor's token (and password), counts the visit, and says as whom and
    /// what may be read. Fails with <c>link_not_found</c>, <c>link_expired</c>, <c>link_password</c>
    /// (missing or wrong, throttled), or the creator no longer being able to read the path.
    /// </summary>
    ValueTask<Result<OpenedLink>> OpenLinkAsync(string token, string? password, CancellationToken cancellationToken);
}

/// <summary>An admin-defined mount: a backend attached at <c>/mnt/&lt;name&gt;</c>.</summary>
/// <param name="Name">The mount's name (its folder under <c>/mnt</c>).</param>
/// <param name="Backend">The backend kind: <c>local</c> (a host folder) or <c>sqlite</c> (in the node's store).</param>
/// <param name="Source">For <c>local</c>, the host folder; empty otherwise.</param>
/// <param name="ReadOnly">Writes are refused.</param>
/// <param name="CreatedBy">The administrator who made it.</param>
/// <param name="CreatedAt">When.</param>
public sealed record MountInfo(string Name, string Backend, string Source, bool ReadOnly, string CreatedBy, DateTimeOffset CreatedAt)
{
    /// <summary>Where it appears in the namespace.</summary>
    public string MountPoint => "/mnt/" + Name;
}

/// <summary>
/// The mount table (administrators only): which backends are attached under <c>/mnt</c>. Access
/// to a mount is given by sharing its folder with users or groups.
/// </summary>
public interface IMountTable
{
    ValueTask<Result<IReadOnlyList<MountInfo>>> ListMountsAsync(FilePrincipal principal, CancellationToken cancellationToken);

    /// <summary>Attaches a backend at <c>/mnt/&lt;name&gt;</c>; a host folder must lie under a configured mount root.</summary>
    ValueTask<Result<MountInfo>> MountAsync(FilePrincipal principal, string name, string backend, string? source, bool writeProtected, CancellationToken cancellationToken);

    /// <summary>Detaches a mount (its content stays where it is).</summary>
    ValueTask<Result<MountInfo>> UnmountAsync(FilePrincipal principal, string name, CancellationToken cancellationToken);
}
