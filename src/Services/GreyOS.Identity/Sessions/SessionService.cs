using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using GreyOS.Abstractions.Errors;
using GreyOS.Abstractions.Identity;
using GreyOS.Abstractions.Storage;
using GreyOS.Identity.Audit;
using GreyOS.Identity.Keys;
using GreyOS.Identity.Passwords;
using GreyOS.Identity.Signatures;
using GreyOS.Identity.Srp;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GreyOS.Identity.Sessions;

/// <summary>
/// Logins and sessions (docs/design/0003-identity.md). Browser sessions: a 256-bit cookie secret
/// stored as SHA-256, plus a CSRF token derived from the session id under a node key. Device
/// sessions: bound to a registered Ed25519 key; each request carries a signature whose key id is
/// the session id. Every failure is uniform to the caller; its reason goes to the audit trail.
/// </summary>
internal sealed partial class SessionService : ISessionService
{
    private const string CookiePrefix = "gos_";
    private const int SecretBytes = 32;
    private const int MaxPending = 10_000;
    private static readonly TimeSpan ChallengeLifetime = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan LastSeenResolution = TimeSpan.FromMinutes(1);

    // Verified when the user does not exist or has no password, so both paths do one Argon2 hash.
    private static readonly Lazy<string> DummyHash = new(() => PasswordHasher.Hash(Convert.ToHexString(RandomNumberGenerator.GetBytes(16))));

    private readonly IDatabase _database;
    private readonly IdentityAudit _audit;
    private readonly IInstanceIdentity _instance;
    private readonly IdentityOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<SessionService> _logger;
    private readonly LoginThrottle _throttle;
    private readonly ReplayCache _replays;
    private readonly ConcurrentDictionary<string, (byte[] Challenge, DateTimeOffset Expires)> _challenges = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PendingSrp> _pendingSrp = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastSeenWritten = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _rejectionAudited = new(StringComparer.Ordinal);
    private readonly Lazy<byte[]> _nodeSecret;
    private readonly NodeSrp _srp;
    private readonly SessionCache _cache;

    public SessionService(
        IDatabase database,
        IdentityAudit audit,
        IInstanceIdentity instance,
        LoginThrottle throttle,
        NodeSrp srp,
        SessionCache cache,
        IOptions<IdentityOptions> options,
        TimeProvider time,
        ILogger<SessionService> logger)
    {
        _database = database;
        _audit = audit;
        _instance = instance;
        _throttle = throttle;
        _srp = srp;
        _cache = cache;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _replays = new ReplayCache(_options.SignatureWindow * 2, time);

        // A secret only this node can derive (Ed25519 signatures are deterministic): CSRF tokens stay
        // valid across restarts without another key file.
        _nodeSecret = new Lazy<byte[]>(() => SHA256.HashData(instance.Sign("greyos-session-secret-v1"u8)));
    }

    private sealed record PendingSrp(string UserName, string? UserId, SrpServerHandshake Handshake, DateTimeOffset Expires);

    // ------------------------------------------------------------------ logins

    public async ValueTask<Result<LoginResult>> LoginWithPasswordAsync(string userName, string password, DeviceRegistration? device, ClientContext client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (string.IsNullOrEmpty(userName) || userName.Length > 256 || string.IsNullOrEmpty(password) || Encoding.UTF8.GetByteCount(password) > PasswordHasher.MaximumBytes)
        {
            return InvalidCredentials();
        }

        if (device is not null && CheckDevice(device, out _) is { } badDevice)
        {
            return badDevice;
        }

        if (await ThrottledAsync(userName, client, cancellationToken).ConfigureAwait(false) is { } throttled)
        {
            return throttled;
        }

        var user = await FindLoginUserAsync(userName, cancellationToken).ConfigureAwait(false);
        var verified = await PasswordHasher.VerifyAsync(password, user?.PasswordHash ?? DummyHash.Value, cancellationToken).ConfigureAwait(false) && user?.PasswordHash is not null;
        if (!verified || user!.Status != UserStatus.Active)
        {
            return await FailedAsync(userName, user?.Id, verified ? "disabled user" : "password", client, cancellationToken).ConfigureAwait(false);
        }

        await _throttle.SucceededAsync(userName, cancellationToken).ConfigureAwait(false);
        return await OpenAsync(user, device, null, "password", client, cancellationToken).ConfigureAwait(false);
    }

