using GreyOS.Abstractions.Storage;

namespace GreyOS.Kernel.Storage;

/// <summary>The kernel's schema: PID blocks and the process records. Times are Unix milliseconds.</summary>
internal static class KernelMigrations
{
    public const string Component = "kernel";

    public static IEnumerable<SchemaMigration> All { get; } =
    [
        new(Component, 1, "pid sequence and process records", """
            CREATE TABLE kernel_pid_blocks (
                node       INTEGER NOT NULL PRIMARY KEY,
                next_block INTEGER NOT NULL
            ) STRICT;
            CREATE TABLE processes (
                pid          INTEGER NOT NULL PRIMARY KEY,
                parent_pid   INTEGER,
                owner        TEXT    NOT NULL,
                app          TEXT    NOT NULL,
                module       TEXT    NOT NULL,
                shape        TEXT    NOT NULL,
                state        TEXT    NOT NULL,
                exit_code    INTEGER,
                fault        TEXT,
                memory_mib   INTEGER NOT NULL,
                cpu_seconds  REAL    NOT NULL,
                output_bytes INTEGER NOT NULL,
                capabilities TEXT    NOT NULL,
                started_at   INTEGER NOT NULL,
                ended_at     INTEGER,
                cpu_used     REAL    NOT NULL DEFAULT 0,
                syscalls     INTEGER NOT NULL DEFAULT 0,
                denied       INTEGER NOT NULL DEFAULT 0
            ) STRICT;
            CREATE INDEX processes_by_owner ON processes(owner, pid);
            CREATE INDEX processes_by_state ON processes(state);
            """),
        new(Component, 2, "process priority", """
            ALTER TABLE processes ADD COLUMN nice INTEGER NOT NULL DEFAULT 0;
            """),
    ];
}
