using System.Collections.Concurrent;
using System.Security.Cryptography;
using GreyOS.Abstractions.Errors;
using GreyOS.Abstractions.FileSystem;
using GreyOS.Abstractions.Identity;
using GreyOS.FileSystem.Sharing;

namespace GreyOS.FileSystem.Vfs;

/// <summary>Shares, public links and the mount table (<see cref="IFileSharing"/>, <see cref="IMountTable"/>).</summary>
internal sealed partial class VirtualFileSystem
{
    /// <summary>Wrong link passwords allowed per link within <see cref="LinkFailureWindow"/>; then the link answers 429.</summary>
    public const int LinkFailuresAllowed = 10;

    public static readonly TimeSpan LinkFailureWindow = TimeSpan.FromMinutes(5);

    /// <summary>Link password checks run one per core at most (PBKDF2 is deliberately slow).</summary>
    private static readonly SemaphoreSlim PasswordGate = new(Environment.ProcessorCount, Environment.ProcessorCount);

    private readonly ConcurrentDictionary<string, (int Failures, DateTimeOffset Since)> _linkFailures = new(StringComparer.Ordinal);

    public async ValueTask<Result<IReadOnlyList<ShareEntry>>> ListSharesAsync(FilePrincipal principal, VfsPath path, CancellationToken cancellationToken)
    {
        if (await PrepareAsync(principal, path, Access.Read, cancellationToken).ConfigureAwait(false) is { } denied)
        {
            return denied;
        }

        return Result<IReadOnlyList<ShareEntry>>.Success(await shares.OnAsync(path, cancellationToken).ConfigureAwait(false));
    }

