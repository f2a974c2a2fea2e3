using GreyOS.Abstractions.Node;
using GreyOS.Abstractions.Processes;
using GreyOS.Kernel.Processes;
using GreyOS.Kernel.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace GreyOS.Kernel;

public static class KernelServiceCollectionExtensions
{
    /// <summary>Registers the process manager (needs an <c>IWasmRuntime</c> and an <c>IDatabase</c>).</summary>
    public static IServiceCollection AddGreyOSKernel(this IServiceCollection services)
    {
        foreach (var migration in KernelMigrations.All)
        {
            services.AddSingleton(migration);
        }

        services.AddOptions<KernelOptions>();
        services.AddSingleton<ProcessManager>();
        services.AddSingleton<IProcessManager>(sp => sp.GetRequiredService<ProcessManager>());
        services.AddSingleton<INodeInitializer>(sp => sp.GetRequiredService<ProcessManager>());
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<ProcessManager>());
        return services;
    }
}
