using GreyOS.Abstractions.Node;
using GreyOS.Storage.Sqlite;
using GreyOS.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace GreyOS.Identity.Tests;

/// <summary>The identity services on a real SQLite database in a temp data folder.</summary>
internal sealed class IdentityHarness : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private IdentityHarness(ServiceProvider services, string dataDirectory)
    {
        _services = services;
        DataDirectory = dataDirectory;
    }

    public string DataDirectory { get; }

    public ManualTimeProvider Time => (ManualTimeProvider)_services.GetRequiredService<TimeProvider>();

    public T Get<T>()
        where T : notnull => _services.GetRequiredService<T>();

    /// <summary>Composes and starts the identity component like a node start would.</summary>
    public static async Task<IdentityHarness> StartAsync(string dataDirectory, string? initialAdminPassword = null, ManualTimeProvider? time = null)
    {
        Directory.CreateDirectory(dataDirectory);
        var services = new ServiceCollection()
            .AddSingleton<TimeProvider>(time ?? new ManualTimeProvider())
            .AddSingleton(new DataDirectory(dataDirectory))
            .AddSingleton(typeof(Microsoft.Extensions.Logging.ILogger<>), typeof(NullLogger<>))
            .AddSqliteStorage()
            .AddGreyOSIdentity()
            .Configure<IdentityOptions>(o => o.InitialAdminPassword = initialAdminPassword)
            .BuildServiceProvider();
        foreach (var step in services.GetServices<INodeInitializer>().OrderBy(s => s.Order))
        {
            await step.InitializeAsync(CancellationToken.None);
        }

        return new IdentityHarness(services, dataDirectory);
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        SqliteConnection.ClearAllPools();
    }
}
