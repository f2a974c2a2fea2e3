using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using GreyOS.Abstractions.FileSystem;
using GreyOS.Abstractions.Storage;

namespace GreyOS.FileSystem.Sharing;

/// <summary>A link row: the link, its creator's id, and its password verifier (salt + PBKDF2 hash) when it has one.</summary>
internal sealed record LinkRow(PublicLink Link, string CreatorId, byte[]? Salt, byte[]? Hash);

/// <summary>
/// Public links (<c>fs_links</c>). The token is a bearer secret: only its SHA-256 is stored. Link
/// passwords are PBKDF2-SHA256 (<see cref="Iterations"/> iterations, 16-byte salt) — in the
/// framework, because the file system does not reference the identity service's Argon2.
/// </summary>
internal sealed class LinkStore(IDatabase database)
{
    /// <summary>PBKDF2-SHA256 iterations for link passwords (OWASP 2023 guidance).</summary>
    public const int Iterations = 600_000;

    private const string Select = "SELECT id, path, creator_id, creator_name, created_at, expires_at, password_salt, password_hash, downloads FROM fs_links";

    /// <summary>A new random token (256 bits, base64url) and its stored hash.</summary>
    public static (string Token, byte[] Hash) NewToken()
    {
        var token = Base64Url(RandomNumberGenerator.GetBytes(32));
        return (token, HashToken(token));
    }

    public static byte[] HashToken(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    public static (byte[] Salt, byte[] Hash) HashPassword(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        return (salt, Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, Iterations, HashAlgorithmName.SHA256, 32));
    }

    public static bool VerifyPassword(string password, byte[] salt, byte[] hash) =>
        CryptographicOperations.FixedTimeEquals(Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, Iterations, HashAlgorithmName.SHA256, 32), hash);

    public static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public async Task AddAsync(LinkRow row, byte[] tokenHash, CancellationToken cancellationToken)
    {
        var link = row.Link;
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand(
            "INSERT INTO fs_links (id, token_hash, path, creator_id, creator_name, created_at, expires_at, password_salt, password_hash) VALUES ($id, $token, $path, $creator, $name, $at, $expires, $salt, $hash);")
            .With("$id", link.Id).With("$token", tokenHash).With("$path", link.Path.Value).With("$creator", row.CreatorId).With("$name", link.CreatedBy)
            .With("$at", link.CreatedAt.ToUnixTimeMilliseconds()).With("$expires", link.ExpiresAt?.ToUnixTimeMilliseconds())
            .With("$salt", row.Salt).With("$hash", row.Hash);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<LinkRow?> ByTokenAsync(byte[] tokenHash, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand(Select + " WHERE token_hash = $token;").With("$token", tokenHash);
        var rows = await ReadAsync(command, cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    public async Task<LinkRow?> ByIdAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand(Select + " WHERE id = $id;").With("$id", id);
        var rows = await ReadAsync(command, cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    /// <summary>The links of one creator (every link when null), newest first.</summary>
    public async Task<IReadOnlyList<LinkRow>> ListAsync(string? creatorId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = creatorId is null
            ? connection.CreateCommand(Select + " ORDER BY created_at DESC, id;")
            : connection.CreateCommand(Select + " WHERE creator_id = $creator ORDER BY created_at DESC, id;").With("$creator", creatorId);
        return await ReadAsync(command, cancellationToken).ConfigureAwait(false);
    }

    public async Task RemoveAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand("DELETE FROM fs_links WHERE id = $id;").With("$id", id);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task CountDownloadAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand("UPDATE fs_links SET downloads = downloads + 1 WHERE id = $id;").With("$id", id);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Links follow moves of their path; deleting a path removes its links.</summary>
    public async Task MoveAsync(VfsPath from, VfsPath to, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await Storage.PathRows.MoveAsync(connection, null, "fs_links", "path", from, to, cancellationToken).ConfigureAwait(false);
    }

    public async Task DeleteAsync(VfsPath path, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await Storage.PathRows.DeleteAsync(connection, null, "fs_links", "path", path, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<IReadOnlyList<LinkRow>> ReadAsync(DbCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var rows = new List<LinkRow>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var salt = reader.IsDBNull(6) ? null : reader.GetFieldValue<byte[]>(6);
            var link = new PublicLink(
                reader.GetString(0),
                VfsPath.Parse(reader.GetString(1)).Value,
                reader.GetString(3),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)),
                reader.IsDBNull(5) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
                salt is not null,
                reader.GetInt64(8));
            rows.Add(new LinkRow(link, reader.GetString(2), salt, reader.IsDBNull(7) ? null : reader.GetFieldValue<byte[]>(7)));
        }

        return rows;
    }
}
