using GreyOS.Benchmarks.Harness;

namespace GreyOS.Benchmarks.Kernel;

/// <summary>
/// The guest modules of the kernel benchmarks, as WebAssembly bytes. Fixtures from
/// <c>apps/fixtures/</c> are read from the repository; the rest are written here as WAT because the
/// kernel reaches a service only through <c>grey_on_event</c> (<c>IGuestInstance</c> exposes no
/// other export), so loops that both sides must run are wrapped in that export.
/// </summary>
internal static class GuestModules
{
    /// <summary>
    /// <c>apps/fixtures/noop_syscall.wat</c> made reachable through the kernel: the same <c>run</c>
    /// loop (n calls of <c>grey.grey_abi_version</c>, each result added to <c>sum</c>) and the same
    /// <c>run_baseline</c> (a local call instead of the import), plus
    /// <c>grey_on_event(kind, handle, value)</c> which runs <c>run(value)</c> (kind 0) or
    /// <c>run_baseline(value)</c> (kind 1) and returns how many calls did not return 1 (0 = all
    /// succeeded; a denied or rate-limited call returns -1 or -4 and shows here). No <c>_start</c>:
    /// it is a service, so the kernel spawns it idle and the benchmark drives it.
    /// </summary>
    public const string SyscallLoopWat = """
        (module
          (import "grey" "grey_abi_version" (func $abi_version (result i32)))
          (memory (export "memory") 1)
          (global $sum (export "sum") (mut i64) (i64.const 0))
          (func $local_version (result i32)
            (i32.const 1))
          (func $run (export "run") (param $n i32)
            (block $done
              (loop $again
                (br_if $done (i32.eqz (local.get $n)))
                (global.set $sum (i64.add (global.get $sum) (i64.extend_i32_s (call $abi_version))))
                (local.set $n (i32.sub (local.get $n) (i32.const 1)))
                (br $again))))
          (func $run_baseline (export "run_baseline") (param $n i32)
            (block $done
              (loop $again
                (br_if $done (i32.eqz (local.get $n)))
                (global.set $sum (i64.add (global.get $sum) (i64.extend_i32_s (call $local_version))))
                (local.set $n (i32.sub (local.get $n) (i32.const 1)))
                (br $again))))
          (func (export "grey_on_event") (param $kind i32) (param $handle i32) (param $value i64) (result i32)
            (local $before i64)
            (local.set $before (global.get $sum))
            (if (i32.eqz (local.get $kind))
              (then (call $run (i32.wrap_i64 (local.get $value))))
              (else (call $run_baseline (i32.wrap_i64 (local.get $value)))))
            (i32.wrap_i64 (i64.sub (local.get $value) (i64.sub (global.get $sum) (local.get $before))))))
        """;

    /// <summary>
    /// <c>apps/fixtures/service_echo.wat</c> with its page of memory written at start
    /// (<c>_initialize</c> fills all 64 KiB), so that the linear memory is resident: the memory
    /// benchmark shows what an idle service costs when its memory is really used.
    /// </summary>
    public const string ServiceTouchedWat = """
        (module
          (memory (export "memory") 1)
          (global $events (export "events") (mut i64) (i64.const 0))
          (func (export "_initialize")
            (memory.fill (i32.const 0) (i32.const 1) (i32.const 65536)))
          (func (export "grey_on_event") (param $kind i32) (param $handle i32) (param $value i64) (result i32)
            (global.set $events (i64.add (global.get $events) (i64.const 1)))
            (i32.const 0)))
        """;

    /// <summary>
    /// A counting service that checks its own delivery: every event carries its sequence number
    /// (1, 2, 3 …) as <c>value</c>; the handler counts events in the global <c>events</c> and returns 0
    /// while <c>value == events</c>, else 1 — which ends the process (a lost, repeated or reordered
    /// event is visible as an ended process).
    /// </summary>
    public const string ServiceSequenceWat = """
        (module
          (memory (export "memory") 1)
          (global $events (export "events") (mut i64) (i64.const 0))
          (func (export "grey_on_event") (param $kind i32) (param $handle i32) (param $value i64) (result i32)
            (global.set $events (i64.add (global.get $events) (i64.const 1)))
            (i64.ne (local.get $value) (global.get $events))))
        """;

    public static byte[] SyscallLoop => Wasmtime.Module.ConvertText(SyscallLoopWat);

    public static byte[] ServiceTouched => Wasmtime.Module.ConvertText(ServiceTouchedWat);

    public static byte[] ServiceSequence => Wasmtime.Module.ConvertText(ServiceSequenceWat);

    /// <summary>The fixture <c>apps/fixtures/service_echo.wat</c>: no imports, no <c>_initialize</c>, 1 page.</summary>
    public static byte[] ServiceEcho => Fixture("service_echo.wat");

    /// <summary>The fixture <c>apps/fixtures/spin.wat</c>: a command whose <c>_start</c> loops forever.</summary>
    public static byte[] Spin => Fixture("spin.wat");

    private static byte[] Fixture(string name) =>
        Wasmtime.Module.ConvertText(File.ReadAllText(Path.Combine(ServerBinaries.RepositoryRoot, "apps", "fixtures", name)));
}
