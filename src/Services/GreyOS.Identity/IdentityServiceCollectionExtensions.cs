using GreyOS.Abstractions.Identity;
using GreyOS.Abstractions.Node;
using GreyOS.Identity.Instance;
using GreyOS.Identity.Sessions;
using GreyOS.Identity.Setup;
using GreyOS.Identity.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace GreyOS.Identity;

public static class IdentityServiceCollectionExtensions
{
    /// <summary>Registers the instance identity, administrator setup and password sessions.</summary>
    public static IServiceCollection AddGreyOSIdentity(this IServiceCollection services)
    {
        foreach (var migration in IdentityMigrations.All)
        {
            services.AddSingleton(migration);
        }

        services.AddSingleton<InstanceIdentity>();
        services.AddSingleton<IInstanceIdentity>(sp => sp.GetRequiredService<InstanceIdentity>());
        services.AddSingleton<INodeInitializer>(sp => sp.GetRequiredService<InstanceIdentity>());

        services.AddSingleton<AdminBootstrap>();
        services.AddSingleton<IAdminSetup>(sp => sp.GetRequiredService<AdminBootstrap>());
        services.AddSingleton<INodeInitializer>(sp => sp.GetRequiredService<AdminBootstrap>());

        services.AddSingleton<ISessionService, SessionService>();
        services.AddOptions<IdentityOptions>();
        return services;
    }
}
