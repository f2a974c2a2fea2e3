using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using GreyOS.Abstractions.Errors;
using GreyOS.Abstractions.Identity;
using GreyOS.Abstractions.Storage;
using GreyOS.Identity.Audit;
using GreyOS.Identity.Passwords;
using GreyOS.Identity.Sessions;
using Microsoft.Extensions.Logging;

namespace GreyOS.Identity.AppPasswords;

/// <summary>
/// HTTP Basic credentials for <c>/dav</c> (docs/webdav.md). An app password is checked against the
/// user's live app-password hashes in constant time (cheap: SHA-256) and is not subject to the login
/// back-off, so an attacker hammering a name cannot lock its owner's WebDAV mounts out. The account
/// password goes the password-login way: the per-name back-off (<see cref="LoginThrottle"/>) and
/// Argon2id (<see cref="PasswordHasher"/>). Because DAV clients send Basic with every request, a
/// successful account-password check is remembered for <see cref="CacheLifetime"/> under an HMAC of
/// name and password with a per-process random key (never the password). Every request still reads
/// the user's row: a disabled user, changed roles or a changed password (the stored hash's fingerprint
/// differs) take effect at once.
/// </summary>
internal sealed partial class BasicAuthenticator(IDatabase database, IdentityAudit audit, LoginThrottle throttle, TimeProvider time, ILogger<BasicAuthenticator> logger) : IBasicAuthenticator
{
    public static readonly TimeSpan CacheLifetime = TimeSpan.FromSeconds(60);

    private const int CacheCapacity = 10_000;
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    // Verified when the user does not exist or has no password, so both paths cost one Argon2 hash.
    private static readonly Lazy<string> DummyHash = new(() => PasswordHasher.Hash(Convert.ToHexString(RandomNumberGenerator.GetBytes(16))));

    private readonly byte[] _cacheKey = RandomNumberGenerator.GetBytes(32);
    private readonly ConcurrentDictionary<string, Verified> _verified = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastUsedWritten = new(StringComparer.Ordinal);

    private sealed record Verified(string UserId, byte[] HashFingerprint, DateTimeOffset Until);

    private sealed record BasicUser(string Id, string Name, bool Active, string? PasswordHash, IReadOnlySet<string> Permissions);

    public async ValueTask<Result<BasicPrincipal>> AuthenticateAsync(string userName, string secret, ClientContext client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (string.IsNullOrEmpty(userName) || userName.Length > 256 || string.IsNullOrEmpty(secret) || Encoding.UTF8.GetByteCount(secret) > PasswordHasher.MaximumBytes)
        {
            return InvalidCredentials();
        }

        var user = await FindUserAsync(userName, cancellationToken).ConfigureAwait(false);
        if (AppPasswordService.LooksLikeAppPassword(secret))
        {
            var appPassword = user is { Active: true } ? await MatchAppPasswordAsync(user.Id, secret, cancellationToken).ConfigureAwait(false) : null;
            if (appPassword is not null)
            {
                return new BasicPrincipal(user!.Id, user.Name, user.Permissions, appPassword);
            }

            return await FailedAsync(userName, user?.Id, "app password", client, cancellationToken).ConfigureAwait(false);
        }

        var cacheKey = CacheKey(userName, secret);
        if (user is { Active: true, PasswordHash: { } current } && _verified.TryGetValue(cacheKey, out var verified)
            && verified.Until > time.GetUtcNow() && verified.UserId == user.Id
            && CryptographicOperations.FixedTimeEquals(verified.HashFingerprint, Fingerprint(current)))
        {
            return new BasicPrincipal(user.Id, user.Name, user.Permissions, null);
        }

        var wait = await throttle.WaitFor(userName, cancellationToken).ConfigureAwait(false);
        if (wait > TimeSpan.Zero)
        {
            await audit.WriteAsync(AuditEvents.LoginThrottled, null, null, client.Address, $"dav name={Truncate(userName)} wait={wait.TotalSeconds:0}s", cancellationToken).ConfigureAwait(false);
            return GreyError.TooManyRequests(ErrorCodes.LoginThrottled, $"too many failed logins for this name: try again in {Math.Ceiling(wait.TotalSeconds)} s") with { RetryAfter = wait };
        }

        var ok = await PasswordHasher.VerifyAsync(secret, user?.PasswordHash ?? DummyHash.Value, cancellationToken).ConfigureAwait(false) && user?.PasswordHash is not null;
        if (!ok || !user!.Active)
        {
            return await FailedAsync(userName, user?.Id, ok ? "disabled user" : "password", client, cancellationToken).ConfigureAwait(false);
        }

        await throttle.SucceededAsync(userName, cancellationToken).ConfigureAwait(false);
        if (_verified.Count >= CacheCapacity)
        {
            _verified.Clear();
        }

        _verified[cacheKey] = new Verified(user.Id, Fingerprint(user.PasswordHash!), time.GetUtcNow() + CacheLifetime);
        return new BasicPrincipal(user.Id, user.Name, user.Permissions, null);
    }

