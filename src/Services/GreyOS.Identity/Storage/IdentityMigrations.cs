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
        new(Component, 2, "directory (roles, groups, devices), key and cookie sessions, lockout, audit, usage", """
            CREATE TABLE roles (
                name        TEXT    NOT NULL PRIMARY KEY COLLATE NOCASE,
                permissions TEXT    NOT NULL,
                built_in    INTEGER NOT NULL,
                created_at  INTEGER NOT NULL
            ) STRICT;
            INSERT INTO roles (name, permissions, built_in, created_at) VALUES
                ('admin', '*', 1, 0), ('user', 'processes.run modules.upload', 1, 0), ('guest', '', 1, 0);
            CREATE TABLE user_roles (
                user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                role    TEXT NOT NULL REFERENCES roles(name) ON DELETE CASCADE,
                PRIMARY KEY (user_id, role)
            ) STRICT;
            INSERT INTO user_roles (user_id, role) SELECT id, role FROM users WHERE role IN ('admin', 'user', 'guest');
            ALTER TABLE users DROP COLUMN role;
            ALTER TABLE users ADD COLUMN display_name TEXT NOT NULL DEFAULT '';
            ALTER TABLE users ADD COLUMN status TEXT NOT NULL DEFAULT 'active';
            ALTER TABLE users ADD COLUMN quota_bytes INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE users ADD COLUMN srp_salt BLOB;
            ALTER TABLE users ADD COLUMN srp_verifier BLOB;
            CREATE TABLE groups (
                id         TEXT    NOT NULL PRIMARY KEY,
                name       TEXT    NOT NULL UNIQUE COLLATE NOCASE,
                created_at INTEGER NOT NULL
            ) STRICT;
            CREATE TABLE group_members (
                group_id    TEXT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
                member_kind TEXT NOT NULL CHECK (member_kind IN ('user', 'group')),
                member_id   TEXT NOT NULL,
                PRIMARY KEY (group_id, member_kind, member_id)
            ) STRICT;
            CREATE INDEX group_members_by_member ON group_members(member_kind, member_id);
            CREATE TABLE devices (
                id           TEXT    NOT NULL PRIMARY KEY,
                user_id      TEXT    NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                name         TEXT    NOT NULL,
                public_key   BLOB    NOT NULL UNIQUE,
                did          TEXT    NOT NULL,
                created_at   INTEGER NOT NULL,
                last_seen_at INTEGER,
                revoked_at   INTEGER
            ) STRICT;
            CREATE INDEX devices_by_user ON devices(user_id);
            DROP TABLE sessions;
            CREATE TABLE sessions (
                id               TEXT    NOT NULL PRIMARY KEY,
                user_id          TEXT    NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                kind             TEXT    NOT NULL CHECK (kind IN ('browser', 'device')),
                device_id        TEXT    REFERENCES devices(id) ON DELETE CASCADE,
                token_hash       BLOB    UNIQUE,
                client           TEXT,
                created_at       INTEGER NOT NULL,
                last_seen_at     INTEGER NOT NULL,
                expires_at       INTEGER NOT NULL,
                authenticated_at INTEGER NOT NULL,
                revoked_at       INTEGER
            ) STRICT;
            CREATE INDEX sessions_by_user ON sessions(user_id);
            CREATE INDEX sessions_by_device ON sessions(device_id);
            CREATE TABLE login_failures (
                name           TEXT    NOT NULL PRIMARY KEY COLLATE NOCASE,
                failures       INTEGER NOT NULL,
                last_failed_at INTEGER NOT NULL
            ) STRICT;
            CREATE TABLE identity_audit (
                id      INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
                at      INTEGER NOT NULL,
                event   TEXT    NOT NULL,
                user_id TEXT,
                actor   TEXT,
                client  TEXT,
                detail  TEXT
            ) STRICT;
            CREATE INDEX identity_audit_by_user ON identity_audit(user_id, id);
            CREATE TABLE usage_profile (
                user_id   TEXT    NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                app       TEXT    NOT NULL,
                device_id TEXT    NOT NULL DEFAULT '',
                place     TEXT    NOT NULL,
                count     INTEGER NOT NULL,
                first_at  INTEGER NOT NULL,
                last_at   INTEGER NOT NULL,
                PRIMARY KEY (user_id, app, device_id, place)
            ) STRICT;
            """),
        new(Component, 3, "app passwords (WebDAV Basic), revoked when their user is disabled", """
            CREATE TABLE app_passwords (
                id           TEXT    NOT NULL PRIMARY KEY,
                user_id      TEXT    NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                label        TEXT    NOT NULL,
                secret_hash  BLOB    NOT NULL UNIQUE,
                created_at   INTEGER NOT NULL,
                last_used_at INTEGER,
                revoked_at   INTEGER
            ) STRICT;
            CREATE INDEX app_passwords_by_user ON app_passwords(user_id);
            CREATE TRIGGER app_passwords_revoked_with_user AFTER UPDATE OF status ON users
            WHEN NEW.status <> 'active'
            BEGIN
                UPDATE app_passwords SET revoked_at = CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
                WHERE user_id = NEW.id AND revoked_at IS NULL;
            END;
            """),
    ];
}
