using GreyOS.Abstractions.Storage;

namespace GreyOS.FileSystem.Dav;

/// <summary>The <c>fs_dav</c> component's schema: WebDAV locks and dead properties, by VFS path. Times are Unix milliseconds (UTC).</summary>
internal static class DavMigrations
{
    public const string Component = "fs_dav";

    public static IEnumerable<SchemaMigration> All { get; } =
    [
        new(Component, 1, "WebDAV locks and dead properties", """
            CREATE TABLE dav_locks (
                token      TEXT    NOT NULL PRIMARY KEY,
                root       TEXT    NOT NULL,
                exclusive  INTEGER NOT NULL,
                infinite   INTEGER NOT NULL,
                user_id    TEXT    NOT NULL,
                owner_xml  TEXT,
                timeout_s  INTEGER NOT NULL,
                expires_at INTEGER NOT NULL
            ) STRICT;
            CREATE INDEX dav_locks_by_root ON dav_locks(root);
            CREATE INDEX dav_locks_by_user ON dav_locks(user_id);
            CREATE TABLE dav_properties (
                path      TEXT NOT NULL,
                namespace TEXT NOT NULL,
                name      TEXT NOT NULL,
                xml       TEXT NOT NULL,
                PRIMARY KEY (path, namespace, name)
            ) STRICT, WITHOUT ROWID;
            """),
    ];

    /// <summary>The text every path under <paramref name="path"/> starts with, before its next <c>/</c> ("" for the root).</summary>
    public static string Prefix(Abstractions.FileSystem.VfsPath path) => path.IsRoot ? string.Empty : path.Value;
}