    /// <summary>The id of the user's live app password equal to <paramref name="secret"/>, comparing every candidate in constant time.</summary>
    private async Task<string?> MatchAppPasswordAsync(string userId, string secret, CancellationToken cancellationToken)
    {
        var hash = AppPasswordService.HashSecret(secret);
        string? match = null;
        await using (var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
        await using (var select = connection.CreateCommand("SELECT id, secret_hash FROM app_passwords WHERE user_id = $user AND revoked_at IS NULL;").With("$user", userId))
        await using (var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (CryptographicOperations.FixedTimeEquals((byte[])reader.GetValue(1), hash))
                {
                    match = reader.GetString(0);
                }
            }
        }

        if (match is not null)
        {
            await TouchAsync(match, cancellationToken).ConfigureAwait(false);
        }

        return match;
    }

    /// <summary>Records use at most once a minute per app password.</summary>
    private async Task TouchAsync(string id, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_lastUsedWritten.TryGetValue(id, out var last) && now - last < LastUsedResolution)
        {
            return;
        }

        if (_lastUsedWritten.Count >= CacheCapacity)
        {
            _lastUsedWritten.Clear();
        }

        _lastUsedWritten[id] = now;
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var update = connection.CreateCommand("UPDATE app_passwords SET last_used_at = $now WHERE id = $id;")
            .With("$now", now.ToUnixTimeMilliseconds()).With("$id", id);
        await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<BasicUser?> FindUserAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var select = connection.CreateCommand(
            """
            SELECT u.id, u.name, u.status, u.password_hash,
                   (SELECT group_concat(r.permissions, ' ') FROM user_roles ur JOIN roles r ON r.name = ur.role WHERE ur.user_id = u.id)
            FROM users u WHERE u.name = $name;
            """).With("$name", name);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new BasicUser(
                reader.GetString(0),
                reader.GetString(1),
                reader.GetString(2) == "active",
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.IsDBNull(4) ? new HashSet<string>(StringComparer.Ordinal) : reader.GetString(4).Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal))
            : null;
    }

    private async Task<Result<BasicPrincipal>> FailedAsync(string userName, string? userId, string method, ClientContext client, CancellationToken cancellationToken)
    {
        await throttle.FailedAsync(userName, cancellationToken).ConfigureAwait(false);
        await audit.WriteAsync(AuditEvents.LoginFailed, userId, null, client.Address, $"dav {method} name={Truncate(userName)}", cancellationToken).ConfigureAwait(false);
        LogFailed(logger, method);
        return InvalidCredentials();
    }

    private string CacheKey(string userName, string secret) =>
        Convert.ToBase64String(HMACSHA256.HashData(_cacheKey, Encoding.UTF8.GetBytes(userName.ToUpperInvariant() + "\n" + secret)));

    private static byte[] Fingerprint(string passwordHash) => SHA256.HashData(Encoding.UTF8.GetBytes(passwordHash));

    private static string Truncate(string value) => value.Length <= 64 ? value : value[..64];

    private static GreyError InvalidCredentials() =>
        GreyError.Unauthenticated(ErrorCodes.InvalidCredentials, "the user name or password is wrong");

    [LoggerMessage(EventId = 2403, Level = LogLevel.Warning, Message = "WebDAV Basic authentication failed ({Method}): invalid credentials")]
    private static partial void LogFailed(ILogger logger, string method);
}
