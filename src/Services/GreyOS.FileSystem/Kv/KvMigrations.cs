using GreyOS.Abstractions.Storage;

namespace GreyOS.FileSystem.Kv;

/// <summary>
/// The key-value store's schema (component <c>kv</c>): entries per (owner, app) keyed by bytes, and a
/// usage row per (owner, app) kept in the same transaction as every change, so quotas are checked
/// without scanning.
/// </summary>
internal static class KvMigrations
{
    public const string Component = "kv";

    public static IEnumerable<SchemaMigration> All { get; } =
    [
        new(Component, 1, "per-app key-value entries and usage", """
            CREATE TABLE kv_entries (
                owner TEXT NOT NULL,
                app   TEXT NOT NULL,
                key   BLOB NOT NULL,
                value BLOB NOT NULL,
                PRIMARY KEY (owner, app, key)
            ) STRICT, WITHOUT ROWID;
            CREATE TABLE kv_usage (
                owner   TEXT    NOT NULL,
                app     TEXT    NOT NULL,
                bytes   INTEGER NOT NULL,
                entries INTEGER NOT NULL,
                PRIMARY KEY (owner, app)
            ) STRICT, WITHOUT ROWID;
            """),
    ];
}
