using GreyOS.Abstractions.FileSystem;
using GreyOS.Abstractions.Node;
using GreyOS.Abstractions.Storage;
using GreyOS.FileSystem.Backends;
using GreyOS.FileSystem.Content;
using GreyOS.FileSystem.Storage;
using GreyOS.FileSystem.Vfs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GreyOS.FileSystem;

public static class FileSystemServiceCollectionExtensions
{
    /// <summary>The mount id of the node's root file system in the database.</summary>
    public const string RootMount = "root";

    /// <summary>
    /// Registers the virtual file system on the embedded default: the <c>sqlite</c> backend (metadata
    /// in the node database, content in <c>&lt;data&gt;/chunks</c>) mounted at <c>/</c>.
    /// </summary>
    public static IServiceCollection AddGreyOSFileSystem(this IServiceCollection services)
    {
        foreach (var migration in FileSystemMigrations.All)
        {
            services.AddSingleton(migration);
        }

        services.AddSingleton(sp => new ChunkStore(sp.GetRequiredService<DataDirectory>().File(ChunkStore.FolderName), sp.GetRequiredService<ILogger<ChunkStore>>()));
        services.AddSingleton<IStorageBackend>(sp => new SqliteBackend(sp.GetRequiredService<IDatabase>(), sp.GetRequiredService<ChunkStore>(), RootMount, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<VirtualFileSystem>();
        services.AddSingleton<IFileSystem>(sp => sp.GetRequiredService<VirtualFileSystem>());
        return services;
    }
}
