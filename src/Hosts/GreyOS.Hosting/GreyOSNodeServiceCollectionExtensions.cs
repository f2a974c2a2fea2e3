using System.Collections;
using GreyOS.Abstractions.Node;
using GreyOS.Hosting.Configuration;
using GreyOS.Hosting.Startup;
using GreyOS.FileSystem;
using GreyOS.Identity;
using GreyOS.Kernel;
using GreyOS.Runtime.Wasmtime;
using GreyOS.Storage.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace GreyOS.Hosting;

public static class GreyOSNodeServiceCollectionExtensions
{
    /// <summary>
    /// Validates the configuration and registers every service of a node on the embedded default
    /// (SQLite, Wasmtime). <paramref name="environment"/> defaults to the process environment. Throws <see cref="NodeStartupException"/> for invalid configuration.
    /// </summary>
    public static GreyOSOptions AddGreyOSNode(this IServiceCollection services, IConfiguration configuration, IDictionary? environment = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = NodeConfiguration.Validate(configuration);
        var initialAdminPassword = NodeConfiguration.ReadInitialAdminPassword(environment);

        services.AddSingleton(options);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(new DataDirectory(options.DataDirectory!));
        services.AddSingleton<NodeInfo>();
        services.AddSingleton<INodeInitializer, DataDirectoryInitializer>();

        services.AddSqliteStorage();
        services.AddGreyOSIdentity();
        services.AddGreyOSFileSystem();
        services.Configure<IdentityOptions>(configuration.GetSection($"{GreyOSOptions.Section}:Identity"));
        services.PostConfigure<IdentityOptions>(o => o.InitialAdminPassword = initialAdminPassword);

        services.AddWasmtimeRuntime();
        services.AddGreyOSKernel();
        services.Configure<KernelOptions>(configuration.GetSection($"{GreyOSOptions.Section}:Kernel"));
        return options;
    }
}
