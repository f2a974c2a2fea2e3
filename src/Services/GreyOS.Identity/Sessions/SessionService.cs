using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using GreyOS.Abstractions.Errors;
using GreyOS.Abstractions.Identity;
using GreyOS.Abstractions.Storage;
using GreyOS.Identity.Passwords;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GreyOS.Identity.Sessions;

/// <summary>
/// Password login and sessions. A session token is 32 random bytes (<c>gos_</c> + base64url) shown
/// once to the client; the database keeps only its SHA-256, so a stolen database yields no usable
/// token. Unknown users cost the same Argon2 work as wrong passwords (no user enumeration by timing).
/// </summary>
internal sealed partial class SessionService(
    IDatabase database,
    IOptions<IdentityOptions> options,
    TimeProvider time,
    ILogger<SessionService> logger) : ISessionService
{
    private const string TokenPrefix = "gos_";
    private const int TokenBytes = 32;

    // Verified when the user does not exist or has no password, so both paths do one Argon2 hash.
    private static readonly Lazy<string> DummyHash = new(() => PasswordHasher.Hash(Convert.ToHexString(RandomNumberGenerator.GetBytes(16))));

    public async ValueTask<Result<NewSession>> LoginAsync(string userName, string password, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(userName) || userName.Length > 256 || string.IsNullOrEmpty(password) || Encoding.UTF8.GetByteCount(password) > PasswordHasher.MaximumBytes)
        {
            return InvalidCredentials();
        }

        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        (string Id, string Name, string Role, string? Hash)? user = null;
        await using (var find = connection.CreateCommand("SELECT id, name, role, password_hash FROM users WHERE name = $name;").With("$name", userName))
        await using (var reader = await find.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                user = (reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3));
            }
        }

        var verified = PasswordHasher.Verify(password, user?.Hash ?? DummyHash.Value) && user?.Hash is not null;
        if (!verified)
        {
            LogLoginFailed(logger);
            return InvalidCredentials();
        }

        var token = TokenPrefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(TokenBytes));
        var now = time.GetUtcNow();
        var expires = now + options.Value.SessionLifetime;
        var sessionId = "ses_" + Guid.CreateVersion7().ToString("N");
        await using (var insert = connection.CreateCommand(
            "INSERT INTO sessions (id, token_hash, user_id, created_at, expires_at) VALUES ($id, $hash, $user, $now, $expires);")
            .With("$id", sessionId).With("$hash", HashToken(token)).With("$user", user!.Value.Id)
            .With("$now", now.ToUnixTimeMilliseconds()).With("$expires", expires.ToUnixTimeMilliseconds()))
        {
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        LogLoggedIn(logger, user.Value.Name, sessionId);
        return new NewSession(token, new SessionPrincipal(sessionId, user.Value.Id, user.Value.Name, user.Value.Role, TruncateToMilliseconds(expires)));
    }

    public async ValueTask<SessionPrincipal?> ValidateAsync(string token, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 128 || !token.StartsWith(TokenPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var find = connection.CreateCommand(
            """
            SELECT s.id, u.id, u.name, u.role, s.expires_at
            FROM sessions s JOIN users u ON u.id = s.user_id
            WHERE s.token_hash = $hash AND s.revoked_at IS NULL AND s.expires_at > $now;
            """).With("$hash", HashToken(token)).With("$now", time.GetUtcNow().ToUnixTimeMilliseconds());
        await using var reader = await find.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new SessionPrincipal(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)))
            : null;
    }

    public async ValueTask RevokeAsync(string sessionId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var revoke = connection.CreateCommand("UPDATE sessions SET revoked_at = $now WHERE id = $id AND revoked_at IS NULL;")
            .With("$now", time.GetUtcNow().ToUnixTimeMilliseconds()).With("$id", sessionId);
        if (await revoke.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0)
        {
            LogLoggedOut(logger, sessionId);
        }
    }

    private static byte[] HashToken(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    private static DateTimeOffset TruncateToMilliseconds(DateTimeOffset value) => DateTimeOffset.FromUnixTimeMilliseconds(value.ToUnixTimeMilliseconds());

    private static GreyError InvalidCredentials() =>
        GreyError.Unauthenticated(ErrorCodes.InvalidCredentials, "the user name or password is wrong");

    [LoggerMessage(EventId = 2201, Level = LogLevel.Information, Message = "User '{Name}' logged in (session {SessionId})")]
    private static partial void LogLoggedIn(ILogger logger, string name, string sessionId);

    [LoggerMessage(EventId = 2202, Level = LogLevel.Warning, Message = "Login failed: invalid credentials")]
    private static partial void LogLoginFailed(ILogger logger);

    [LoggerMessage(EventId = 2203, Level = LogLevel.Information, Message = "Session {SessionId} ended")]
    private static partial void LogLoggedOut(ILogger logger, string sessionId);
}
