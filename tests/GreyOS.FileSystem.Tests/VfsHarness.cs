using GreyOS.Abstractions.Identity;
using GreyOS.Abstractions.Node;
using GreyOS.Abstractions.FileSystem;
using GreyOS.FileSystem.Backends;
using GreyOS.FileSystem.Vfs;
using GreyOS.Identity;
using GreyOS.Storage.Sqlite;
using GreyOS.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace GreyOS.FileSystem.Tests;

/// <summary>
/// The VFS composed like a node composes it: a real SQLite node database (migrated), the identity
/// directory (users, groups, quotas) and the file system on a temp data folder; the root backend is
/// <c>sqlite</c> unless a test asks for <c>memory</c>.
/// </summary>
internal sealed class VfsHarness : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly TempDirectory _data;

    private VfsHarness(ServiceProvider services, TempDirectory data)
    {
        _services = services;
        _data = data;
    }

    public VirtualFileSystem Vfs => _services.GetRequiredService<VirtualFileSystem>();

    public IUserDirectory Users => _services.GetRequiredService<IUserDirectory>();

    public ManualTimeProvider Time => (ManualTimeProvider)_services.GetRequiredService<TimeProvider>();

    public string DataDirectory => _data.Path;

    public T Get<T>()
        where T : notnull => _services.GetRequiredService<T>();

    public static async Task<VfsHarness> StartAsync(bool memoryRoot = false, Action<FileSystemOptions>? configure = null)
    {
        var data = new TempDirectory("greyos-vfs");
        var collection = new ServiceCollection()
            .AddSingleton<TimeProvider>(new ManualTimeProvider())
            .AddSingleton(new DataDirectory(data.Path))
            .AddSingleton(typeof(Microsoft.Extensions.Logging.ILogger<>), typeof(NullLogger<>))
            .AddSqliteStorage()
            .AddGreyOSIdentity()
            .AddGreyOSFileSystem();
        collection.Configure<FileSystemOptions>(o => configure?.Invoke(o));
        if (memoryRoot)
        {
            collection.AddSingleton<IStorageBackend>(sp => new MemoryBackend(sp.GetRequiredService<TimeProvider>()));
        }

        var services = collection.BuildServiceProvider();
        foreach (var step in services.GetServices<INodeInitializer>().OrderBy(s => s.Order))
        {
            await step.InitializeAsync(CancellationToken.None);
        }

        return new VfsHarness(services, data);
    }

    /// <summary>Creates a user in the directory (so quotas and shares can find them) and returns them as a principal.</summary>
    public async Task<FilePrincipal> UserAsync(string name, long quotaBytes = 0, bool admin = false)
    {
        var created = await Users.CreateUserAsync(new NewUser(name, QuotaBytes: quotaBytes, Roles: admin ? ["admin"] : ["user"]), "test", CancellationToken.None);
        if (!created.IsSuccess)
        {
            throw new InvalidOperationException(created.Error.Message);
        }

        return new(created.Value.Id, created.Value.Name, admin);
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        SqliteConnection.ClearAllPools();
        _data.Dispose();
    }
}