    public ValueTask<LoginChallenge> CreateChallengeAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        Prune(_challenges, now, c => c.Expires);
        var id = "chl_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var challenge = RandomNumberGenerator.GetBytes(32);
        _challenges[id] = (challenge, now + ChallengeLifetime);
        return ValueTask.FromResult(new LoginChallenge(id, challenge, _instance.Did, now + ChallengeLifetime));
    }

    public async ValueTask<Result<LoginResult>> LoginWithKeyAsync(string challengeId, string did, byte[] signature, ClientContext client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var device = await VerifyChallengeAsync(challengeId, did, signature, null, cancellationToken).ConfigureAwait(false);
        if (!device.IsSuccess)
        {
            await RejectAsync(AuditEvents.LoginFailed, null, $"key: {device.Error.Message}", client, cancellationToken).ConfigureAwait(false);
            return KeyRefused();
        }

        var (deviceId, userId) = device.Value;
        var user = await FindLoginUserAsync(userId, cancellationToken).ConfigureAwait(false);
        if (user is null || user.Status != UserStatus.Active)
        {
            await RejectAsync(AuditEvents.LoginFailed, userId, "key: disabled user", client, cancellationToken).ConfigureAwait(false);
            return KeyRefused();
        }

        return await OpenAsync(user, null, deviceId, "key", client, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<Result<SrpChallenge>> StartSrpAsync(string userName, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(userName) || userName.Length > 256)
        {
            return InvalidCredentials();
        }

        var now = _time.GetUtcNow();
        Prune(_pendingSrp, now, p => p.Expires);
        var user = await FindLoginUserAsync(userName, cancellationToken).ConfigureAwait(false);

        // Unknown user (or no SRP verifier): a decoy whose salt is stable per name, so the answer does not tell.
        var handshake = user is { SrpSalt: { } salt, SrpVerifier: { } verifier }
            ? _srp.Server.Start(new SrpVerifier(salt, verifier))
            : _srp.Server.StartUnknownUser(userName);
        var id = "srp_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        _pendingSrp[id] = new PendingSrp(userName, user?.SrpVerifier is null ? null : user.Id, handshake, now + ChallengeLifetime);
        return new SrpChallenge(id, handshake.Salt, handshake.B);
    }

    public async ValueTask<Result<SrpLogin>> FinishSrpAsync(string srpId, byte[] clientPublic, byte[] clientProof, DeviceRegistration? device, ClientContext client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (device is not null && CheckDevice(device, out _) is { } badDevice)
        {
            return badDevice;
        }

        if (srpId is null || !_pendingSrp.TryRemove(srpId, out var pending) || pending.Expires < _time.GetUtcNow())
        {
            return InvalidCredentials();
        }

        if (await ThrottledAsync(pending.UserName, client, cancellationToken).ConfigureAwait(false) is { } throttled)
        {
            return throttled;
        }

        var proof = pending.Handshake.Finish(clientPublic ?? [], clientProof ?? []);
        var user = proof.IsSuccess && pending.UserId is not null ? await FindLoginUserAsync(pending.UserId, cancellationToken).ConfigureAwait(false) : null;
        if (!proof.IsSuccess || user is null || user.Status != UserStatus.Active)
        {
            return (await FailedAsync(pending.UserName, pending.UserId, "srp", client, cancellationToken).ConfigureAwait(false)).Error!;
        }

        await _throttle.SucceededAsync(pending.UserName, cancellationToken).ConfigureAwait(false);
        var login = await OpenAsync(user, device, null, "srp", client, cancellationToken).ConfigureAwait(false);
        return login.IsSuccess ? new SrpLogin(login.Value, proof.Value.M2) : login.Error;
    }

    // ------------------------------------------------------------------ request authentication

    public async ValueTask<SessionPrincipal?> AuthenticateCookieAsync(string token, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 128 || !token.StartsWith(CookiePrefix, StringComparison.Ordinal))
        {
            return null;
        }

        var principal = await LoadPrincipalAsync("s.token_hash = $key AND s.kind = 'browser'", HashSecret(token), cancellationToken).ConfigureAwait(false);
        if (principal is not null)
        {
            await TouchAsync(principal.SessionId, null, extend: false, cancellationToken).ConfigureAwait(false);
        }

        return principal;
    }

    public async ValueTask<Result<SessionPrincipal>> AuthenticateSignatureAsync(SignedRequest request, ClientContext client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(client);
        var reason = await VerifySignatureAsync(request, cancellationToken).ConfigureAwait(false);
        if (reason.IsSuccess)
        {
            return reason.Value;
        }

        // One audit row per key id per minute: a flood of bad signatures must not flood the trail.
        var now = _time.GetUtcNow();
        var key = request.KeyId.Length > 64 ? request.KeyId[..64] : request.KeyId;
        if (!_rejectionAudited.TryGetValue(key, out var last) || now - last > TimeSpan.FromMinutes(1))
        {
            Prune(_rejectionAudited, now - TimeSpan.FromMinutes(1), t => t);
            _rejectionAudited[key] = now;
            await _audit.WriteAsync(AuditEvents.SignatureRejected, null, null, client.Address, $"keyid={key}: {reason.Error.Message}", cancellationToken).ConfigureAwait(false);
        }

        return GreyError.Unauthenticated(ErrorCodes.InvalidSignature, "the request signature is not valid");
    }

    public string CsrfTokenFor(string sessionId) =>
        Base64Url.EncodeToString(HMACSHA256.HashData(_nodeSecret.Value, Encoding.UTF8.GetBytes("csrf\n" + sessionId)));

    // ------------------------------------------------------------------ step-up

    public async ValueTask<Result<SessionPrincipal>> StepUpWithPasswordAsync(string sessionId, string password, ClientContext client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var principal = await LoadPrincipalAsync("s.id = $key", sessionId, cancellationToken).ConfigureAwait(false);
        if (principal is null)
        {
            return SessionNotFound();
        }

        if (await ThrottledAsync(principal.UserName, client, cancellationToken).ConfigureAwait(false) is { } throttled)
        {
            return throttled;
        }

        var user = await FindLoginUserAsync(principal.UserId, cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrEmpty(password) || Encoding.UTF8.GetByteCount(password) > PasswordHasher.MaximumBytes
            || user?.PasswordHash is null || !await PasswordHasher.VerifyAsync(password, user.PasswordHash, cancellationToken).ConfigureAwait(false))
        {
            var failed = await FailedAsync(principal.UserName, principal.UserId, "step-up password", client, cancellationToken).ConfigureAwait(false);
            return failed.Error!;
        }

        await _throttle.SucceededAsync(principal.UserName, cancellationToken).ConfigureAwait(false);
        return await SteppedUpAsync(principal, "password", client, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<Result<SessionPrincipal>> StepUpWithKeyAsync(string sessionId, string challengeId, byte[] signature, ClientContext client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var principal = await LoadPrincipalAsync("s.id = $key", sessionId, cancellationToken).ConfigureAwait(false);
        if (principal?.DeviceId is null)
        {
            return GreyError.Invalid(ErrorCodes.InvalidRequest, "key step-up needs a device session; browser sessions step up with the password");
        }

        var device = await VerifyChallengeAsync(challengeId, null, signature, principal.DeviceId, cancellationToken).ConfigureAwait(false);
        if (!device.IsSuccess)
        {
            await RejectAsync(AuditEvents.LoginFailed, principal.UserId, $"step-up key: {device.Error.Message}", client, cancellationToken).ConfigureAwait(false);
            return KeyRefused();
        }

        return await SteppedUpAsync(principal, "key", client, cancellationToken).ConfigureAwait(false);
    }

    // ------------------------------------------------------------------ sessions and devices

    public async ValueTask<IReadOnlyList<SessionRecord>> ListSessionsAsync(string? userId, CancellationToken cancellationToken)
    {
        var since = (_time.GetUtcNow() - TimeSpan.FromDays(1)).ToUnixTimeMilliseconds();
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var select = connection.CreateCommand(
            $"""
            SELECT {SessionColumns} FROM sessions
            WHERE ($user IS NULL OR user_id = $user) AND coalesce(revoked_at, expires_at) > $since
            ORDER BY created_at DESC LIMIT 1000;
            """).With("$user", userId).With("$since", since);
        return await ReadSessionsAsync(select, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<Result<SessionRecord>> RevokeSessionAsync(string sessionId, string? ownerUserId, string actor, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var revoke = connection.CreateCommand(
            $"""
            UPDATE sessions SET revoked_at = coalesce(revoked_at, $now) WHERE id = $id AND ($owner IS NULL OR user_id = $owner)
            RETURNING {SessionColumns};
            """).With("$now", _time.GetUtcNow().ToUnixTimeMilliseconds()).With("$id", sessionId).With("$owner", ownerUserId);
        var revoked = await ReadSessionsAsync(revoke, cancellationToken).ConfigureAwait(false);
        if (revoked.Count == 0)
        {
            return SessionNotFound();
        }

        _cache.Remove(sessionId);
        await _audit.WriteAsync(AuditEvents.SessionRevoked, revoked[0].UserId, actor, null, sessionId, cancellationToken).ConfigureAwait(false);
        LogSessionRevoked(_logger, sessionId);
        return revoked[0];
    }

    public async ValueTask<IReadOnlyList<DeviceRecord>> ListDevicesAsync(string userId, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var select = connection.CreateCommand($"SELECT {DeviceColumns} FROM devices WHERE user_id = $user ORDER BY created_at;").With("$user", userId);
        return await ReadDevicesAsync(select, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<Result<DeviceRecord>> AddDeviceAsync(string userId, DeviceRegistration device, string actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (CheckDevice(device, out var publicKey) is { } bad)
        {
            return bad;
        }

        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var added = await InsertDeviceAsync(connection, null, userId, device, publicKey, cancellationToken).ConfigureAwait(false);
        if (added.IsSuccess)
        {
            await _audit.WriteAsync(AuditEvents.DeviceAdded, userId, actor, null, $"{added.Value.Id} name={device.Name} did={device.Did}", cancellationToken).ConfigureAwait(false);
        }

        return added;
    }

    public async ValueTask<Result<DeviceRecord>> RevokeDeviceAsync(string deviceId, string? ownerUserId, string actor, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        IReadOnlyList<DeviceRecord> revoked;
        await using (var revoke = connection.CreateCommand(
            $"""
            UPDATE devices SET revoked_at = coalesce(revoked_at, $now) WHERE id = $id AND ($owner IS NULL OR user_id = $owner)
            RETURNING {DeviceColumns};
            """, transaction).With("$now", now).With("$id", deviceId).With("$owner", ownerUserId))
        {
            revoked = await ReadDevicesAsync(revoke, cancellationToken).ConfigureAwait(false);
        }

        if (revoked.Count == 0)
        {
            return GreyError.NotFound(ErrorCodes.DeviceNotFound, $"no device '{deviceId}'");
        }

        await using (var sessions = connection.CreateCommand("UPDATE sessions SET revoked_at = $now WHERE device_id = $id AND revoked_at IS NULL;", transaction)
            .With("$now", now).With("$id", deviceId))
        {
            await sessions.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        _cache.RemoveUser(revoked[0].UserId);
        await _audit.WriteAsync(AuditEvents.DeviceRevoked, revoked[0].UserId, actor, null, deviceId, cancellationToken).ConfigureAwait(false);
        return revoked[0];
    }

    // ------------------------------------------------------------------ internals

    private sealed record LoginUser(string Id, string Name, UserStatus Status, string? PasswordHash, byte[]? SrpSalt, byte[]? SrpVerifier);

    private const string SessionColumns = "id, user_id, kind, device_id, client, created_at, last_seen_at, expires_at, revoked_at";
    private const string DeviceColumns = "id, user_id, name, did, created_at, last_seen_at, revoked_at";

    private async Task<Result<(string DeviceId, string UserId)>> VerifyChallengeAsync(string challengeId, string? did, byte[] signature, string? requiredDevice, CancellationToken cancellationToken)
    {
        if (challengeId is null || !_challenges.TryRemove(challengeId, out var challenge) || challenge.Expires < _time.GetUtcNow())
        {
            return GreyError.Unauthenticated(ErrorCodes.InvalidCredentials, "unknown, used or expired challenge");
        }

        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        string sql;
        object key;
        if (requiredDevice is not null)
        {
            sql = "SELECT id, user_id, public_key FROM devices WHERE id = $key AND revoked_at IS NULL;";
            key = requiredDevice;
        }
        else if (DidKey.TryParseEd25519(did, out var publicKey))
        {
            sql = "SELECT id, user_id, public_key FROM devices WHERE public_key = $key AND revoked_at IS NULL;";
            key = publicKey;
        }
        else
        {
            return GreyError.Unauthenticated(ErrorCodes.InvalidCredentials, "not an Ed25519 did:key");
        }

        await using var select = connection.CreateCommand(sql).With("$key", key);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return GreyError.Unauthenticated(ErrorCodes.InvalidCredentials, "no live device with this key");
        }

        var message = LoginMessage(_instance.Did, challenge.Challenge);
        return Ed25519Signer.Verify((byte[])reader.GetValue(2), message, signature ?? [])
            ? (reader.GetString(0), reader.GetString(1))
            : GreyError.Unauthenticated(ErrorCodes.InvalidCredentials, "the challenge signature does not verify");
    }

    /// <summary>What a did:key login signs: <c>greyos-login-v1\n{node did}\n{base64url(challenge)}</c>.</summary>
    internal static byte[] LoginMessage(string nodeDid, byte[] challenge) =>
        Encoding.UTF8.GetBytes($"greyos-login-v1\n{nodeDid}\n{Base64Url.EncodeToString(challenge)}");

    private async Task<Result<SessionPrincipal>> VerifySignatureAsync(SignedRequest request, CancellationToken cancellationToken)
    {
        if (!SessionIdPattern().IsMatch(request.KeyId ?? string.Empty))
        {
            return GreyError.Unauthenticated(ErrorCodes.InvalidSignature, "malformed keyid");
        }

        if (request.Nonce is null || !NoncePattern().IsMatch(request.Nonce))
        {
            return GreyError.Unauthenticated(ErrorCodes.InvalidSignature, "nonce must be 16–64 characters of [A-Za-z0-9_-]");
        }

        var skew = _time.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(request.Created, 0, 253_402_300_799));
        if (skew.Duration() > _options.SignatureWindow)
        {
            return GreyError.Unauthenticated(ErrorCodes.InvalidSignature, $"created is {skew.TotalSeconds:0} s away from the node's clock");
        }

        if (!_cache.TryGet(request.KeyId!, out var principal, out var publicKey))
        {
            if (await LoadSessionAsync("s.id = $key AND s.kind = 'device'", request.KeyId!, cancellationToken).ConfigureAwait(false) is not var (loaded, key))
            {
                return GreyError.Unauthenticated(ErrorCodes.InvalidSignature, "unknown, expired or revoked session");
            }

            (principal, publicKey) = (loaded, key);
            _cache.Set(principal, publicKey);
        }

        if (publicKey is null)
        {
            return GreyError.Unauthenticated(ErrorCodes.InvalidSignature, "the session's device is revoked");
        }

        if (!Ed25519Signer.Verify(publicKey, request.SignatureBase, request.Signature ?? []))
        {
            return GreyError.Unauthenticated(ErrorCodes.InvalidSignature, "the signature does not verify");
        }

        if (!_replays.TryUse(request.KeyId!, request.Nonce))
        {
            return GreyError.Unauthenticated(ErrorCodes.InvalidSignature, "replayed nonce");
        }

        await TouchAsync(principal.SessionId, principal.DeviceId, extend: true, cancellationToken).ConfigureAwait(false);
        return principal;
    }

    private async Task<Result<LoginResult>> OpenAsync(LoginUser user, DeviceRegistration? register, string? deviceId, string method, ClientContext client, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        DeviceRecord? device = null;
        if (register is not null)
        {
            CheckDevice(register, out var publicKey);
            var added = await InsertDeviceAsync(connection, transaction, user.Id, register, publicKey, cancellationToken).ConfigureAwait(false);
            if (!added.IsSuccess)
            {
                return added.Error;
            }

            device = added.Value;
            deviceId = device.Id;
        }

        var kind = deviceId is null ? SessionKind.Browser : SessionKind.Device;
        var cookie = kind == SessionKind.Browser ? CookiePrefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(SecretBytes)) : null;
        var expires = now + (kind == SessionKind.Browser ? _options.SessionLifetime : _options.DeviceSessionLifetime);
        var sessionId = "ses_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        await using (var insert = connection.CreateCommand(
            """
            INSERT INTO sessions (id, user_id, kind, device_id, token_hash, client, created_at, last_seen_at, expires_at, authenticated_at)
            VALUES ($id, $user, $kind, $device, $hash, $client, $now, $now, $expires, $now);
            """, transaction)
            .With("$id", sessionId).With("$user", user.Id).With("$kind", kind == SessionKind.Browser ? "browser" : "device").With("$device", deviceId)
            .With("$hash", cookie is null ? null : HashSecret(cookie)).With("$client", Describe(client))
            .With("$now", now.ToUnixTimeMilliseconds()).With("$expires", expires.ToUnixTimeMilliseconds()))
        {
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        if (device is not null)
        {
            await _audit.WriteAsync(AuditEvents.DeviceAdded, user.Id, user.Id, client.Address, $"{device.Id} name={device.Name} did={device.Did} (at login)", cancellationToken).ConfigureAwait(false);
        }

        await _audit.WriteAsync(AuditEvents.LoginSucceeded, user.Id, user.Id, client.Address, $"{method} {sessionId}", cancellationToken).ConfigureAwait(false);
        await _audit.RecordUsageAsync(user.Id, client.App, deviceId, client.Address, cancellationToken).ConfigureAwait(false);
        LogLoggedIn(_logger, user.Name, method, sessionId);
        var principal = (await LoadPrincipalAsync("s.id = $key", sessionId, cancellationToken).ConfigureAwait(false))!;
        return new LoginResult(principal, cookie, kind == SessionKind.Browser ? CsrfTokenFor(sessionId) : null, device);
    }

    private async Task<Result<DeviceRecord>> InsertDeviceAsync(DbConnection connection, DbTransaction? transaction, string userId, DeviceRegistration device, byte[] publicKey, CancellationToken cancellationToken)
    {
        var id = "dev_" + Guid.CreateVersion7().ToString("N");
        await using var insert = connection.CreateCommand(
            $"""
            INSERT INTO devices (id, user_id, name, public_key, did, created_at) VALUES ($id, $user, $name, $key, $did, $now)
            ON CONFLICT (public_key) DO NOTHING RETURNING {DeviceColumns};
            """, transaction)
            .With("$id", id).With("$user", userId).With("$name", device.Name).With("$key", publicKey).With("$did", device.Did)
            .With("$now", _time.GetUtcNow().ToUnixTimeMilliseconds());
        var added = await ReadDevicesAsync(insert, cancellationToken).ConfigureAwait(false);
        return added.Count == 1
            ? added[0]
            : GreyError.Conflict(ErrorCodes.DeviceExists, "this key is already registered as a device; generate a new key for a new device");
    }

    private static GreyError? CheckDevice(DeviceRegistration device, out byte[] publicKey)
    {
        publicKey = [];
        if (string.IsNullOrWhiteSpace(device.Name) || device.Name.Length > 64 || device.Name.Any(char.IsControl))
        {
            return GreyError.Invalid(ErrorCodes.InvalidRequest, "a device name has 1–64 characters and no control characters");
        }

        return DidKey.TryParseEd25519(device.Did, out publicKey)
            ? null
            : GreyError.Invalid(ErrorCodes.InvalidRequest, "the device key must be an Ed25519 did:key (did:key:z6Mk…)");
    }

    private async Task<Result<SessionPrincipal>> SteppedUpAsync(SessionPrincipal principal, string method, ClientContext client, CancellationToken cancellationToken)
    {
        await using (var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
        await using (var update = connection.CreateCommand("UPDATE sessions SET authenticated_at = $now WHERE id = $id;")
            .With("$now", _time.GetUtcNow().ToUnixTimeMilliseconds()).With("$id", principal.SessionId))
        {
            await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        _cache.Remove(principal.SessionId);
        await _audit.WriteAsync(AuditEvents.StepUp, principal.UserId, principal.UserId, client.Address, $"{method} {principal.SessionId}", cancellationToken).ConfigureAwait(false);
        return (await LoadPrincipalAsync("s.id = $key", principal.SessionId, cancellationToken).ConfigureAwait(false))!;
    }

    private async Task<GreyError?> ThrottledAsync(string userName, ClientContext client, CancellationToken cancellationToken)
    {
        var wait = await _throttle.WaitFor(userName, cancellationToken).ConfigureAwait(false);
        if (wait <= TimeSpan.Zero)
        {
            return null;
        }

        await RejectAsync(AuditEvents.LoginThrottled, null, $"name={Truncate(userName)} wait={wait.TotalSeconds:0}s", client, cancellationToken).ConfigureAwait(false);
        return GreyError.TooManyRequests(ErrorCodes.LoginThrottled, $"too many failed logins for this name: try again in {Math.Ceiling(wait.TotalSeconds)} s") with { RetryAfter = wait };
    }

    private async Task<Result<LoginResult>> FailedAsync(string userName, string? userId, string method, ClientContext client, CancellationToken cancellationToken)
    {
        await _throttle.FailedAsync(userName, cancellationToken).ConfigureAwait(false);
        await RejectAsync(AuditEvents.LoginFailed, userId, $"{method} name={Truncate(userName)}", client, cancellationToken).ConfigureAwait(false);
        LogLoginFailed(_logger, method);
        return InvalidCredentials();
    }

    private async Task RejectAsync(string @event, string? userId, string detail, ClientContext client, CancellationToken cancellationToken) =>
        await _audit.WriteAsync(@event, userId, null, client.Address, detail, cancellationToken).ConfigureAwait(false);

    private async Task<LoginUser?> FindLoginUserAsync(string idOrName, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var select = connection.CreateCommand(
            "SELECT id, name, status, password_hash, srp_salt, srp_verifier FROM users WHERE id = $key OR name = $key;").With("$key", idOrName);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new LoginUser(
                reader.GetString(0),
                reader.GetString(1),
                reader.GetString(2) == "active" ? UserStatus.Active : UserStatus.Disabled,
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.IsDBNull(4) ? null : (byte[])reader.GetValue(4),
                reader.IsDBNull(5) ? null : (byte[])reader.GetValue(5))
            : null;
    }

    private async Task<SessionPrincipal?> LoadPrincipalAsync(string where, object key, CancellationToken cancellationToken) =>
        (await LoadSessionAsync(where, key, cancellationToken).ConfigureAwait(false))?.Principal;

    /// <summary>
    /// A live session with its user's roles and permissions and, for device sessions, the device's
    /// public key (null when the device is revoked) — one query, as every signed request needs it.
    /// </summary>
    private async Task<(SessionPrincipal Principal, byte[]? DeviceKey)?> LoadSessionAsync(string where, object key, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var select = connection.CreateCommand(
            $"""
            SELECT s.id, u.id, u.name, s.kind, s.device_id, s.expires_at, s.authenticated_at,
                   (SELECT group_concat(role, ' ') FROM user_roles WHERE user_id = u.id),
                   (SELECT group_concat(r.permissions, ' ') FROM user_roles ur JOIN roles r ON r.name = ur.role WHERE ur.user_id = u.id),
                   d.public_key
            FROM sessions s JOIN users u ON u.id = s.user_id
            LEFT JOIN devices d ON d.id = s.device_id AND d.revoked_at IS NULL
            WHERE {where} AND s.revoked_at IS NULL AND s.expires_at > $now AND u.status = 'active';
            """).With("$key", key).With("$now", _time.GetUtcNow().ToUnixTimeMilliseconds());
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var authenticated = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6));
        var principal = new SessionPrincipal(
            reader.GetString(0),
            reader.GetString(1),
            reader.GetString(2),
            reader.IsDBNull(7) ? [] : reader.GetString(7).Split(' ', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal).ToList(),
            reader.IsDBNull(8) ? new HashSet<string>(StringComparer.Ordinal) : reader.GetString(8).Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal),
            reader.GetString(3) == "browser" ? SessionKind.Browser : SessionKind.Device,
            reader.IsDBNull(4) ? null : reader.GetString(4),
            DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
            authenticated,
            authenticated + _options.StepUpWindow);
        return (principal, reader.IsDBNull(9) ? null : (byte[])reader.GetValue(9));
    }

    /// <summary>Records use at most once a minute per session (and extends device sessions: sliding expiry).</summary>
    private async Task TouchAsync(string sessionId, string? deviceId, bool extend, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (_lastSeenWritten.TryGetValue(sessionId, out var last) && now - last < LastSeenResolution)
        {
            return;
        }

        if (_lastSeenWritten.Count > MaxPending)
        {
            Prune(_lastSeenWritten, now - LastSeenResolution, t => t);
        }

        _lastSeenWritten[sessionId] = now;
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var update = connection.CreateCommand(
            """
            UPDATE sessions SET last_seen_at = $now, expires_at = CASE WHEN $extend THEN max(expires_at, $expires) ELSE expires_at END WHERE id = $id;
            UPDATE devices SET last_seen_at = $now WHERE id = $device;
            """)
            .With("$now", now.ToUnixTimeMilliseconds()).With("$extend", extend ? 1 : 0)
            .With("$expires", (now + _options.DeviceSessionLifetime).ToUnixTimeMilliseconds()).With("$id", sessionId).With("$device", deviceId);
        await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<IReadOnlyList<SessionRecord>> ReadSessionsAsync(DbCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var sessions = new List<SessionRecord>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            sessions.Add(new SessionRecord(
                reader.GetString(0),
                reader.GetString(1),
                reader.GetString(2) == "browser" ? SessionKind.Browser : SessionKind.Device,
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7)),
                reader.IsDBNull(8) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(8))));
        }

        return sessions;
    }

    private static async Task<IReadOnlyList<DeviceRecord>> ReadDevicesAsync(DbCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var devices = new List<DeviceRecord>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            devices.Add(new DeviceRecord(
                reader.GetString(0),
                reader.GetString(1),
                reader.GetString(2),
                reader.GetString(3),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)),
                reader.IsDBNull(5) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
                reader.IsDBNull(6) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6))));
        }

        return devices;
    }

    private static void Prune<T>(ConcurrentDictionary<string, T> entries, DateTimeOffset before, Func<T, DateTimeOffset> time)
    {
        if (entries.Count < MaxPending)
        {
            return;
        }

        foreach (var (key, value) in entries)
        {
            if (time(value) < before)
            {
                entries.TryRemove(key, out _);
            }
        }

        // Still full (a flood of live entries): drop arbitrary ones rather than grow without bound.
        foreach (var key in entries.Keys.Take(Math.Max(0, entries.Count - (MaxPending / 2))))
        {
            entries.TryRemove(key, out _);
        }
    }

    private static string Describe(ClientContext client) =>
        Truncate($"{client.App} {client.Address} {client.UserAgent}".Trim(), 200);

    private static string Truncate(string value, int max = 64) => value.Length <= max ? value : value[..max];

    private static byte[] HashSecret(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    private static GreyError InvalidCredentials() =>
        GreyError.Unauthenticated(ErrorCodes.InvalidCredentials, "the user name or password is wrong");

    private static GreyError KeyRefused() =>
        GreyError.Unauthenticated(ErrorCodes.InvalidCredentials, "the key or its signature is not accepted");

    private static GreyError SessionNotFound() => GreyError.NotFound(ErrorCodes.SessionNotFound, "no such session");

    [GeneratedRegex("^ses_[0-9a-f]{32}$")]
    private static partial Regex SessionIdPattern();

    [GeneratedRegex("^[A-Za-z0-9_-]{16,64}$")]
    private static partial Regex NoncePattern();

    [LoggerMessage(EventId = 2201, Level = LogLevel.Information, Message = "User '{Name}' logged in by {Method} (session {SessionId})")]
    private static partial void LogLoggedIn(ILogger logger, string name, string method, string sessionId);

    [LoggerMessage(EventId = 2202, Level = LogLevel.Warning, Message = "Login failed ({Method}): invalid credentials")]
    private static partial void LogLoginFailed(ILogger logger, string method);

    [LoggerMessage(EventId = 2203, Level = LogLevel.Information, Message = "Session {SessionId} ended")]
    private static partial void LogSessionRevoked(ILogger logger, string sessionId);
}
