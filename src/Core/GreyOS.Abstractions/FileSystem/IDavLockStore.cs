using GreyOS.Abstractions.Errors;

namespace GreyOS.Abstractions.FileSystem;

/// <summary>A WebDAV write lock (RFC 4918 §6–7) on a path, kept in the node database so it survives a restart.</summary>
/// <param name="Token">The lock token, a <c>urn:uuid:</c> URI.</param>
/// <param name="Root">The locked path (the lock root).</param>
/// <param name="Exclusive">Exclusive (true) or shared (false).</param>
/// <param name="Infinite">Depth infinity (the subtree) rather than depth 0.</param>
/// <param name="UserId">The principal that created the lock: only they may use its token.</param>
/// <param name="OwnerXml">The client's <c>DAV:owner</c> element, as sent (bounded), or null.</param>
/// <param name="Timeout">The timeout granted (refreshes restart it).</param>
/// <param name="ExpiresAt">When the lock ends unless refreshed.</param>
public sealed record DavLock(string Token, VfsPath Root, bool Exclusive, bool Infinite, string UserId, string? OwnerXml, TimeSpan Timeout, DateTimeOffset ExpiresAt)
{
    /// <summary>True when this lock covers <paramref name="path"/>: its root, or under it for depth infinity.</summary>
    public bool Covers(VfsPath path) => path == Root || (Infinite && path.IsSameOrUnder(Root));
}

/// <summary>A lock to take.</summary>
public sealed record DavLockRequest(VfsPath Root, bool Exclusive, bool Infinite, string? OwnerXml, TimeSpan Timeout);

/// <summary>
/// WebDAV locks (docs/webdav.md). Taking a lock checks for conflicts and the caller's write access
/// atomically; expired locks are ignored and pruned. Failures: <c>forbidden</c>, <c>locked</c> (a
/// conflicting lock), <c>lock_limit</c> (too many locks for the user), <c>lock_not_found</c>.
/// </summary>
public interface IDavLockStore
{
    /// <summary>The most live locks one user may hold.</summary>
    const int MaxLocksPerUser = 1000;

    /// <summary>The longest timeout granted, in seconds; longer requests (and <c>Infinite</c>) get this.</summary>
    const int MaxTimeoutSeconds = 3600;

    /// <summary>
    /// Live locks that cover <paramref name="path"/> (on it, or depth-infinity on an ancestor), and,
    /// when <paramref name="withDescendants"/>, also those rooted anywhere below it.
    /// </summary>
    ValueTask<IReadOnlyList<DavLock>> FindAsync(VfsPath path, bool withDescendants, CancellationToken cancellationToken);

    /// <summary>Takes a lock for the principal; the caller must have write access to the root (built-in rules or a share).</summary>
    ValueTask<Result<DavLock>> LockAsync(FilePrincipal principal, DavLockRequest request, CancellationToken cancellationToken);

    /// <summary>Restarts the timeout of the principal's lock <paramref name="token"/>.</summary>
    ValueTask<Result<DavLock>> RefreshAsync(FilePrincipal principal, string token, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>Removes the principal's lock <paramref name="token"/> (an administrator may remove anyone's).</summary>
    ValueTask<Result<DavLock>> UnlockAsync(FilePrincipal principal, string token, CancellationToken cancellationToken);

    /// <summary>Removes every lock rooted at or below <paramref name="path"/> (after DELETE, or the source of a MOVE).</summary>
    ValueTask RemoveTreeAsync(VfsPath path, CancellationToken cancellationToken);
}
