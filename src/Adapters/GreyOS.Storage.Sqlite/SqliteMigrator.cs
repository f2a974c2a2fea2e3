using System.Globalization;
using GreyOS.Abstractions.Node;
using GreyOS.Abstractions.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace GreyOS.Storage.Sqlite;

/// <summary>
/// Start-up step: opens the database, switches it to WAL, checks it is a healthy GreyOS database
/// and applies the pending <see cref="SchemaMigration"/>s of every component, each in its own
/// transaction, recording them in <c>schema_migrations</c>.
/// </summary>
internal sealed partial class SqliteMigrator(
    SqliteDatabase database,
    IEnumerable<SchemaMigration> migrations,
    TimeProvider time,
    ILogger<SqliteMigrator> logger) : INodeInitializer
{
    private const int SqliteCorrupt = 11;
    private const int SqliteNotADatabase = 26;

    public int Order => 100;

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        try
        {
            await MigrateAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode is SqliteCorrupt or SqliteNotADatabase)
        {
            throw new NodeStartupException(
                $"the database {database.FilePath} is corrupted ({ex.Message.TrimEnd('.')}); restore it from a backup or move it away to start with an empty one",
                ex);
        }
        catch (SqliteException ex)
        {
            throw new NodeStartupException($"cannot open the database {database.FilePath}: {ex.Message.TrimEnd('.')}", ex);
        }
    }

    private async Task MigrateAsync(CancellationToken cancellationToken)
    {
        var known = migrations.ToList();
        Validate(known);

        await using var connection = (SqliteConnection)await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, null, "PRAGMA journal_mode=WAL;", cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(
            connection,
            null,
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                component   TEXT    NOT NULL,
                version     INTEGER NOT NULL,
                description TEXT    NOT NULL,
                applied_at  TEXT    NOT NULL,
                PRIMARY KEY (component, version)
            ) STRICT;
            """,
            cancellationToken).ConfigureAwait(false);

        var applied = new Dictionary<string, int>(StringComparer.Ordinal);
        await using (var read = connection.CreateCommand())
        {
            read.CommandText = "SELECT component, MAX(version) FROM schema_migrations GROUP BY component;";
            await using var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                applied[reader.GetString(0)] = reader.GetInt32(1);
            }
        }

        foreach (var (component, version) in applied)
        {
            var newest = known.Where(m => m.Component == component).Select(m => m.Version).DefaultIfEmpty(0).Max();
            if (version > newest)
            {
                throw new NodeStartupException(
                    $"the database {database.FilePath} has schema version {version} of '{component}' but this GreyOS knows only up to {newest}; run a newer GreyOS or restore a backup");
            }
        }

        foreach (var migration in known.OrderBy(m => m.Component, StringComparer.Ordinal).ThenBy(m => m.Version))
        {
            if (applied.TryGetValue(migration.Component, out var current) && migration.Version <= current)
            {
                continue;
            }

            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, transaction, migration.Sql, cancellationToken).ConfigureAwait(false);
            await using (var record = connection.CreateCommand())
            {
                record.Transaction = transaction;
                record.CommandText = "INSERT INTO schema_migrations (component, version, description, applied_at) VALUES ($c, $v, $d, $t);";
                record.Parameters.AddWithValue("$c", migration.Component);
                record.Parameters.AddWithValue("$v", migration.Version);
                record.Parameters.AddWithValue("$d", migration.Description);
                record.Parameters.AddWithValue("$t", time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
                await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            LogApplied(logger, migration.Component, migration.Version, migration.Description);
        }
    }

    private static void Validate(List<SchemaMigration> known)
    {
        foreach (var group in known.GroupBy(m => m.Component, StringComparer.Ordinal))
        {
            var versions = group.Select(m => m.Version).Order().ToList();
            for (var i = 0; i < versions.Count; i++)
            {
                if (versions[i] != i + 1)
                {
                    throw new InvalidOperationException(
                        $"Migrations of '{group.Key}' must be numbered 1..N without gaps or repeats; found {string.Join(", ", versions)}.");
                }
            }
        }
    }

    private static async Task ExecuteAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;

        // Drain every result: ExecuteNonQuery can drop an error raised by a later statement of a
        // multi-statement script (seen after ALTER TABLE), which would record a half-applied migration.
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.NextResultAsync(cancellationToken).ConfigureAwait(false))
        {
        }
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Applied schema migration {Component} v{Version}: {Description}")]
    private static partial void LogApplied(ILogger logger, string component, int version, string description);
}
