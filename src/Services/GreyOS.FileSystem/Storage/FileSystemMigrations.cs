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
    ];
}
