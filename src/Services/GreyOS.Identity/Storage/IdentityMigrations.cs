using GreyOS.Abstractions.Storage;

namespace GreyOS.Identity.Storage;

/// <summary>The identity component's schema. Timestamps are Unix milliseconds (UTC).</summary>
internal static class IdentityMigrations
{
    public const string Component = "identity";

    public static IEnumerable<SchemaMigration> All { get; } =
    [
        new(Component, 1, "users, setup codes and sessions", """
            CREATE TABLE users (
                id            TEXT    NOT NULL PRIMARY KEY,
                name          TEXT    NOT NULL UNIQUE COLLATE NOCASE,
                role          TEXT    NOT NULL,
                password_hash TEXT,
                created_at    INTEGER NOT NULL
            ) STRICT;
            CREATE TABLE setup_codes (
                user_id    TEXT    NOT NULL PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
                code_hash  BLOB    NOT NULL,
                created_at INTEGER NOT NULL
            ) STRICT;
            CREATE TABLE sessions (
                id         TEXT    NOT NULL PRIMARY KEY,
                token_hash BLOB    NOT NULL UNIQUE,
                user_id    TEXT    NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                created_at INTEGER NOT NULL,
                expires_at INTEGER NOT NULL,
                revoked_at INTEGER
            ) STRICT;
            CREATE INDEX sessions_by_user ON sessions(user_id);
            """),
    ];
}
