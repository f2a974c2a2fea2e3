using BenchmarkDotNet.Attributes;
using GreyOS.Abstractions.Runtime;
using GreyOS.Kernel.Processes;
using Wasmtime;

namespace GreyOS.Benchmarks.Kernel;

/// <summary>
/// Issue #3 target 1 — a no-op <c>grey</c> syscall through the gate costs ≤ 2× a raw Wasmtime host
/// call. One guest module (<see cref="GuestModules.SyscallLoopWat"/>: noop_syscall.wat's <c>run</c>
/// loop behind <c>grey_on_event</c>) calls <c>grey.grey_abi_version</c> <see cref="Calls"/> times per
/// invocation; times are per call (<c>OperationsPerInvoke</c>).
/// <list type="bullet">
/// <item><see cref="RawHostCall"/> (baseline): a raw Wasmtime instance whose import is a plain
/// <c>linker.DefineFunction("grey", "grey_abi_version", () =&gt; 1)</c>.</item>
/// <item><see cref="RawHostCallWithStoreData"/>: the same with the stub's shape minus the gate —
/// <c>(Caller c) =&gt; ((Data)c.GetData()).Version</c> — to split the gate's cost from the store lookup.</item>
/// <item><see cref="GreyOSGate"/>: a service spawned by the real kernel (SQLite, Wasmtime runtime,
/// ProcessManager); the import is the runtime's stub (AbiLinker) → GuestSyscalls → SyscallGate
/// (capability bit, token bucket, counters). The benchmark calls the idle process's
/// <c>IGuestInstance.DeliverEvent</c> itself (the event path is target 4).</item>
/// <item><see cref="GuestLocalCall"/>: the loop calling a local function (no host call): the floor.</item>
/// </list>
/// The kernel runs with <c>SyscallsPerSecond = int.MaxValue</c>: the default (1,000,000/s, burst of
/// one second) would turn calls beyond it into <c>-EQUOTA</c> within the first iteration (tens of
/// millions of calls per second); every invocation checks that all calls returned 1.
/// </summary>
[Config(typeof(KernelLoopConfig))]
public class KernelSyscallBenchmarks
{
    /// <summary>Syscalls per invocation.</summary>
    public const int Calls = 100_000;

    private const int RunImport = 0;
    private const int RunLocal = 1;

    private RawWasmtime _raw = null!;
    private Module _module = null!;
    private Linker _rawLinker = null!;
    private Linker _dataLinker = null!;
    private Store _rawStore = null!;
    private Store _dataStore = null!;
    private Func<int, int, long, int> _rawOnEvent = null!;
    private Func<int, int, long, int> _dataOnEvent = null!;
    private KernelNode _node = null!;
    private KernelProcess _process = null!;
    private IGuestInstance _instance = null!;

    [GlobalSetup]
    public async Task SetUpAsync()
    {
        NodePriority.Reset();
        var wasm = GuestModules.SyscallLoop;
        _raw = new RawWasmtime();
        _module = _raw.Precompiled(wasm, "syscall_loop");

        _rawLinker = new Linker(_raw.Engine);
        _rawLinker.DefineFunction("grey", "grey_abi_version", () => 1);
        _rawStore = _raw.RunnableStore();
        _rawOnEvent = _rawLinker.Instantiate(_rawStore, _module).GetFunction<int, int, long, int>("grey_on_event")!;

        _dataLinker = new Linker(_raw.Engine);
        _dataLinker.DefineFunction("grey", "grey_abi_version", (Caller c) => ((StoreData)c.GetData()!).Version);
        _dataStore = _raw.RunnableStore(new StoreData());
        _dataOnEvent = _dataLinker.Instantiate(_dataStore, _module).GetFunction<int, int, long, int>("grey_on_event")!;

        _node = await KernelNode.StartAsync(o => o.SyscallsPerSecond = int.MaxValue).ConfigureAwait(false);
        var sha256 = _node.Load(wasm);
        _process = await _node.SpawnAsync(KernelNode.Request(sha256)).ConfigureAwait(false);
        KernelNode.WaitIdle(_process);
        _instance = _process.Instance!;

        // Every path works before anything is measured.
        GuestLocalCall();
        RawHostCall();
        RawHostCallWithStoreData();
        GreyOSGate();
    }

    [GlobalCleanup]
    public async Task CleanUpAsync()
    {
        Console.WriteLine($"// kernel process {_process.Pid}: {_process.Gate.Total:N0} syscalls counted by the gate, {_process.Gate.Denied} denied");
        await _node.KillAllAsync([_process]).ConfigureAwait(false);
        await _node.DisposeAsync().ConfigureAwait(false);
        _rawStore.Dispose();
        _dataStore.Dispose();
        _rawLinker.Dispose();
        _dataLinker.Dispose();
        _module.Dispose();
        _raw.Dispose();
    }

    [Benchmark(OperationsPerInvoke = Calls)]
    public int GuestLocalCall() => Check(_rawOnEvent(RunLocal, 0, Calls));

    [Benchmark(Baseline = true, OperationsPerInvoke = Calls)]
    public int RawHostCall() => Check(_rawOnEvent(RunImport, 0, Calls));

    [Benchmark(OperationsPerInvoke = Calls)]
    public int RawHostCallWithStoreData() => Check(_dataOnEvent(RunImport, 0, Calls));

    [Benchmark(OperationsPerInvoke = Calls)]
    public int GreyOSGate()
    {
        var exit = _instance.DeliverEvent(RunImport, 0, Calls);
        return exit.Kind == GuestExitKind.Returned
            ? Check(exit.Code)
            : throw new InvalidOperationException($"the guest ended: {exit.Kind} {exit.Reason}");
    }

    private static int Check(int failedCalls) =>
        failedCalls == 0 ? 0 : throw new InvalidOperationException($"{failedCalls} of {Calls} calls did not return 1 (denied or rate-limited?)");

    private sealed class StoreData
    {
        public int Version { get; } = 1;
    }
}
