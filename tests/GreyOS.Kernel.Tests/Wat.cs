using GreyOS.Testing;

namespace GreyOS.Kernel.Tests;

/// <summary>Small WAT programs with exactly the behaviour a test needs.</summary>
internal static class Wat
{
    private const string FdWrite = WatApps.FdWrite;
    private const string ProcExit = WatApps.ProcExit;

    public const string HelloExit3 = $$"""
        (module {{FdWrite}} {{ProcExit}}
          (memory (export "memory") 1)
          (data (i32.const 100) "hi\n")
          (func (export "_start")
            (i32.store (i32.const 0) (i32.const 100))
            (i32.store (i32.const 4) (i32.const 3))
            (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
            (call $exit (i32.const 3))))
        """;

    public const string Returns = """(module (memory (export "memory") 1) (func (export "_start")))""";

    public const string EchoArgs = WatApps.EchoArgs;

    public const string EchoEnv = WatApps.EchoEnv;

    public const string Trap = WatApps.Trap;

    public const string Spin = WatApps.Spin;

    /// <summary>Grows memory a page at a time until refused; exits with the number of pages it got.</summary>
    public const string MemoryBomb = $$"""
        (module {{ProcExit}}
          (memory (export "memory") 1)
          (func (export "_start") (local $n i32)
            (block $done (loop $l
              (br_if $done (i32.eq (memory.grow (i32.const 1)) (i32.const -1)))
              (local.set $n (i32.add (local.get $n) (i32.const 1)))
              (br $l)))
            (call $exit (local.get $n))))
        """;

    /// <summary>Calls proc_signal (needs proc.signal); exits with minus its result (1 = EACCES).</summary>
    public const string SignalSomeone = $$"""
        (module
          (import "grey" "proc_signal" (func $signal (param i64 i32) (result i32)))
          {{ProcExit}}
          (memory (export "memory") 1)
          (func (export "_start")
            (call $exit (i32.sub (i32.const 0) (call $signal (i64.const 999999) (i32.const 15))))))
        """;

    /// <summary>Writes 64 KiB to stdout forever.</summary>
    public const string OutputFlood = $$"""
        (module {{FdWrite}}
          (memory (export "memory") 2)
          (func (export "_start")
            (i32.store (i32.const 0) (i32.const 1024))
            (i32.store (i32.const 4) (i32.const 65536))
            (loop $l (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))) (br $l))))
        """;

    /// <summary>Calls log_write forever (a syscall flood).</summary>
    public const string SyscallFlood = """
        (module
          (import "grey" "random_fill" (func $fill (param i32 i32) (result i32)))
          (memory (export "memory") 1)
          (func (export "_start") (loop $l (drop (call $fill (i32.const 0) (i32.const 8))) (br $l))))
        """;

    public const string CountStdin = WatApps.CountStdin;

    /// <summary>Sleeps <c>ns</c> through time_sleep + grey_wait; exits with grey_poll's result + 5.</summary>
    public static string SleepThenExit(long nanoseconds) => $$"""
        (module
          (import "grey" "time_sleep" (func $sleep (param i64) (result i32)))
          (import "grey" "grey_wait" (func $wait (param i32 i32 i64) (result i32)))
          (import "grey" "grey_poll" (func $poll (param i32) (result i64)))
          {{ProcExit}}
          (memory (export "memory") 1)
          (func (export "_start")
            (i32.store (i32.const 0) (call $sleep (i64.const {{nanoseconds}})))
            (drop (call $wait (i32.const 0) (i32.const 1) (i64.const -1)))
            (call $exit (i32.add (i32.wrap_i64 (call $poll (i32.load (i32.const 0)))) (i32.const 5)))))
        """;

    /// <summary>A service: a 20 ms periodic timer tagged 42; exits with 7 after three ticks.</summary>
    public const string TickerService = """
        (module
          (import "grey" "time_timer" (func $timer (param i64 i64 i64) (result i32)))
          (memory (export "memory") 1)
          (global $ticks (mut i32) (i32.const 0))
          (func (export "_initialize") (drop (call $timer (i64.const 1000000) (i64.const 20000000) (i64.const 42))))
          (func (export "grey_on_event") (param $kind i32) (param $h i32) (param $v i64) (result i32)
            (if (i32.and (i32.eq (local.get $kind) (i32.const 2)) (i64.eq (local.get $v) (i64.const 42)))
              (then (global.set $ticks (i32.add (global.get $ticks) (i32.const 1)))))
            (if (result i32) (i32.ge_u (global.get $ticks) (i32.const 3)) (then (i32.const 7)) (else (i32.const 0)))))
        """;

    /// <summary>A service without <c>_initialize</c> that ends with exit code 5 on its first event.</summary>
    public const string ExitsOnFirstEvent = """
        (module (memory (export "memory") 1)
          (func (export "grey_on_event") (param i32 i32 i64) (result i32) (i32.const 5)))
        """;

    /// <summary>A service that does nothing until events arrive; returns 0 to each.</summary>
    public const string IdleService = """
        (module (memory (export "memory") 1)
          (func (export "grey_on_event") (param i32 i32 i64) (result i32) (i32.const 0)))
        """;
}
