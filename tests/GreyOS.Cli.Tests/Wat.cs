using GreyOS.Testing;

namespace GreyOS.Cli.Tests;

/// <summary>Small WebAssembly apps (WAT) with exactly the behaviour a CLI test needs.</summary>
internal static class Wat
{
    private const string FdWrite = WatApps.FdWrite;
    private const string FdRead = WatApps.FdRead;
    private const string ProcExit = WatApps.ProcExit;

    public const string Hello = WatApps.EchoArgs;

    public const string EchoEnv = WatApps.EchoEnv;

    public const string CountStdin = WatApps.CountStdin;

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

    public const string Trap = WatApps.Trap;

    public const string Spin = WatApps.Spin;
}
