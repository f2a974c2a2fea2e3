using GreyOS.Abstractions.Storage;

namespace GreyOS.FileSystem.Storage;

/// <summary>
/// The file system's schema (design 0004): the entries of every <c>sqlite</c> mount in one table.
/// Times are Unix milliseconds.
/// </summary>
/// <remarks>
/// <para>
/// <c>fs_entries</c> is a tree per mount: each mount has one root row (<c>parent_id IS NULL</c>, name
/// empty; at most one per mount), every other row names its parent. <c>UNIQUE (parent_id, name)</c>
/// is also the index that resolves paths, lists folders and finds the children of a deleted parent
/// (parent ids are unique across mounts, so the mount need not lead the index).
/// </para>
/// <para>
/// A file's content is either <c>inline</c> (up to 64 KiB, the bytes themselves) or <c>chunks</c>
/// (the chunk list in the content store: per chunk its raw 32-byte SHA-256 and its length as 4
/// bytes little-endian); folders have neither. The content columns come last, so reading the other
/// columns (stat, listing) never touches the overflow pages of inline content. <c>etag</c> is the
/// quoted content identity (<c>ContentRef.Id</c>) of a file, a random quoted value for a folder.
/// Chunks are never deleted with rows: the garbage collector sweeps those no row references.
/// </para>
/// </remarks>
internal static class FileSystemMigrations
{
    public const string Component = "fs";

    public static IEnumerable<SchemaMigration> All { get; } =
    [
        new(Component, 1, "file system entries (sqlite backend)", """
            CREATE TABLE fs_entries (
                id          INTEGER NOT NULL PRIMARY KEY,
                mount       TEXT    NOT NULL,
                parent_id   INTEGER REFERENCES fs_entries(id),
                name        TEXT    NOT NULL,
                kind        TEXT    NOT NULL CHECK (kind IN ('file', 'folder')),
                length      INTEGER NOT NULL CHECK (length >= 0),
                etag        TEXT    NOT NULL,
                created_at  INTEGER NOT NULL,
                modified_at INTEGER NOT NULL,
                inline      BLOB,
                chunks      BLOB,
                UNIQUE (parent_id, name),
                CHECK ((parent_id IS NULL) = (name = '')),
                CHECK (kind = 'file' OR (inline IS NULL AND chunks IS NULL))
            ) STRICT;
            CREATE UNIQUE INDEX fs_entries_root ON fs_entries(mount) WHERE parent_id IS NULL;
            """),
        new(Component, 2, "versions, trash, shares, public links, mounts", """
            CREATE TABLE fs_versions (
                id          INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
                path        TEXT    NOT NULL,
                length      INTEGER NOT NULL CHECK (length >= 0),
                etag        TEXT    NOT NULL,
                modified_at INTEGER NOT NULL,
                saved_at    INTEGER NOT NULL,
                saved_by    TEXT    NOT NULL,
                inline      BLOB,
                chunks      BLOB,
                CHECK (inline IS NULL OR chunks IS NULL)
            ) STRICT;
            CREATE INDEX fs_versions_path ON fs_versions(path, id);
            CREATE TABLE fs_trash (
                id            TEXT    NOT NULL PRIMARY KEY,
                owner         TEXT    NOT NULL,
                original_path TEXT    NOT NULL,
                trash_path    TEXT    NOT NULL UNIQUE,
                kind          TEXT    NOT NULL CHECK (kind IN ('file', 'folder')),
                length        INTEGER NOT NULL CHECK (length >= 0),
                deleted_at    INTEGER NOT NULL,
                deleted_by    TEXT    NOT NULL
            ) STRICT;
            CREATE INDEX fs_trash_owner ON fs_trash(owner, deleted_at);
            CREATE TABLE fs_shares (
                path        TEXT    NOT NULL,
                kind        TEXT    NOT NULL CHECK (kind IN ('user', 'group', 'app')),
                sharee_id   TEXT    NOT NULL,
                sharee_name TEXT    NOT NULL,
                rights      INTEGER NOT NULL CHECK (rights BETWEEN 1 AND 7),
                granted_by  TEXT    NOT NULL,
                granted_at  INTEGER NOT NULL,
                PRIMARY KEY (path, kind, sharee_id)
            ) STRICT;
            CREATE INDEX fs_shares_sharee ON fs_shares(kind, sharee_id);
            CREATE TABLE fs_links (
                id            TEXT    NOT NULL PRIMARY KEY,
                token_hash    BLOB    NOT NULL UNIQUE,
                path          TEXT    NOT NULL,
                creator_id    TEXT    NOT NULL,
                creator_name  TEXT    NOT NULL,
                created_at    INTEGER NOT NULL,
                expires_at    INTEGER,
                password_salt BLOB,
                password_hash BLOB,
                downloads     INTEGER NOT NULL DEFAULT 0
            ) STRICT;
            CREATE INDEX fs_links_creator ON fs_links(creator_id);
            CREATE TABLE fs_mounts (
                name       TEXT    NOT NULL PRIMARY KEY,
                backend    TEXT    NOT NULL CHECK (backend IN ('local', 'sqlite')),
                source     TEXT    NOT NULL,
                read_only  INTEGER NOT NULL CHECK (read_only IN (0, 1)),
                created_by TEXT    NOT NULL,
                created_at INTEGER NOT NULL
            ) STRICT;
            """),
    ];
}
