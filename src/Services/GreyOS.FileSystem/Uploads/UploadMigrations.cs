using GreyOS.Abstractions.Storage;

namespace GreyOS.FileSystem.Uploads;

/// <summary>
/// The schema of resumable uploads (component <c>fs_uploads</c>, design 0004 "Resumable uploads"):
/// one row per upload; its bytes are staged in <c>&lt;data&gt;/uploads/&lt;id&gt;</c>. <c>received</c>
/// is the acknowledged offset: it moves only after the staged bytes up to it are flushed to disk, and
/// the staging file is cut back to it before each part (bytes past it never count). A completed upload
/// (<c>state = 'done'</c>) keeps its row, without a staging file, until it expires, so a client whose
/// connection broke during the last part learns that the file was written. Times are Unix milliseconds.
/// </summary>
internal static class UploadMigrations
{
    public const string Component = "fs_uploads";

    public static IEnumerable<SchemaMigration> All { get; } =
    [
        new(Component, 1, "resumable uploads", """
            CREATE TABLE fs_uploads (
                id             TEXT    NOT NULL PRIMARY KEY,
                user_id        TEXT    NOT NULL,
                path           TEXT    NOT NULL,
                length         INTEGER NOT NULL CHECK (length >= 0),
                received       INTEGER NOT NULL CHECK (received BETWEEN 0 AND length),
                if_match       TEXT,
                create_only    INTEGER NOT NULL CHECK (create_only IN (0, 1)),
                state          TEXT    NOT NULL CHECK (state IN ('open', 'done')),
                committed_etag TEXT,
                committed_mime TEXT,
                committed_at   INTEGER,
                created_at     INTEGER NOT NULL,
                updated_at     INTEGER NOT NULL,
                expires_at     INTEGER NOT NULL,
                CHECK ((state = 'done') = (committed_etag IS NOT NULL))
            ) STRICT;
            CREATE INDEX fs_uploads_user ON fs_uploads(user_id, state);
            CREATE INDEX fs_uploads_expiry ON fs_uploads(expires_at);
            """),
    ];
}
