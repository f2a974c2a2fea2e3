using GreyOS.Abstractions.FileSystem;
using GreyOS.Abstractions.Node;
using GreyOS.Abstractions.Storage;
using GreyOS.FileSystem.Backends;
using GreyOS.FileSystem.Content;
using GreyOS.FileSystem.Storage;
using GreyOS.Storage.Sqlite;
using GreyOS.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace GreyOS.FileSystem.Tests.Conformance;

/// <summary>The conformance suite on the <c>sqlite</c> backend: a real node database and content store in a temp data folder.</summary>
public sealed class SqliteBackendTests : BackendConformance, IAsyncDisposable
{
    private readonly TempDirectory _data = new("greyos-fs-sqlite");
    private SqliteStorageHarness? _storage;
    private int _mounts;

    protected override async Task<IStorageBackend> CreateAsync()
    {
        _storage ??= await SqliteStorageHarness.StartAsync(_data.Path);

        // A new mount is a new, empty tree in the same database.
        return _storage.Backend($"test-{++_mounts}");
    }

    public async ValueTask DisposeAsync()
    {
        if (_storage is not null)
        {
            await _storage.DisposeAsync();
        }

        _data.Dispose();
    }
}

/// <summary>
/// The node database (SQLite, migrated like a node start does) and the content store of a data
/// folder, composed like the node composes them; <see cref="Backend"/> opens a mount on them.
/// </summary>
internal sealed class SqliteStorageHarness : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private SqliteStorageHarness(ServiceProvider services, string dataDirectory)
    {
        _services = services;
        DataDirectory = dataDirectory;
        Chunks = new ChunkStore(Path.Combine(dataDirectory, ChunkStore.FolderName), NullLogger<ChunkStore>.Instance);
    }

    public string DataDirectory { get; }

    public IDatabase Database => _services.GetRequiredService<IDatabase>();

    public ChunkStore Chunks { get; }

    /// <summary>Composes the storage services on <paramref name="dataDirectory"/> and runs the start-up steps (migrations) in order.</summary>
    public static async Task<SqliteStorageHarness> StartAsync(string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        var collection = new ServiceCollection()
            .AddSingleton(TimeProvider.System)
            .AddSingleton(new DataDirectory(dataDirectory))
            .AddSingleton(typeof(ILogger<>), typeof(NullLogger<>))
            .AddSqliteStorage();
        foreach (var migration in FileSystemMigrations.All)
        {
            collection.AddSingleton(migration);
        }

        var services = collection.BuildServiceProvider();
        foreach (var step in services.GetServices<INodeInitializer>().OrderBy(s => s.Order))
        {
            await step.InitializeAsync(CancellationToken.None);
        }

        return new SqliteStorageHarness(services, dataDirectory);
    }

    public SqliteBackend Backend(string mountId) => new(Database, Chunks, mountId, TimeProvider.System);

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        SqliteConnection.ClearAllPools();
    }
}