    public async ValueTask<Result<ShareEntry>> ShareAsync(FilePrincipal principal, VfsPath path, ShareeKind kind, string who, FileRights rights, CancellationToken cancellationToken)
    {
        if (rights is FileRights.None || (rights & ~(FileRights.Read | FileRights.Write | FileRights.Share)) != 0)
        {
            return GreyError.Invalid(ErrorCodes.InvalidRequest, "rights are read, write and/or share");
        }

        rights |= FileRights.Read; // writing and sharing include reading
        if (await MayShareAsync(principal, path, rights, cancellationToken).ConfigureAwait(false) is { } denied)
        {
            return denied;
        }

        var sharee = await ShareeAsync(kind, who, cancellationToken).ConfigureAwait(false);
        if (!sharee.IsSuccess)
        {
            return sharee.Error;
        }

        var existing = (await shares.OnAsync(path, cancellationToken).ConfigureAwait(false)).FirstOrDefault(s => s.Kind == kind && s.Id == sharee.Value.Id);
        if (existing is not null && !OwnsShares(principal, path) && existing.GrantedBy != principal.UserName)
        {
            return GreyError.Forbidden(ErrorCodes.Forbidden, $"{existing.GrantedBy} shared '{path}' with {ShareStore.KindName(kind)} '{who}'; only they or the owner may change it");
        }

        var at = await mounts.LocateAsync(path, cancellationToken).ConfigureAwait(false);
        if (await at.Backend.StatAsync(at.Inner, cancellationToken).ConfigureAwait(false) is null)
        {
            return NotFound(path);
        }

        return await shares.SetAsync(path, kind, sharee.Value.Id, sharee.Value.Name, rights, principal.UserName, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<Result<ShareEntry>> UnshareAsync(FilePrincipal principal, VfsPath path, ShareeKind kind, string who, CancellationToken cancellationToken)
    {
        if (await MayShareAsync(principal, path, FileRights.Read, cancellationToken).ConfigureAwait(false) is { } denied)
        {
            return denied;
        }

        var sharee = await ShareeAsync(kind, who, cancellationToken).ConfigureAwait(false);
        var existing = (await shares.OnAsync(path, cancellationToken).ConfigureAwait(false))
            .FirstOrDefault(s => s.Kind == kind && (sharee.IsSuccess ? s.Id == sharee.Value.Id : s.Name == who));
        if (existing is not null && !OwnsShares(principal, path) && existing.GrantedBy != principal.UserName)
        {
            return GreyError.Forbidden(ErrorCodes.Forbidden, $"{existing.GrantedBy} shared '{path}' with {ShareStore.KindName(kind)} '{who}'; only they or the owner may remove it");
        }

        if (existing is null || !await shares.RemoveAsync(path, kind, existing.Id, cancellationToken).ConfigureAwait(false))
        {
            return GreyError.NotFound(ErrorCodes.ShareNotFound, $"'{path}' is not shared with {ShareStore.KindName(kind)} '{who}'");
        }

        return existing;
    }

    public async ValueTask<IReadOnlyList<ShareEntry>> SharedWithAsync(FilePrincipal principal, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(principal);
        if (principal.AppId is { } app)
        {
            return await shares.WhereAsync(s => s.Kind == ShareeKind.App && s.Id == app, cancellationToken).ConfigureAwait(false);
        }

        var groups = await authorizer.GroupsOfAsync(principal.UserId, cancellationToken).ConfigureAwait(false);
        return await shares.WhereAsync(s => Authorizer.IsFor(s, principal.UserId, groups), cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<Result<CreatedLink>> CreateLinkAsync(FilePrincipal principal, VfsPath path, DateTimeOffset? expiresAt, string? password, CancellationToken cancellationToken)
    {
        if (principal.AppId is not null)
        {
            return GreyError.Forbidden(ErrorCodes.Forbidden, "apps cannot create public links");
        }

        if (expiresAt is { } expiry && expiry <= time.GetUtcNow())
        {
            return GreyError.Invalid(ErrorCodes.InvalidRequest, "the expiry must be in the future");
        }

        if (password is not null && (password.Length is 0 or > 1024))
        {
            return GreyError.Invalid(ErrorCodes.InvalidRequest, "a link password is 1 to 1024 characters");
        }

        if (await MayShareAsync(principal, path, FileRights.Read, cancellationToken).ConfigureAwait(false) is { } denied)
        {
            return denied;
        }

        // The link reads as its creator, never with administrator rights: check that works now.
        var reader = principal with { IsAdmin = false };
        if (await authorizer.CheckAsync(reader, path, Access.Read, cancellationToken).ConfigureAwait(false) is not null)
        {
            return GreyError.Forbidden(ErrorCodes.Forbidden, $"'{path}' is not readable by you as a user; a public link reads as its creator");
        }

        var at = await mounts.LocateAsync(path, cancellationToken).ConfigureAwait(false);
        if (await at.Backend.StatAsync(at.Inner, cancellationToken).ConfigureAwait(false) is null)
        {
            return NotFound(path);
        }

        var (token, hash) = LinkStore.NewToken();
        var (salt, verifier) = password is null ? (null, null) : await HashPasswordAsync(password, cancellationToken).ConfigureAwait(false);
        var link = new PublicLink("lnk_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)), path, principal.UserName, time.GetUtcNow(), expiresAt, password is not null, 0);
        await links.AddAsync(new LinkRow(link, principal.UserId, salt, verifier), hash, cancellationToken).ConfigureAwait(false);
        return new CreatedLink(link, token);
    }

    public async ValueTask<Result<IReadOnlyList<PublicLink>>> ListLinksAsync(FilePrincipal principal, bool all, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(principal);
        if (all && !(principal.IsAdmin && principal.AppId is null))
        {
            return GreyError.Forbidden(ErrorCodes.Forbidden, "only an administrator sees every link");
        }

        var rows = await links.ListAsync(all ? null : principal.UserId, cancellationToken).ConfigureAwait(false);
        return rows.Select(r => r.Link).ToList();
    }

    public async ValueTask<Result<PublicLink>> RevokeLinkAsync(FilePrincipal principal, string linkId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(principal);
        var row = string.IsNullOrEmpty(linkId) || linkId.Length > 64 ? null : await links.ByIdAsync(linkId, cancellationToken).ConfigureAwait(false);
        if (row is null || !(row.CreatorId == principal.UserId || (principal.IsAdmin && principal.AppId is null)))
        {
            return GreyError.NotFound(ErrorCodes.LinkNotFound, $"no link '{linkId}' of yours");
        }

        await links.RemoveAsync(row.Link.Id, cancellationToken).ConfigureAwait(false);
        return row.Link;
    }

    public async ValueTask<Result<OpenedLink>> OpenLinkAsync(string token, string? password, CancellationToken cancellationToken)
    {
        var row = string.IsNullOrEmpty(token) || token.Length > 64 ? null : await links.ByTokenAsync(LinkStore.HashToken(token), cancellationToken).ConfigureAwait(false);
        if (row is null)
        {
            return GreyError.NotFound(ErrorCodes.LinkNotFound, "no such link (it may have been revoked)");
        }

        var now = time.GetUtcNow();
        if (row.Link.ExpiresAt is { } expiry && expiry <= now)
        {
            return GreyError.NotFound(ErrorCodes.LinkExpired, "the link has expired");
        }

        if (row.Salt is { } salt && row.Hash is { } hash)
        {
            if (string.IsNullOrEmpty(password) || password.Length > 1024)
            {
                return GreyError.Unauthenticated(ErrorCodes.LinkPassword, "the link needs its password");
            }

            // Count the attempt before the slow check (refunded when right), so parallel guesses cannot
            // all pass the limit before the first failure is recorded.
            var attempt = _linkFailures.AddOrUpdate(
                row.Link.Id,
                _ => (1, now),
                (_, f) => f.Since + LinkFailureWindow > now ? (f.Failures + 1, f.Since) : (1, now));
            if (attempt.Failures > LinkFailuresAllowed)
            {
                return GreyError.TooManyRequests(ErrorCodes.RateLimited, "too many wrong passwords for this link; try again later") with { RetryAfter = attempt.Since + LinkFailureWindow - now };
            }

            if (!await VerifyPasswordAsync(password, salt, hash, cancellationToken).ConfigureAwait(false))
            {
                return GreyError.Unauthenticated(ErrorCodes.LinkPassword, "the link password is wrong");
            }

            _linkFailures.AddOrUpdate(row.Link.Id, _ => (0, now), (_, f) => (Math.Max(0, f.Failures - 1), f.Since));
        }

        // The link reads as its creator (never as an administrator) while the creator's account is active.
        var creator = users is null ? null : await users.FindUserAsync(row.CreatorId, cancellationToken).ConfigureAwait(false);
        if (users is not null && creator is not { Status: UserStatus.Active })
        {
            return GreyError.NotFound(ErrorCodes.LinkNotFound, "the link's owner can no longer share it");
        }

        var principal = new FilePrincipal(row.CreatorId, creator?.Name ?? row.Link.CreatedBy, IsAdmin: false);
        if (await authorizer.CheckAsync(principal, row.Link.Path, Access.Read, cancellationToken).ConfigureAwait(false) is not null)
        {
            return GreyError.NotFound(ErrorCodes.LinkNotFound, "the link's owner can no longer read what it points to");
        }

        await links.CountDownloadAsync(row.Link.Id, cancellationToken).ConfigureAwait(false);
        return new OpenedLink(row.Link with { Downloads = row.Link.Downloads + 1 }, principal, row.Link.Path);
    }

    public async ValueTask<Result<IReadOnlyList<MountInfo>>> ListMountsAsync(FilePrincipal principal, CancellationToken cancellationToken) =>
        MayManageMounts(principal) is { } denied ? denied : Result<IReadOnlyList<MountInfo>>.Success(await mounts.ListAsync(cancellationToken).ConfigureAwait(false));

    public async ValueTask<Result<MountInfo>> MountAsync(FilePrincipal principal, string name, string backend, string? source, bool writeProtected, CancellationToken cancellationToken)
    {
        if (MayManageMounts(principal) is { } denied)
        {
            return denied;
        }

        await EnsureNamespaceAsync(cancellationToken).ConfigureAwait(false);
        return await mounts.AddAsync(name, backend, source, writeProtected, principal.UserName, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<Result<MountInfo>> UnmountAsync(FilePrincipal principal, string name, CancellationToken cancellationToken)
    {
        if (MayManageMounts(principal) is { } denied)
        {
            return denied;
        }

        var removed = await mounts.RemoveAsync(name, cancellationToken).ConfigureAwait(false);
        if (removed.IsSuccess)
        {
            // A later mount of the same name must not inherit shares, links, versions or trash of this one.
            var point = VfsPath.Parse(removed.Value.MountPoint).Value;
            await ForgetAsync(point, CancellationToken.None).ConfigureAwait(false);
            await trash.DeleteUnderAsync(point, CancellationToken.None).ConfigureAwait(false);
        }

        return removed;
    }

    private static GreyError? MayManageMounts(FilePrincipal principal) =>
        principal is { IsAdmin: true, AppId: null } ? null : GreyError.Forbidden(ErrorCodes.Forbidden, "only an administrator manages mounts");

    /// <summary>
    /// Who may change the shares of a path: an administrator; the user whose home holds it; or a
    /// holder of the share right (who can pass on at most the rights they hold). Never an app, never
    /// a namespace folder other than a mount point, never the trash.
    /// </summary>
    private async ValueTask<GreyError?> MayShareAsync(FilePrincipal principal, VfsPath path, FileRights rights, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(principal);
        if (principal.AppId is not null)
        {
            return GreyError.Forbidden(ErrorCodes.Forbidden, "apps cannot share");
        }

        var segments = path.Segments;
        if (AccessRules.IsTrash(segments) || segments.Count < 2 || (AccessRules.IsStructural(segments) && segments[0] != AccessRules.Mounts && segments[0] != AccessRules.Home))
        {
            return GreyError.Forbidden(ErrorCodes.Forbidden, $"'{path}' cannot be shared");
        }

        if (OwnsShares(principal, path))
        {
            return null;
        }

        var held = await authorizer.UserRightsAsync(principal, path, cancellationToken).ConfigureAwait(false);
        return (held & FileRights.Share) != 0 && (rights & ~held) == 0
            ? null
            : GreyError.Forbidden(ErrorCodes.Forbidden, $"you may not share '{path}'" + ((held & FileRights.Share) != 0 ? " with more rights than you hold" : ""));
    }

    /// <summary>An administrator, or the user whose home holds the path: may change every share on it.</summary>
    private static bool OwnsShares(FilePrincipal principal, VfsPath path) =>
        principal.AppId is null && (principal.IsAdmin || (path.Depth >= 2 && path.Segments[0] == AccessRules.Home && path.Segments[1] == principal.UserName));

    private async ValueTask<Result<(string Id, string Name)>> ShareeAsync(ShareeKind kind, string who, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(who) || who.Length > 256)
        {
            return GreyError.Invalid(ErrorCodes.InvalidRequest, "name whom to share with");
        }

        switch (kind)
        {
            case ShareeKind.App:
                return IsAppId(who) ? (who, who) : GreyError.Invalid(ErrorCodes.InvalidRequest, $"'{who}' is not an app id (reverse-DNS, e.g. org.example.notes)");
            case ShareeKind.User when users is not null:
                return await users.FindUserAsync(who, cancellationToken).ConfigureAwait(false) is { } user
                    ? (user.Id, user.Name)
                    : GreyError.NotFound(ErrorCodes.UserNotFound, $"no user '{who}'");
            case ShareeKind.Group when users is not null:
                return await users.FindGroupAsync(who, cancellationToken).ConfigureAwait(false) is { } group
                    ? (group.Id, group.Name)
                    : GreyError.NotFound(ErrorCodes.GroupNotFound, $"no group '{who}'");
            default:
                return GreyError.Invalid(ErrorCodes.InvalidRequest, "users and groups are unknown to this file system");
        }
    }

    private static bool IsAppId(string id) =>
        id.Length <= 128 && id.Contains('.', StringComparison.Ordinal) && !id.StartsWith('.') && !id.EndsWith('.')
        && id.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '-' or '_');

    private static async ValueTask<(byte[]?, byte[]?)> HashPasswordAsync(string password, CancellationToken cancellationToken)
    {
        await PasswordGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var (salt, hash) = await Task.Run(() => LinkStore.HashPassword(password), cancellationToken).ConfigureAwait(false);
            return (salt, hash);
        }
        finally
        {
            PasswordGate.Release();
        }
    }

    private static async ValueTask<bool> VerifyPasswordAsync(string password, byte[] salt, byte[] hash, CancellationToken cancellationToken)
    {
        await PasswordGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await Task.Run(() => LinkStore.VerifyPassword(password, salt, hash), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            PasswordGate.Release();
        }
    }
}
