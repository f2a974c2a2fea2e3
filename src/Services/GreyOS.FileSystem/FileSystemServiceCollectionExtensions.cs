using GreyOS.Abstractions.FileSystem;
using GreyOS.Abstractions.Identity;
using GreyOS.Abstractions.Node;
using GreyOS.Abstractions.Storage;
using GreyOS.FileSystem.Backends;
using GreyOS.FileSystem.Content;
using GreyOS.FileSystem.Dav;
using GreyOS.FileSystem.Mounts;
using GreyOS.FileSystem.Sharing;
using GreyOS.FileSystem.Storage;
using GreyOS.FileSystem.Trash;
using GreyOS.FileSystem.Uploads;
using GreyOS.FileSystem.Versions;
using GreyOS.FileSystem.Vfs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

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
        services.AddOptions<FileSystemOptions>().BindIfConfigured("GreyOS:FileSystem");
        services.AddSingleton(sp => new MountTable(
            sp.GetRequiredService<IStorageBackend>(), sp.GetRequiredService<IDatabase>(), sp.GetRequiredService<ChunkStore>(),
            sp.GetService<DataDirectory>(), sp.GetRequiredService<IOptions<FileSystemOptions>>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<ShareStore>();
        services.AddSingleton<LinkStore>();
        services.AddSingleton<VersionStore>();
        services.AddSingleton<TrashStore>();
        services.AddSingleton<Snapshots>();
        services.AddSingleton<ChangeFeed>();
        services.AddSingleton(sp => new Authorizer(sp.GetRequiredService<ShareStore>(), sp.GetService<IUserDirectory>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new QuotaLedger(sp.GetService<IUserDirectory>(), sp.GetRequiredService<IOptions<FileSystemOptions>>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<VirtualFileSystem>();
        services.AddSingleton<IFileSystem>(sp => sp.GetRequiredService<VirtualFileSystem>());
        services.AddSingleton<IFileRecovery>(sp => sp.GetRequiredService<VirtualFileSystem>());
        services.AddSingleton<IFileSharing>(sp => sp.GetRequiredService<VirtualFileSystem>());
        services.AddSingleton<IMountTable>(sp => sp.GetRequiredService<VirtualFileSystem>());

        // WebDAV locks and dead properties (component fs_dav).
        foreach (var migration in DavMigrations.All)
        {
            services.AddSingleton(migration);
        }

        services.AddSingleton<IDavLockStore, DavLockStore>();
        services.AddSingleton<IDavPropertyStore, DavPropertyStore>();

        // Resumable uploads (component fs_uploads; staging in <data>/uploads) and the content store's garbage collector.
        foreach (var migration in UploadMigrations.All)
        {
            services.AddSingleton(migration);
        }

        services.AddOptions<UploadOptions>().BindIfConfigured("GreyOS:FileSystem:Uploads");
        services.AddSingleton<ResumableUploads>();
        services.AddSingleton<IResumableUploads>(sp => sp.GetRequiredService<ResumableUploads>());
        services.AddSingleton<UploadSweeper>();
        services.AddSingleton<INodeInitializer>(sp => sp.GetRequiredService<UploadSweeper>());
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<UploadSweeper>());
        services.AddOptions<ContentCollectorOptions>().BindIfConfigured("GreyOS:FileSystem");
        services.AddSingleton<IContentCollector, ContentCollector>();
        services.AddHostedService<ContentCollectorService>();

        // The per-app key-value store (component kv, kv_* syscalls).
        foreach (var migration in Kv.KvMigrations.All)
        {
            services.AddSingleton(migration);
        }

        services.AddOptions<Kv.KeyValueOptions>().BindIfConfigured("GreyOS:KeyValue");
        services.AddSingleton<Abstractions.KeyValue.IKeyValueStore, Kv.SqliteKeyValueStore>();
        return services;
    }
}
