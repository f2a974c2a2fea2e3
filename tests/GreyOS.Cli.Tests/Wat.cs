namespace GreyOS.Cli.Tests;

/// <summary>Small WebAssembly apps (WAT) with exactly the behaviour a CLI test needs.</summary>
internal static class Wat
{
    private const string FdWrite = """(import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))""";
    private const string FdRead = """(import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))""";
    private const string ProcExit = """(import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))""";

    /// <summary>Writes its argv blob (argv[0] = the app's name, NUL after each) to stdout and exits with argc.</summary>
    public const string Hello = $$"""
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

    /// <summary>Copies stdin to stdout until end-of-file (<c>cat</c>); exits 0.</summary>
    public const string Cat = $$"""
        (module {{FdRead}} {{FdWrite}}
          (memory (export "memory") 2)
          (func (export "_start") (local $n i32)
            (block $eof (loop $l
              (i32.store (i32.const 0) (i32.const 1024))
              (i32.store (i32.const 4) (i32.const 65536))
              (br_if $eof (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))
              (local.set $n (i32.load (i32.const 8)))
              (br_if $eof (i32.eqz (local.get $n)))
              (i32.store (i32.const 16) (i32.const 1024))
              (i32.store (i32.const 20) (local.get $n))
              (drop (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24)))
              (br $l)))))
        """;

    /// <summary>Writes bytes that are not UTF-8 (00 FF FE 80 then "ok") to stdout and "warn\n" to stderr; exits 0.</summary>
    public const string BinaryOutput = $$"""
        (module {{FdWrite}}
          (memory (export "memory") 1)
          (data (i32.const 100) "\00\ff\fe\80ok")
          (data (i32.const 200) "warn\n")
          (func (export "_start")
            (i32.store (i32.const 0) (i32.const 100))
            (i32.store (i32.const 4) (i32.const 6))
            (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
            (i32.store (i32.const 0) (i32.const 200))
            (i32.store (i32.const 4) (i32.const 5))
            (drop (call $fd_write (i32.const 2) (i32.const 0) (i32.const 1) (i32.const 8)))))
        """;

    /// <summary>Prints "first\n", sleeps 400 ms (grey time_sleep + grey_wait), prints "second\n" and "oops\n" on stderr; exits 0.</summary>
    public const string SlowTalker = $$"""
        (module
          (import "grey" "time_sleep" (func $sleep (param i64) (result i32)))
          (import "grey" "grey_wait" (func $wait (param i32 i32 i64) (result i32)))
          {{FdWrite}}
          (memory (export "memory") 1)
          (data (i32.const 100) "first\n")
          (data (i32.const 200) "second\n")
          (data (i32.const 300) "oops\n")
          (func $print (param $fd i32) (param $ptr i32) (param $len i32)
            (i32.store (i32.const 0) (local.get $ptr))
            (i32.store (i32.const 4) (local.get $len))
            (drop (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8))))
          (func (export "_start")
            (call $print (i32.const 1) (i32.const 100) (i32.const 6))
            (i32.store (i32.const 32) (call $sleep (i64.const 400000000)))
            (drop (call $wait (i32.const 32) (i32.const 1) (i64.const -1)))
            (call $print (i32.const 1) (i32.const 200) (i32.const 7))
            (call $print (i32.const 2) (i32.const 300) (i32.const 5))))
        """;

    /// <summary>Runs <c>unreachable</c>: a trap, so the process faults.</summary>
    public const string Trap = """(module (memory (export "memory") 1) (func (export "_start") unreachable))""";

    /// <summary>Spins forever (until killed or out of CPU time).</summary>
    public const string Spin = """(module (memory (export "memory") 1) (func (export "_start") (loop $l (br $l))))""";
}
