using System.Globalization;
using GreyOS.Abstractions.Node;
using GreyOS.Abstractions.Storage;
using GreyOS.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace GreyOS.Storage.Sqlite.Tests;

public sealed class SqliteMigratorTests : IDisposable
{
    private static readonly SchemaMigration NotesV1 = new("notes", 1, "notes table", "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL) STRICT;");
    private static readonly SchemaMigration NotesV2 = new("notes", 2, "notes title", "ALTER TABLE notes ADD COLUMN title TEXT;");

    private readonly TempDirectory _temp = new();

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _temp.Dispose();
    }

    [Fact]
    public async Task Initialize_FreshDatabase_AppliesMigrationsAndUsesWal()
    {
        var database = Database();

        await Migrator(database, NotesV1, NotesV2).InitializeAsync(TestContext.Current.CancellationToken);

        Assert.Equal("wal", await ScalarAsync(database, "PRAGMA journal_mode;"));
        Assert.Equal("2", await ScalarAsync(database, "SELECT MAX(version) FROM schema_migrations WHERE component = 'notes';"));
        Assert.Equal("0", await ScalarAsync(database, "SELECT COUNT(*) FROM notes WHERE title IS NULL;"));
    }

    [Fact]
    public async Task Initialize_SecondStart_AppliesOnlyNewMigrations()
    {
        var database = Database();
        await Migrator(database, NotesV1).InitializeAsync(TestContext.Current.CancellationToken);
        await ScalarAsync(database, "INSERT INTO notes (body) VALUES ('kept');");

        await Migrator(database, NotesV1, NotesV2).InitializeAsync(TestContext.Current.CancellationToken);
        await Migrator(database, NotesV1, NotesV2).InitializeAsync(TestContext.Current.CancellationToken);

        Assert.Equal("2", await ScalarAsync(database, "SELECT COUNT(*) FROM schema_migrations;"));
        Assert.Equal("kept", await ScalarAsync(database, "SELECT body FROM notes;"));
    }

    [Fact]
    public async Task Initialize_FailingMigration_RollsBackThatStepOnly()
    {
        var database = Database();
        var broken = new SchemaMigration("notes", 2, "broken", "ALTER TABLE notes ADD COLUMN title TEXT; THIS IS NOT SQL;");

        await Assert.ThrowsAsync<NodeStartupException>(() => Migrator(database, NotesV1, broken).InitializeAsync(TestContext.Current.CancellationToken));

        Assert.Equal("1", await ScalarAsync(database, "SELECT MAX(version) FROM schema_migrations;"));
        Assert.Equal("0", await ScalarAsync(database, "SELECT COUNT(*) FROM pragma_table_info('notes') WHERE name = 'title';"));
    }

    [Fact]
    public async Task Initialize_DatabaseFromNewerGreyOS_RefusesToStart()
    {
        var database = Database();
        await Migrator(database, NotesV1, NotesV2).InitializeAsync(TestContext.Current.CancellationToken);

        var error = await Assert.ThrowsAsync<NodeStartupException>(() => Migrator(database, NotesV1).InitializeAsync(TestContext.Current.CancellationToken));

        Assert.Contains("newer GreyOS", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Initialize_CorruptedFile_RefusesToStartWithOneClearLine()
    {
        var database = Database();
        await File.WriteAllBytesAsync(database.FilePath, Enumerable.Repeat((byte)0x5A, 8192).ToArray(), TestContext.Current.CancellationToken);

        var error = await Assert.ThrowsAsync<NodeStartupException>(() => Migrator(database, NotesV1).InitializeAsync(TestContext.Current.CancellationToken));

        Assert.Contains("is corrupted", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public async Task Initialize_GapInVersions_IsAProgrammingError()
    {
        var gap = new SchemaMigration("notes", 3, "gap", "SELECT 1;");

        await Assert.ThrowsAsync<InvalidOperationException>(() => Migrator(Database(), NotesV1, gap).InitializeAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task OpenConnection_Always_EnforcesForeignKeysAndFullSync()
    {
        var database = Database();
        await using var connection = await database.OpenConnectionAsync(TestContext.Current.CancellationToken);
        await using var command = connection.CreateCommand("PRAGMA foreign_keys;");

        Assert.Equal(1L, await command.ExecuteScalarAsync(TestContext.Current.CancellationToken));
        await using var sync = connection.CreateCommand("PRAGMA synchronous;");
        Assert.Equal(2L, await sync.ExecuteScalarAsync(TestContext.Current.CancellationToken)); // 2 = FULL
    }

    private SqliteDatabase Database() => new(new DataDirectory(_temp.Path));

    private static SqliteMigrator Migrator(SqliteDatabase database, params SchemaMigration[] migrations) =>
        new(database, migrations, TimeProvider.System, NullLogger<SqliteMigrator>.Instance);

    private static async Task<string?> ScalarAsync(SqliteDatabase database, string sql)
    {
        await using var connection = await database.OpenConnectionAsync(CancellationToken.None);
        await using var command = connection.CreateCommand(sql);
        return Convert.ToString(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }
}
