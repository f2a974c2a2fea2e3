using System.Collections.Concurrent;
using GreyOS.Abstractions.Errors;
using GreyOS.Abstractions.FileSystem;
using GreyOS.Abstractions.Identity;
using GreyOS.FileSystem.Sharing;

namespace GreyOS.FileSystem.Vfs;

/// <summary>
/// Decides every access (design 0004, decision 7): the built-in <see cref="AccessRules"/> first;
/// what they deny as "not yours" is allowed when a share on the path or a folder above it gives the
/// user (directly or through a group) the right. An app acting for a user needs both: a share with
/// the app, and the user's own access. Group memberships are looked up at most every
/// <see cref="GroupCacheLifetime"/> per user.
/// </summary>
internal sealed class Authorizer(ShareStore shares, IUserDirectory? users, TimeProvider time)
{
    public static readonly TimeSpan GroupCacheLifetime = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, (IReadOnlyList<string> Groups, DateTimeOffset Until)> _groups = new(StringComparer.Ordinal);

    public async ValueTask<GreyError?> CheckAsync(FilePrincipal principal, VfsPath path, Access access, CancellationToken cancellationToken)
    {
        var decision = AccessRules.Check(principal, path, access);
        if (decision.Allowed || !decision.Shareable)
        {
            return decision.Error;
        }

        var needed = access == Access.Read ? FileRights.Read : FileRights.Write;
        if (!await shares.AnyAtOrAboveAsync(path, cancellationToken).ConfigureAwait(false))
        {
            return decision.Error;
        }

        if (principal.AppId is { } app)
        {
            var appRights = await shares.RightsAsync(path, s => s.Kind == ShareeKind.App && s.Id == app, cancellationToken).ConfigureAwait(false);
            if (!Covers(appRights, needed))
            {
                return decision.Error;
            }

            return await CheckAsync(principal with { AppId = null }, path, access, cancellationToken).ConfigureAwait(false) is null ? null : decision.Error;
        }

        return Covers(await UserRightsAsync(principal, path, cancellationToken).ConfigureAwait(false), needed) ? null : decision.Error;
    }

    /// <summary>The rights shares give the user on <paramref name="path"/> (directly or through their groups).</summary>
    public async ValueTask<FileRights> UserRightsAsync(FilePrincipal principal, VfsPath path, CancellationToken cancellationToken)
    {
        var groups = await GroupsOfAsync(principal.UserId, cancellationToken).ConfigureAwait(false);
        return await shares.RightsAsync(path, s => IsFor(s, principal.UserId, groups), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Whether <paramref name="share"/> is for the user (or one of their groups).</summary>
    public static bool IsFor(ShareEntry share, string userId, IReadOnlyList<string> groups) =>
        share.Kind switch
        {
            ShareeKind.User => share.Id == userId,
            ShareeKind.Group => groups.Contains(share.Id),
            _ => false,
        };

    public async ValueTask<IReadOnlyList<string>> GroupsOfAsync(string userId, CancellationToken cancellationToken)
    {
        if (users is null)
        {
            return [];
        }

        var now = time.GetUtcNow();
        if (_groups.TryGetValue(userId, out var cached) && cached.Until > now)
        {
            return cached.Groups;
        }

        var groups = await users.GroupsOfUserAsync(userId, cancellationToken).ConfigureAwait(false);
        _groups[userId] = (groups, now + GroupCacheLifetime);
        return groups;
    }

    /// <summary>Write includes read.</summary>
    public static bool Covers(FileRights held, FileRights needed) =>
        needed == FileRights.Read ? (held & (FileRights.Read | FileRights.Write)) != 0 : (held & needed) == needed;
}
