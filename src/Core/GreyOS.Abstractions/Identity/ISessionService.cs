using GreyOS.Abstractions.Errors;

namespace GreyOS.Abstractions.Identity;

/// <summary>How a session authenticates its requests (docs/design/0003-identity.md §3).</summary>
public enum SessionKind
{
    /// <summary>An HttpOnly cookie plus a CSRF token on unsafe methods.</summary>
    Browser,

    /// <summary>Every request signed (RFC 9421) with the device's Ed25519 key; the session id is the key id.</summary>
    Device,
}

/// <summary>Who is asking, for the audit trail and the usage profile. <c>App</c>: e.g. <c>greyos-cli</c>, <c>web</c>.</summary>
public sealed record ClientContext(string? Address, string? UserAgent, string App);

/// <summary>A signed-in principal, as attached to a request.</summary>
/// <remarks>
/// <c>AuthenticatedAt</c>: When the user last proved a credential (login or step-up).
/// <c>FreshUntil</c>: Until when sensitive actions need no new proof (step-up window after <paramref name="AuthenticatedAt"/>).
/// </remarks>
public sealed record SessionPrincipal(
    string SessionId,
    string UserId,
    string UserName,
    IReadOnlyList<string> Roles,
    IReadOnlySet<string> Permissions,
    SessionKind Kind,
    string? DeviceId,
    DateTimeOffset ExpiresAt,
    DateTimeOffset AuthenticatedAt,
    DateTimeOffset FreshUntil);

/// <summary>A device key to register at login: a name and an Ed25519 <c>did:key</c>.</summary>
public sealed record DeviceRegistration(string Name, string Did);

/// <summary>A registered device of a user.</summary>
public sealed record DeviceRecord(string Id, string UserId, string Name, string Did, DateTimeOffset CreatedAt, DateTimeOffset? LastSeenAt, DateTimeOffset? RevokedAt);

/// <summary>A session as listed for its user or an admin.</summary>
public sealed record SessionRecord(
    string Id,
    string UserId,
    SessionKind Kind,
    string? DeviceId,
    string? Client,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastSeenAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? RevokedAt);

/// <summary>
/// A successful login. Browser sessions carry the cookie secret (shown once, stored hashed) and the
/// CSRF token; device sessions carry the device they are bound to.
/// </summary>
public sealed record LoginResult(SessionPrincipal Principal, string? CookieToken, string? CsrfToken, DeviceRecord? Device);

/// <summary>A did:key login challenge: sign <c>greyos-login-v1\n{NodeDid}\n{base64url(Challenge)}</c>.</summary>
public sealed record LoginChallenge(string ChallengeId, byte[] Challenge, string NodeDid, DateTimeOffset ExpiresAt);

/// <summary>The server's first SRP-6a message.</summary>
public sealed record SrpChallenge(string SrpId, byte[] Salt, byte[] ServerPublic);

/// <summary>A finished SRP-6a login: the session and the server's proof M2.</summary>
public sealed record SrpLogin(LoginResult Login, byte[] ServerProof);

/// <summary>A request signature to check (the HTTP layer builds the RFC 9421 signature base).</summary>
/// <param name="KeyId">The session id (<c>keyid</c>).</param>
/// <param name="SignatureBase">The UTF-8 signature base.</param>
/// <param name="Signature">The Ed25519 signature.</param>
/// <param name="Created">The <c>created</c> parameter (Unix seconds).</param>
/// <param name="Nonce">The <c>nonce</c> parameter.</param>
public sealed record SignedRequest(string KeyId, byte[] SignatureBase, byte[] Signature, long Created, string Nonce);

/// <summary>
/// Logins (password, did:key, SRP-6a), the sessions they open, request authentication (cookie or
/// signature), step-up, and session listing/revocation. Failures are uniform values; their real
/// reason goes to the audit trail.
/// </summary>
public interface ISessionService
{
    /// <summary>Password login: a device session when <paramref name="device"/> is given (registering it), else a browser session.</summary>
    ValueTask<Result<LoginResult>> LoginWithPasswordAsync(string userName, string password, DeviceRegistration? device, ClientContext client, CancellationToken cancellationToken);

    /// <summary>A single-use challenge for a did:key login or step-up (60 s).</summary>
    ValueTask<LoginChallenge> CreateChallengeAsync(CancellationToken cancellationToken);

    /// <summary>did:key login: the signature of a registered, unrevoked device over the challenge.</summary>
    ValueTask<Result<LoginResult>> LoginWithKeyAsync(string challengeId, string did, byte[] signature, ClientContext client, CancellationToken cancellationToken);

    /// <summary>SRP-6a, first step: salt and B (unknown users get a consistent fake).</summary>
    ValueTask<Result<SrpChallenge>> StartSrpAsync(string userName, CancellationToken cancellationToken);

    /// <summary>SRP-6a, second step: checks A and M1, opens a session, returns M2.</summary>
    ValueTask<Result<SrpLogin>> FinishSrpAsync(string srpId, byte[] clientPublic, byte[] clientProof, DeviceRegistration? device, ClientContext client, CancellationToken cancellationToken);

    /// <summary>The principal of a live browser-session cookie, or null.</summary>
    ValueTask<SessionPrincipal?> AuthenticateCookieAsync(string token, CancellationToken cancellationToken);

    /// <summary>The principal of a valid, fresh, never-replayed device signature; otherwise a uniform error.</summary>
    ValueTask<Result<SessionPrincipal>> AuthenticateSignatureAsync(SignedRequest request, ClientContext client, CancellationToken cancellationToken);

    /// <summary>The CSRF token of a browser session.</summary>
    string CsrfTokenFor(string sessionId);

    /// <summary>Re-proves the password for a session (step-up).</summary>
    ValueTask<Result<SessionPrincipal>> StepUpWithPasswordAsync(string sessionId, string password, ClientContext client, CancellationToken cancellationToken);

    /// <summary>Re-proves the session's device key over a fresh challenge (step-up).</summary>
    ValueTask<Result<SessionPrincipal>> StepUpWithKeyAsync(string sessionId, string challengeId, byte[] signature, ClientContext client, CancellationToken cancellationToken);

    /// <summary>Sessions of a user (null: all users), newest first, live ones and those ended in the last day.</summary>
    ValueTask<IReadOnlyList<SessionRecord>> ListSessionsAsync(string? userId, CancellationToken cancellationToken);

    /// <summary>Ends a session; <paramref name="ownerUserId"/> restricts it to that user's sessions (null: any).</summary>
    ValueTask<Result<SessionRecord>> RevokeSessionAsync(string sessionId, string? ownerUserId, string actor, CancellationToken cancellationToken);

    /// <summary>A user's devices (revoked ones included).</summary>
    ValueTask<IReadOnlyList<DeviceRecord>> ListDevicesAsync(string userId, CancellationToken cancellationToken);

    /// <summary>Registers a device key for a user (the caller enforces step-up).</summary>
    ValueTask<Result<DeviceRecord>> AddDeviceAsync(string userId, DeviceRegistration device, string actor, CancellationToken cancellationToken);

    /// <summary>Revokes a device and every session bound to it; <paramref name="ownerUserId"/> restricts it to that user's devices.</summary>
    ValueTask<Result<DeviceRecord>> RevokeDeviceAsync(string deviceId, string? ownerUserId, string actor, CancellationToken cancellationToken);
}
