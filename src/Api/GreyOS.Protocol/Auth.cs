namespace GreyOS.Protocol;

/// <summary><c>POST /api/v1/setup</c>: spend the one-time setup code to set the administrator's password.</summary>
public sealed record SetupRequest(string Code, string Password);

/// <summary>Setup completed for <paramref name="UserName"/>.</summary>
public sealed record SetupResponse(string UserName);

/// <summary>A device key to register: a name and an Ed25519 <c>did:key</c>.</summary>
public sealed record DeviceKey(string Name, string Did);

/// <summary>
/// <c>POST /api/v1/auth/login</c>. With <paramref name="Device"/> the key is registered and the
/// session is a device session (sign every request with it); without, a browser session (cookie).
/// </summary>
public sealed record LoginRequest(string UserName, string Password, DeviceKey? Device = null);

/// <summary>
/// A new session. Browser sessions: the cookie is set (HttpOnly) and <paramref name="CsrfToken"/>
/// must be sent as <c>X-CSRF-Token</c> on unsafe methods. Device sessions: sign requests with
/// <c>keyid</c> = <see cref="SessionInfo.SessionId"/>.
/// </summary>
public sealed record LoginResponse(SessionInfo Session, string? CsrfToken, DeviceResponse? Device);

/// <summary><c>GET /api/v1/auth/session</c>: the current session and its user.</summary>
/// <remarks>
/// <c>Kind</c>: <c>browser</c> or <c>device</c>.
/// <c>FreshUntil</c>: Until when sensitive actions are allowed without a new proof (step-up).
/// </remarks>
public sealed record SessionInfo(
    string SessionId,
    string UserId,
    string UserName,
    IReadOnlyList<string> Roles,
    IReadOnlyList<string> Permissions,
    string Kind,
    string? DeviceId,
    DateTimeOffset ExpiresAt,
    DateTimeOffset FreshUntil,
    string? CsrfToken = null);

/// <summary><c>GET /api/v1/auth/state</c> (anonymous): whether this request carries a live session, and which.</summary>
public sealed record AuthStateResponse(bool SignedIn, SessionInfo? Session);

/// <summary><c>POST /api/v1/auth/challenge</c>: sign <c>greyos-login-v1\n{NodeDid}\n{Challenge}</c> (Challenge as sent, base64url).</summary>
public sealed record ChallengeResponse(string ChallengeId, string Challenge, string NodeDid, DateTimeOffset ExpiresAt);

/// <summary><c>POST /api/v1/auth/login/key</c>: did:key login; <paramref name="Signature"/> is base64url Ed25519.</summary>
public sealed record KeyLoginRequest(string ChallengeId, string Did, string Signature);

/// <summary><c>POST /api/v1/auth/srp/start</c>.</summary>
public sealed record SrpStartRequest(string UserName);

/// <summary>SRP-6a server message: salt and B, base64url (RFC 5054 group 3072-bit, SHA-256).</summary>
public sealed record SrpStartResponse(string SrpId, string Salt, string ServerPublic);

/// <summary><c>POST /api/v1/auth/srp/finish</c>: A and M1 (base64url), optionally a device to register.</summary>
public sealed record SrpFinishRequest(string SrpId, string ClientPublic, string ClientProof, DeviceKey? Device = null);

/// <summary>The session and the server's proof M2 (base64url): verify it before trusting the node.</summary>
public sealed record SrpFinishResponse(LoginResponse Login, string ServerProof);

/// <summary><c>POST /api/v1/auth/step-up</c>: a password, or a challenge signed by this session's device key.</summary>
public sealed record StepUpRequest(string? Password = null, string? ChallengeId = null, string? Signature = null);

/// <summary>A user.</summary>
/// <remarks>
/// <c>Status</c>: <c>active</c> or <c>disabled</c>.
/// <c>QuotaBytes</c>: Storage quota; 0 means the node's default.
/// </remarks>
public sealed record UserResponse(string Id, string Name, string DisplayName, string Status, long QuotaBytes, IReadOnlyList<string> Roles, DateTimeOffset CreatedAt);

/// <summary><c>GET /api/v1/users</c>.</summary>
public sealed record UserListResponse(IReadOnlyList<UserResponse> Users);

/// <summary><c>POST /api/v1/users</c>. Roles default to <c>user</c>.</summary>
public sealed record CreateUserRequest(string Name, string? DisplayName = null, string? Password = null, IReadOnlyList<string>? Roles = null, long? QuotaBytes = null);

/// <summary><c>PATCH /api/v1/users/{user}</c>: null fields stay. Changing roles needs a fresh proof (step-up).</summary>
public sealed record UpdateUserRequest(string? DisplayName = null, string? Status = null, long? QuotaBytes = null, IReadOnlyList<string>? Roles = null);

/// <summary><c>PUT /api/v1/users/{user}/password</c>.</summary>
public sealed record SetPasswordRequest(string Password);

/// <summary>A group member: <c>user</c> or <c>group</c>.</summary>
public sealed record GroupMemberResponse(string Kind, string Id, string Name);

/// <summary>A group.</summary>
public sealed record GroupResponse(string Id, string Name, IReadOnlyList<GroupMemberResponse> Members, DateTimeOffset CreatedAt);

/// <summary><c>GET /api/v1/groups</c>.</summary>
public sealed record GroupListResponse(IReadOnlyList<GroupResponse> Groups);

/// <summary><c>POST /api/v1/groups</c>.</summary>
public sealed record CreateGroupRequest(string Name);

/// <summary>A role and its permissions.</summary>
public sealed record RoleResponse(string Name, IReadOnlyList<string> Permissions, bool BuiltIn);

/// <summary><c>GET /api/v1/roles</c>, with every permission name a role may hold.</summary>
public sealed record RoleListResponse(IReadOnlyList<RoleResponse> Roles, IReadOnlyList<string> KnownPermissions);

/// <summary><c>PUT /api/v1/roles/{name}</c>: create or replace a custom role.</summary>
public sealed record SaveRoleRequest(IReadOnlyList<string> Permissions);

/// <summary>A registered device.</summary>
public sealed record DeviceResponse(string Id, string UserId, string Name, string Did, DateTimeOffset CreatedAt, DateTimeOffset? LastSeenAt, DateTimeOffset? RevokedAt);

/// <summary><c>GET /api/v1/devices</c>.</summary>
public sealed record DeviceListResponse(IReadOnlyList<DeviceResponse> Devices);

/// <summary>A session as listed.</summary>
public sealed record SessionResponse(
    string Id,
    string UserId,
    string Kind,
    string? DeviceId,
    string? Client,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastSeenAt,
    DateTimeOffset ExpiresAt,
    DateTimeOffset? RevokedAt,
    bool Current);

/// <summary><c>GET /api/v1/sessions</c>.</summary>
public sealed record SessionListResponse(IReadOnlyList<SessionResponse> Sessions);

/// <summary>One audited identity event.</summary>
public sealed record AuditEntryResponse(long Id, DateTimeOffset At, string Event, string? UserId, string? Actor, string? Client, string? Detail);

/// <summary><c>GET /api/v1/audit</c>.</summary>
public sealed record AuditListResponse(IReadOnlyList<AuditEntryResponse> Entries);

/// <summary>One line of the usage profile: an app used from a device and a place.</summary>
public sealed record UsageEntryResponse(string App, string? DeviceId, string Place, long Count, DateTimeOffset FirstAt, DateTimeOffset LastAt);

/// <summary><c>GET /api/v1/users/me/usage</c>: the caller's usage profile.</summary>
public sealed record UsageResponse(string UserId, IReadOnlyList<UsageEntryResponse> Entries);
