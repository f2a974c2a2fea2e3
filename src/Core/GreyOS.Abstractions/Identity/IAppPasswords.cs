using GreyOS.Abstractions.Errors;

namespace GreyOS.Abstractions.Identity;

/// <summary>An app password as listed: never its secret (shown once, at creation, and stored as SHA-256 only).</summary>
public sealed record AppPasswordRecord(string Id, string UserId, string Label, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt);

/// <summary>A new app password: its record and the secret, which is never shown again.</summary>
public sealed record NewAppPassword(AppPasswordRecord Record, string Secret);

/// <summary>
/// Who authenticated with HTTP Basic (on <c>/dav</c> only): the user with their current permissions,
/// and the app password used (null: the account password).
/// </summary>
public sealed record BasicPrincipal(string UserId, string UserName, IReadOnlySet<string> Permissions, string? AppPasswordId);

/// <summary>
/// Revocable per-device passwords for WebDAV clients (docs/webdav.md): a random secret of 160 bits,
/// shown once, stored as its SHA-256. They authenticate <c>/dav</c> only, never the JSON API.
/// Revoked when the user is disabled; deleted with the user.
/// </summary>
public interface IAppPasswordService
{
    /// <summary>The most live app passwords a user may have.</summary>
    const int MaxPerUser = 50;

    /// <summary>Creates an app password for a user (the HTTP layer enforces step-up).</summary>
    ValueTask<Result<NewAppPassword>> CreateAsync(string userId, string label, string actor, CancellationToken cancellationToken);

    /// <summary>A user's app passwords, newest first (revoked ones too).</summary>
    ValueTask<IReadOnlyList<AppPasswordRecord>> ListAsync(string userId, CancellationToken cancellationToken);

    /// <summary>Revokes one; <paramref name="ownerUserId"/> restricts it to that user's (null: any).</summary>
    ValueTask<Result<AppPasswordRecord>> RevokeAsync(string id, string? ownerUserId, string actor, CancellationToken cancellationToken);
}

/// <summary>
/// Checks HTTP Basic credentials for <c>/dav</c>: the user name with an app password, or with the
/// account password (Argon2id, under the same per-name login back-off as a password login). Successful
/// account-password checks are remembered briefly (keyed by an HMAC, never the secret) because DAV
/// clients send the credentials with every request; a changed password or a disabled user ends that at once.
/// </summary>
public interface IBasicAuthenticator
{
    /// <summary>The principal, or <c>invalid_credentials</c> / <c>login_throttled</c> (uniform; the reason goes to the audit trail).</summary>
    ValueTask<Result<BasicPrincipal>> AuthenticateAsync(string userName, string secret, ClientContext client, CancellationToken cancellationToken);
}
