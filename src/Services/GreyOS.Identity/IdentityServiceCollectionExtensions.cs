using GreyOS.Abstractions.Identity;
using GreyOS.Abstractions.Node;
using GreyOS.Identity.AppPasswords;
using GreyOS.Identity.Audit;
using GreyOS.Identity.Users;
using GreyOS.Identity.Instance;
using GreyOS.Identity.Sessions;
using GreyOS.Identity.Setup;
using GreyOS.Identity.Srp;
using GreyOS.Identity.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace GreyOS.Identity;

public static class IdentityServiceCollectionExtensions
{
    /// <summary>Registers the instance identity, administrator setup, the user directory, logins and sessions, and the audit trail.</summary>
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

        services.AddSingleton<IdentityAudit>();
        services.AddSingleton<IIdentityAudit>(sp => sp.GetRequiredService<IdentityAudit>());
        services.AddSingleton<UserDirectory>();
        services.AddSingleton<IUserDirectory>(sp => sp.GetRequiredService<UserDirectory>());
        services.AddSingleton<LoginThrottle>();
        services.AddSingleton<SessionCache>();
        services.AddSingleton<NodeSrp>();
        services.AddSingleton<ISessionService, SessionService>();
        services.AddSingleton<IAppPasswordService, AppPasswordService>();
        services.AddSingleton<IBasicAuthenticator, BasicAuthenticator>();
        services.AddOptions<IdentityOptions>();
        return services;
    }
}
