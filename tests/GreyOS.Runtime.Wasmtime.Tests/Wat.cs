namespace GreyOS.Runtime.Wasmtime.Tests;

/// <summary>Guest fixtures in the WebAssembly text format.</summary>
internal static class Wat
{
    /// <summary>Prints "hello, grey\n" with fd_write, then proc_exit(3).</summary>
    public const string Hello = """
        (module
          (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
          (memory (export "memory") 1)
          (data (i32.const 16) "hello, grey\n")
          (func (export "_start")
            (i32.store (i32.const 0) (i32.const 16))
            (i32.store (i32.const 4) (i32.const 12))
            (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
            (call $proc_exit (i32.const 3))
            unreachable))
        """;

    public const string Returns = """(module (memory (export "memory") 1) (func (export "_start")))""";

    public const string Unreachable = """(module (func (export "_start") unreachable))""";

    public const string Spin = """(module (func (export "_start") (loop $l (br $l))))""";

    public const string Recurse = """(module (func $f (export "_start") (call $f)))""";

    /// <summary>Grows memory one page at a time until memory.grow fails, then exits with the page count it reached.</summary>
    public const string MemoryBomb = """
        (module
          (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
          (memory (export "memory") 1)
          (func (export "_start")
            (block $full
              (loop $grow
                (br_if $full (i32.eq (memory.grow (i32.const 1)) (i32.const -1)))
                ;; touch the last byte of the new page
                (i32.store8 (i32.sub (i32.mul (memory.size) (i32.const 65536)) (i32.const 1)) (i32.const 1))
                (br $grow)))
            (call $proc_exit (memory.size))
            unreachable))
        """;

    /// <summary>Calls sched_yield (a syscall the tests make fail), then returns.</summary>
    public const string Yields = """
        (module
          (import "wasi_snapshot_preview1" "sched_yield" (func $yield (result i32)))
          (func (export "_start") (drop (call $yield))))
        """;

    /// <summary>Blocks in grey_wait, then spins (the kernel wakes the wait; the guest must not get further).</summary>
    public const string WaitsThenSpins = """
        (module
          (import "grey" "grey_wait" (func $wait (param i32 i32 i64) (result i32)))
          (memory (export "memory") 1)
          (func (export "_start")
            (drop (call $wait (i32.const 0) (i32.const 0) (i64.const -1)))
            (loop $l (br $l))))
        """;

    /// <summary>A service: _initialize sets a base of 100; each event counts and answers base + count + kind + value.</summary>
    public const string CounterService = """
        (module
          (global $base (mut i32) (i32.const 0))
          (global $count (mut i32) (i32.const 0))
          (memory (export "memory") 1)
          (func (export "_initialize") (global.set $base (i32.const 100)))
          (func (export "grey_on_event") (param $kind i32) (param $handle i32) (param $value i64) (result i32)
            (global.set $count (i32.add (global.get $count) (i32.const 1)))
            (i32.add
              (i32.add (global.get $base) (global.get $count))
              (i32.add (local.get $kind) (i32.wrap_i64 (local.get $value))))))
        """;

    /// <summary>Exercises grey plumbing: log_write of "hi grey" at level 2, then exits with (i32)grey_poll(5).</summary>
    public const string GreyPlumbing = """
        (module
          (import "grey" "log_write" (func $log (param i32 i32 i32) (result i32)))
          (import "grey" "grey_poll" (func $poll (param i32) (result i64)))
          (import "grey" "proc_exit" (func $exit (param i32)))
          (memory (export "memory") 1)
          (data (i32.const 100) "hi grey")
          (func (export "_start")
            (drop (call $log (i32.const 2) (i32.const 100) (i32.const 7)))
            (call $exit (i32.wrap_i64 (call $poll (i32.const 5))))
            unreachable))
        """;

    /// <summary>Calls path_open (outside the kernel's WASI subset) and exits with its result.</summary>
    public const string CallsPathOpen = """
        (module
          (import "wasi_snapshot_preview1" "path_open"
            (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
          (memory (export "memory") 1)
          (func (export "_start")
            (call $exit (call $open (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)
                                    (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 0)))
            unreachable))
        """;
}
