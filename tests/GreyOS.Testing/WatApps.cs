namespace GreyOS.Testing;

/// <summary>
/// Small WebAssembly apps (WAT) that several test projects run: the WASI imports they use, and
/// apps with exactly one behaviour each. Project-specific apps stay in each project's <c>Wat</c>.
/// </summary>
public static class WatApps
{
    public const string FdWrite = """(import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))""";
    public const string FdRead = """(import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))""";
    public const string ProcExit = """(import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))""";

    /// <summary>Writes its argv blob (argv[0] = the app's name, NUL after each) to stdout and exits with argc.</summary>
    public const string EchoArgs = $$"""
        (module
          (import "wasi_snapshot_preview1" "args_sizes_get" (func $sizes (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "args_get" (func $get (param i32 i32) (result i32)))
          {{FdWrite}} {{ProcExit}}
          (memory (export "memory") 1)
          (func (export "_start")
            (drop (call $sizes (i32.const 0) (i32.const 4)))
            (drop (call $get (i32.const 1024) (i32.const 2048)))
            (i32.store (i32.const 16) (i32.const 2048))
            (i32.store (i32.const 20) (i32.load (i32.const 4)))
            (drop (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24)))
            (call $exit (i32.load (i32.const 0)))))
        """;

    /// <summary>Writes its environ blob (<c>K=V</c>, NUL after each) to stdout; exits 0.</summary>
    public const string EchoEnv = $$"""
        (module
          (import "wasi_snapshot_preview1" "environ_sizes_get" (func $sizes (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "environ_get" (func $get (param i32 i32) (result i32)))
          {{FdWrite}}
          (memory (export "memory") 1)
          (func (export "_start")
            (drop (call $sizes (i32.const 0) (i32.const 4)))
            (drop (call $get (i32.const 1024) (i32.const 2048)))
            (i32.store (i32.const 16) (i32.const 2048))
            (i32.store (i32.const 20) (i32.load (i32.const 4)))
            (drop (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24)))))
        """;

    /// <summary>Reads stdin to end-of-file and exits with the number of bytes it read.</summary>
    public const string CountStdin = $$"""
        (module {{FdRead}} {{ProcExit}}
          (memory (export "memory") 1)
          (func (export "_start") (local $total i32) (local $n i32)
            (i32.store (i32.const 0) (i32.const 1024))
            (i32.store (i32.const 4) (i32.const 4096))
            (block $eof (loop $l
              (br_if $eof (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))
              (local.set $n (i32.load (i32.const 8)))
              (br_if $eof (i32.eqz (local.get $n)))
              (local.set $total (i32.add (local.get $total) (local.get $n)))
              (br $l)))
            (call $exit (local.get $total))))
        """;

    /// <summary>Runs <c>unreachable</c>: a trap, so the process faults.</summary>
    public const string Trap = """(module (memory (export "memory") 1) (func (export "_start") unreachable))""";

    /// <summary>Spins forever (until killed or out of CPU time).</summary>
    public const string Spin = """(module (memory (export "memory") 1) (func (export "_start") (loop $l (br $l))))""";
}
