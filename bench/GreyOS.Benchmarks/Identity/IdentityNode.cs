using GreyOS.Abstractions.Identity;
using GreyOS.Abstractions.Node;
using GreyOS.Identity;
using GreyOS.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GreyOS.Benchmarks.Identity;

/// <summary>
/// The identity component in this process, composed as the node composes it: real SQLite in a
/// temporary data folder, the instance key, the administrator <c>admin</c> with <see cref="Password"/>.
/// </summary>
internal sealed class IdentityNode : IAsyncDisposable
{
    public const string Password = "correct-horse-battery";

    public static readonly ClientContext Client = new("127.0.0.1", "bench", "bench");

    private readonly ServiceProvider _services;
    private readonly string _folder;

    private IdentityNode(ServiceProvider services, string folder)
    {
        _services = services;
        _folder = folder;
    }

    public ISessionService Sessions => _services.GetRequiredService<ISessionService>();

    public IUserDirectory Directory => _services.GetRequiredService<IUserDirectory>();

    public static async Task<IdentityNode> StartAsync()
    {
        var folder = System.IO.Directory.CreateTempSubdirectory("greyos-bench-identity-").FullName;
        var services = new ServiceCollection()
            .AddLogging(b => b.SetMinimumLevel(LogLevel.Warning))
            .AddSingleton(TimeProvider.System)
            .AddSingleton(new DataDirectory(folder))
            .AddSqliteStorage()
            .AddGreyOSIdentity()
            .Configure<IdentityOptions>(o => o.InitialAdminPassword = Password)
            .BuildServiceProvider();
        foreach (var step in services.GetServices<INodeInitializer>().OrderBy(s => s.Order))
        {
            await step.InitializeAsync(CancellationToken.None).ConfigureAwait(false);
        }

        return new IdentityNode(services, folder);
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync().ConfigureAwait(false);
        SqliteConnection.ClearAllPools();
        try
        {
            System.IO.Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
