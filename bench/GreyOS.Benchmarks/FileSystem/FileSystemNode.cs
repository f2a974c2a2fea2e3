using GreyOS.Abstractions.FileSystem;
using GreyOS.Abstractions.Node;
using GreyOS.FileSystem;
using GreyOS.FileSystem.Backends;
using GreyOS.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GreyOS.Benchmarks.FileSystem;

/// <summary>
/// The VFS in this process, composed as the node composes it: SQLite node database (WAL,
/// synchronous=FULL) and the content store in a temporary data folder on the same disk as the
/// baselines' files; the sqlite backend mounted at <c>/</c>.
/// </summary>
internal sealed class FileSystemNode : IAsyncDisposable
{
    public static readonly FilePrincipal Admin = new("usr_bench", "bench", IsAdmin: true);

    private readonly ServiceProvider _services;

    private FileSystemNode(ServiceProvider services, string folder)
    {
        _services = services;
        Folder = folder;
    }

    /// <summary>The temporary folder: <c>data/</c> for the node, anything else for baselines.</summary>
    public string Folder { get; }

    public IFileSystem Files => _services.GetRequiredService<IFileSystem>();

    public SqliteBackend Backend => (SqliteBackend)_services.GetRequiredService<IStorageBackend>();

    public static async Task<FileSystemNode> StartAsync()
    {
        var folder = Directory.CreateTempSubdirectory("greyos-bench-fs-").FullName;
        var data = Path.Combine(folder, "data");
        Directory.CreateDirectory(data);
        var services = new ServiceCollection()
            .AddLogging(b => b.SetMinimumLevel(LogLevel.Warning))
            .AddSingleton(TimeProvider.System)
            .AddSingleton(new DataDirectory(data))
            .AddSqliteStorage()
            .AddGreyOSFileSystem()
            .Configure<FileSystemOptions>(o => o.SharedQuotaBytes = 0) // the copy benchmark makes hundreds of logical GiB (deduplicated)
            .BuildServiceProvider();
        foreach (var step in services.GetServices<INodeInitializer>().OrderBy(s => s.Order))
        {
            await step.InitializeAsync(CancellationToken.None).ConfigureAwait(false);
        }

        return new FileSystemNode(services, folder);
    }

    public static VfsPath P(string path) => VfsPath.Parse(path).Value;

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync().ConfigureAwait(false);
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
