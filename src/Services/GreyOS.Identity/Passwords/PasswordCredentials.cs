using System.Data.Common;
using GreyOS.Abstractions.Storage;
using GreyOS.Identity.Srp;

namespace GreyOS.Identity.Passwords;

/// <summary>
/// What the node keeps for a password: its Argon2id hash (password login) and an SRP-6a salt and
/// verifier (zero-knowledge login). Both are derived when the password is set — the only moment the
/// node sees it for SRP users. (The SRP identity is the user name with ASCII letters lower-cased, as
/// <see cref="SrpServer"/> documents; the client folds it the same way.)
/// </summary>
internal sealed record PasswordCredentials(string Hash, byte[] SrpSalt, byte[] SrpVerifier)
{
    /// <summary>Derives both verifiers (slow: Argon2id). Call outside write transactions.</summary>
    public static async Task<PasswordCredentials> DeriveAsync(SrpServer srp, string userName, string password, CancellationToken cancellationToken)
    {
        var verifier = srp.CreateVerifier(userName, password);
        return new PasswordCredentials(await PasswordHasher.HashAsync(password, cancellationToken).ConfigureAwait(false), verifier.Salt, verifier.Verifier);
    }

    public async Task WriteAsync(DbConnection connection, DbTransaction? transaction, string userId, CancellationToken cancellationToken)
    {
        await using var update = connection.CreateCommand(
            "UPDATE users SET password_hash = $hash, srp_salt = $salt, srp_verifier = $verifier WHERE id = $id;", transaction)
            .With("$hash", Hash).With("$salt", SrpSalt).With("$verifier", SrpVerifier).With("$id", userId);
        await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
