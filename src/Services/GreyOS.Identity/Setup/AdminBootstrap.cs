using System.Data.Common;
using GreyOS.Abstractions.Errors;
using GreyOS.Abstractions.Identity;
using GreyOS.Abstractions.Node;
using GreyOS.Abstractions.Storage;
using GreyOS.Identity.Passwords;
using GreyOS.Identity.Srp;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GreyOS.Identity.Setup;

/// <summary>
/// Creates the first administrator, <c>admin</c>, on first boot. With an initial password configured
/// (<c>GREYOS_ADMIN_PASSWORD</c>) it is set at once; otherwise every start while the password is
/// unset issues a fresh one-time setup code (the previous one stops working), kept hashed in the
/// database and in clear only in the owner-only file <c>setup-code</c> of the data folder until used.
/// </summary>
internal sealed partial class AdminBootstrap(
    IDatabase database,
    DataDirectory dataDirectory,
    NodeSrp srp,
    IOptions<IdentityOptions> options,
    TimeProvider time,
    ILogger<AdminBootstrap> logger) : IAdminSetup, INodeInitializer
{
    public const string AdminName = "admin";
    public const string AdminRole = "admin";
    internal const string CodeFileName = "setup-code";

    public int Order => 200;

    public string? IssuedCode { get; private set; }

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        var admin = await FindAdminAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        if (admin is null)
        {
            var id = "usr_" + Guid.CreateVersion7().ToString("N");
            await using var insert = connection.CreateCommand(
                """
                INSERT INTO users (id, name, password_hash, created_at) VALUES ($id, $name, NULL, $now);
                INSERT INTO user_roles (user_id, role) VALUES ($id, $role);
                """, transaction)
                .With("$id", id).With("$name", AdminName).With("$role", AdminRole).With("$now", now);
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            admin = (id, false);
            LogAdminCreated(logger, AdminName);
        }

        var initial = options.Value.InitialAdminPassword;
        if (!admin.Value.HasPassword && initial is not null)
        {
            if (PasswordHasher.CheckPolicy(initial) is { } problem)
            {
                throw new NodeStartupException($"GREYOS_ADMIN_PASSWORD is not accepted: {problem.Message}");
            }

            await SetPasswordAsync(connection, transaction, admin.Value.Id, initial, cancellationToken).ConfigureAwait(false);
            admin = (admin.Value.Id, true);
            LogInitialPasswordApplied(logger, AdminName);
        }
        else if (admin.Value.HasPassword && initial is not null)
        {
            LogInitialPasswordIgnored(logger, AdminName);
        }

        if (admin.Value.HasPassword)
        {
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            DeleteCodeFile();
            return;
        }

        var code = SetupCode.Generate();
        await using (var upsert = connection.CreateCommand(
            """
            INSERT INTO setup_codes (user_id, code_hash, created_at) VALUES ($user, $hash, $now)
            ON CONFLICT (user_id) DO UPDATE SET code_hash = excluded.code_hash, created_at = excluded.created_at;
            """, transaction).With("$user", admin.Value.Id).With("$hash", SetupCode.Hash(code)).With("$now", now))
        {
            await upsert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        WriteCodeFile(code);
        IssuedCode = code;
        LogSetupPending(logger, dataDirectory.File(CodeFileName));
    }

    public async ValueTask<bool> IsPendingAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand("SELECT EXISTS (SELECT 1 FROM setup_codes);");
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture) != 0;
    }

    public async ValueTask<Result<string>> CompleteAsync(string setupCode, string password, CancellationToken cancellationToken)
    {
        var hash = SetupCode.Hash(setupCode);
        if (hash is null)
        {
            return InvalidCode();
        }

        if (PasswordHasher.CheckPolicy(password) is { } problem)
        {
            return problem;
        }

        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (var exists = connection.CreateCommand("SELECT 1 FROM setup_codes WHERE code_hash = $hash;").With("$hash", hash))
        {
            // A wrong code costs a lookup, not an Argon2 hash.
            if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is null)
            {
                LogSetupRefused(logger);
                return InvalidCode();
            }
        }

        // Hash outside the write transaction: Argon2 is slow and must not hold the database lock.
        var credentials = await PasswordCredentials.DeriveAsync(srp.Server, AdminName, password, cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        string? userId;
        await using (var consume = connection.CreateCommand("DELETE FROM setup_codes WHERE code_hash = $hash RETURNING user_id;", transaction).With("$hash", hash))
        {
            // Deleting first claims the code: of two concurrent uses, only one sees the row.
            userId = await consume.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
        }

        if (userId is null)
        {
            LogSetupRefused(logger);
            return InvalidCode();
        }

        await credentials.WriteAsync(connection, transaction, userId, cancellationToken).ConfigureAwait(false);

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        IssuedCode = null;
        DeleteCodeFile();
        LogSetupCompleted(logger, AdminName);
        return AdminName;
    }

    private static GreyError InvalidCode() =>
        GreyError.Forbidden(ErrorCodes.SetupCodeInvalid, "the setup code is not valid: it is wrong, was already used, or setup is complete");

    private static async Task<(string Id, bool HasPassword)?> FindAdminAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand(
            """
            SELECT u.id, u.password_hash IS NOT NULL FROM users u JOIN user_roles r ON r.user_id = u.id
            WHERE r.role = $role AND u.name = $name ORDER BY u.created_at LIMIT 1;
            """, transaction).With("$role", AdminRole).With("$name", AdminName);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? (reader.GetString(0), reader.GetInt64(1) != 0) : null;
    }

    private async Task SetPasswordAsync(DbConnection connection, DbTransaction transaction, string userId, string password, CancellationToken cancellationToken)
    {
        await (await PasswordCredentials.DeriveAsync(srp.Server, AdminName, password, cancellationToken).ConfigureAwait(false)).WriteAsync(connection, transaction, userId, cancellationToken).ConfigureAwait(false);
        await using var consume = connection.CreateCommand("DELETE FROM setup_codes WHERE user_id = $id;", transaction).With("$id", userId);
        await consume.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private void WriteCodeFile(string code)
    {
        var path = dataDirectory.File(CodeFileName);
        File.Delete(path);
        var streamOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            streamOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var writer = new StreamWriter(path, streamOptions);
        writer.WriteLine(code);
    }

    private void DeleteCodeFile() => File.Delete(dataDirectory.File(CodeFileName));

    [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "Created the administrator account '{Name}'")]
    private static partial void LogAdminCreated(ILogger logger, string name);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Information, Message = "Set the password of '{Name}' from GREYOS_ADMIN_PASSWORD")]
    private static partial void LogInitialPasswordApplied(ILogger logger, string name);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Information, Message = "GREYOS_ADMIN_PASSWORD ignored: '{Name}' already has a password")]
    private static partial void LogInitialPasswordIgnored(ILogger logger, string name);

    [LoggerMessage(EventId = 2104, Level = LogLevel.Warning, Message = "Setup is pending: the administrator has no password yet; the one-time setup code is in {Path}")]
    private static partial void LogSetupPending(ILogger logger, string path);

    [LoggerMessage(EventId = 2105, Level = LogLevel.Information, Message = "Setup completed: '{Name}' has a password; the setup code is spent")]
    private static partial void LogSetupCompleted(ILogger logger, string name);

    [LoggerMessage(EventId = 2106, Level = LogLevel.Warning, Message = "Setup refused: invalid setup code")]
    private static partial void LogSetupRefused(ILogger logger);
}
