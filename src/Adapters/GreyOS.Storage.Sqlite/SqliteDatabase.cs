using System.Data.Common;
using GreyOS.Abstractions.Node;
using GreyOS.Abstractions.Storage;
using Microsoft.Data.Sqlite;

namespace GreyOS.Storage.Sqlite;

/// <summary>
/// The node database: one SQLite file in the data folder, in WAL mode, with
/// <c>synchronous=FULL</c> so an acknowledged commit survives a crash of the node or the machine.
/// </summary>
public sealed class SqliteDatabase : IDatabase
{
    /// <summary>The database file name inside the data folder.</summary>
    public const string FileName = "greyos.db";

    private readonly string _connectionString;

    public SqliteDatabase(DataDirectory dataDirectory)
    {
        ArgumentNullException.ThrowIfNull(dataDirectory);
        FilePath = dataDirectory.File(FileName);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = FilePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    /// <summary>The full path of the database file.</summary>
    public string FilePath { get; }

    public async ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            using var pragma = connection.CreateCommand();
            // Per-connection settings; journal_mode=WAL is persistent and set once by the migrator.
            pragma.CommandText = "PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL; PRAGMA busy_timeout=5000;";
            await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
