using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using GreyOS.Abstractions.Errors;
using GreyOS.Abstractions.Identity;
using GreyOS.Abstractions.Storage;
using GreyOS.Identity.Audit;
using Microsoft.Extensions.Logging;

namespace GreyOS.Identity.AppPasswords;

/// <summary>
/// App passwords (docs/webdav.md): 160 random bits, shown once as eight groups of four characters
/// and stored as SHA-256. A slow hash is not needed: it only slows guessing of low-entropy human
/// passwords, while 2^160 candidates cannot be searched however fast SHA-256 is, and a stolen hash
/// cannot be inverted. Revocation is a row update; disabling a user revokes theirs (a trigger of the
/// identity schema v3); deleting a user deletes them.
/// </summary>
internal sealed partial class AppPasswordService(IDatabase database, IdentityAudit audit, TimeProvider time, ILogger<AppPasswordService> logger) : IAppPasswordService
{
    public const string CreatedEvent = "app_password.created";
    public const string RevokedEvent = "app_password.revoked";

    /// <summary>Characters of a secret: lower-case letters and digits without the look-alikes 0 1 l o (32, so 5 bits each).</summary>
    private const string Alphabet = "abcdefghijkmnpqrstuvwxyz23456789";
    private const int Groups = 8;
    private const int GroupLength = 4;
    private const string Columns = "id, user_id, label, created_at, last_used_at, revoked_at";

    /// <summary>True when <paramref name="secret"/> has the shape of an app password (case-insensitive).</summary>
    public static bool LooksLikeAppPassword(string secret)
    {
        if (secret.Length != (Groups * GroupLength) + Groups - 1)
        {
            return false;
        }

        for (var i = 0; i < secret.Length; i++)
        {
            var c = char.ToLowerInvariant(secret[i]);
            if ((i + 1) % (GroupLength + 1) == 0 ? c != '-' : !Alphabet.Contains(c, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>SHA-256 of the secret as typed, ignoring case (the alphabet is lower-case).</summary>
    public static byte[] HashSecret(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret.ToLowerInvariant()));

    public async ValueTask<Result<NewAppPassword>> CreateAsync(string userId, string label, string actor, CancellationToken cancellationToken)
    {
        label = label?.Trim() ?? string.Empty;
        if (label.Length is 0 or > 64 || label.Any(char.IsControl))
        {
            return GreyError.Invalid(ErrorCodes.InvalidRequest, "an app password label has 1–64 characters and no control characters (e.g. \"laptop davfs2\")");
        }

        var secret = NewSecret();
        var now = time.GetUtcNow();
        var id = "apw_" + Guid.CreateVersion7(now).ToString("N");
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var count = connection.CreateCommand(
            """
            SELECT (SELECT status FROM users WHERE id = $user), (SELECT count(*) FROM app_passwords WHERE user_id = $user AND revoked_at IS NULL);
            """, transaction).With("$user", userId))
        await using (var reader = await count.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (reader.IsDBNull(0) || reader.GetString(0) != "active")
            {
                return GreyError.NotFound(ErrorCodes.UserNotFound, "no such active user");
            }

            if (reader.GetInt64(1) >= IAppPasswordService.MaxPerUser)
            {
                return GreyError.Conflict(ErrorCodes.AppPasswordLimit, $"a user may have at most {IAppPasswordService.MaxPerUser} app passwords: revoke one first");
            }
        }

        AppPasswordRecord record;
        await using (var insert = connection.CreateCommand(
            $"""
            INSERT INTO app_passwords (id, user_id, label, secret_hash, created_at) VALUES ($id, $user, $label, $hash, $now)
            RETURNING {Columns};
            """, transaction)
            .With("$id", id).With("$user", userId).With("$label", label).With("$hash", HashSecret(secret)).With("$now", now.ToUnixTimeMilliseconds()))
        {
            record = (await ReadAsync(insert, cancellationToken).ConfigureAwait(false))[0];
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        await audit.WriteAsync(CreatedEvent, userId, actor, null, $"{id} label={label}", cancellationToken).ConfigureAwait(false);
        LogCreated(logger, id, userId);
        return new NewAppPassword(record, secret);
    }

    public async ValueTask<IReadOnlyList<AppPasswordRecord>> ListAsync(string userId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var select = connection.CreateCommand($"SELECT {Columns} FROM app_passwords WHERE user_id = $user ORDER BY created_at DESC, rowid DESC;").With("$user", userId);
        return await ReadAsync(select, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<Result<AppPasswordRecord>> RevokeAsync(string id, string? ownerUserId, string actor, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var revoke = connection.CreateCommand(
            $"""
            UPDATE app_passwords SET revoked_at = coalesce(revoked_at, $now) WHERE id = $id AND ($owner IS NULL OR user_id = $owner)
            RETURNING {Columns};
            """).With("$now", time.GetUtcNow().ToUnixTimeMilliseconds()).With("$id", id).With("$owner", ownerUserId);
        var revoked = await ReadAsync(revoke, cancellationToken).ConfigureAwait(false);
        if (revoked.Count == 0)
        {
            return GreyError.NotFound(ErrorCodes.AppPasswordNotFound, "no such app password");
        }

        await audit.WriteAsync(RevokedEvent, revoked[0].UserId, actor, null, id, cancellationToken).ConfigureAwait(false);
        LogRevoked(logger, id);
        return revoked[0];
    }

    private static string NewSecret()
    {
        // 32 symbols of 5 bits = 160 bits; GetString picks each symbol uniformly (no modulo bias).
        var symbols = RandomNumberGenerator.GetString(Alphabet, Groups * GroupLength);
        var builder = new StringBuilder((Groups * GroupLength) + Groups - 1);
        for (var i = 0; i < Groups; i++)
        {
            if (i > 0)
            {
                builder.Append('-');
            }

            builder.Append(symbols, i * GroupLength, GroupLength);
        }

        return builder.ToString();
    }

    private static async Task<IReadOnlyList<AppPasswordRecord>> ReadAsync(DbCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var records = new List<AppPasswordRecord>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            records.Add(new AppPasswordRecord(
                reader.GetString(0),
                reader.GetString(1),
                reader.GetString(2),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)),
                reader.IsDBNull(4) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)),
                reader.IsDBNull(5) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5))));
        }

        return records;
    }

    [LoggerMessage(EventId = 2401, Level = LogLevel.Information, Message = "App password {Id} created for user {UserId}")]
    private static partial void LogCreated(ILogger logger, string id, string userId);

    [LoggerMessage(EventId = 2402, Level = LogLevel.Information, Message = "App password {Id} revoked")]
    private static partial void LogRevoked(ILogger logger, string id);
}
