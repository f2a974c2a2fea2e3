using GreyOS.Abstractions.Node;
using GreyOS.Abstractions.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace GreyOS.Storage.Sqlite;

public static class SqliteStorageServiceCollectionExtensions
{
    /// <summary>Registers the SQLite node database and its migration start-up step.</summary>
    public static IServiceCollection AddSqliteStorage(this IServiceCollection services)
    {
        services.AddSingleton<SqliteDatabase>();
        services.AddSingleton<IDatabase>(sp => sp.GetRequiredService<SqliteDatabase>());
        services.AddSingleton<INodeInitializer, SqliteMigrator>();
        return services;
    }
}
