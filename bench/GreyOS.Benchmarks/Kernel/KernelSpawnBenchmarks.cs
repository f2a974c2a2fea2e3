using BenchmarkDotNet.Attributes;
using GreyOS.Kernel.Processes;
using Wasmtime;

namespace GreyOS.Benchmarks.Kernel;

/// <summary>
/// Issue #3 target 2 — spawning a cached service app to ready costs ≤ 3× raw Wasmtime
/// instantiation, median ≤ 100 µs. One operation per iteration (many iterations; the median is
/// the figure); the module is <c>apps/fixtures/service_echo.wat</c>, compiled before anything is
/// measured (the kernel's in-memory module cache; the raw side maps a serialized compilation back).
/// Every process or store is killed/disposed in <see cref="CleanUp"/>, outside the measurement, so
/// at most one instance from this benchmark is alive at a time.
/// <list type="bullet">
/// <item><see cref="RawInstantiate"/> (baseline): <c>new Store(engine)</c> + <c>linker.Instantiate</c>.</item>
/// <item><see cref="RawInstantiateAsRuntime"/>: the same plus what GreyOS.Runtime.Wasmtime adds per
/// instance in raw Wasmtime calls (SetLimits, epoch deadline and callback, export look-ups): the
/// floor of any Wasmtime-based spawn with limits.</item>
/// <item><see cref="SpawnReturned"/>: <c>IProcessManager.SpawnAsync</c> until it returns — instance
/// created, process registered in the table, record queued for the database, service scheduled
/// (state Starting).</item>
/// <item><see cref="SpawnUntilIdle"/>: the same until the process reports <c>Idle</c> — a service
/// dispatcher thread has run its start (no <c>_initialize</c> here) and parked it: ready for events.</item>
/// </list>
/// </summary>
[Config(typeof(KernelSingleShotConfig))]
public class KernelSpawnBenchmarks
{
    private RawWasmtime _raw = null!;
    private Module _module = null!;
    private Linker _linker = null!;
    private Store? _store;
    private KernelNode _node = null!;
    private string _sha256 = null!;
    private KernelProcess? _process;

    [GlobalSetup]
    public async Task SetUpAsync()
    {
        NodePriority.Reset(); // thread priorities as on a node, not BenchmarkDotNet's boost

        var wasm = GuestModules.ServiceEcho;
        _raw = new RawWasmtime();
        _module = _raw.Precompiled(wasm, "service_echo");
        _linker = new Linker(_raw.Engine);
        _node = await KernelNode.StartAsync(o => o.MaxProcessesPerUser = 20_000).ConfigureAwait(false);
        _sha256 = _node.Load(wasm);

        // Past JIT tiering of every path before BenchmarkDotNet's own warm-up.
        for (var i = 0; i < 200; i++)
        {
            RawInstantiate();
            CleanUp();
            RawInstantiateAsRuntime();
            CleanUp();
            await SpawnUntilIdle().ConfigureAwait(false);
            CleanUp();
        }

        Console.WriteLine($"// thread priorities: {NodePriority.Describe(Environment.ProcessId)}");
    }

    [GlobalCleanup]
    public async Task TearDownAsync()
    {
        CleanUp();
        await _node.DisposeAsync().ConfigureAwait(false);
        _linker.Dispose();
        _module.Dispose();
        _raw.Dispose();
    }

    [IterationCleanup]
    public void CleanUp()
    {
        _store?.Dispose();
        _store = null;
        if (_process is { } process)
        {
            _process = null;
            _node.KillAllAsync([process]).GetAwaiter().GetResult();
        }
    }

    [Benchmark(Baseline = true)]
    public Instance RawInstantiate()
    {
        _store = new Store(_raw.Engine);
        return _linker.Instantiate(_store, _module);
    }

    [Benchmark]
    public Instance RawInstantiateAsRuntime()
    {
        var store = _store = new Store(_raw.Engine, this);
        store.SetLimits(memorySize: 64L << 20, tableElements: 1 << 18, instances: 1, tables: 16, memories: 1);
        store.SetEpochDeadline(1);
        store.SetEpochDeadlineCallback(_ => 1);
        var instance = _linker.Instantiate(store, _module);
        _ = instance.GetMemory("memory");
        // grey_on_event is bound with the first event (WasmtimeInstance), not at spawn
        return instance;
    }

    [Benchmark]
    public async Task<long> SpawnReturned()
    {
        _process = await _node.SpawnAsync(KernelNode.Request(_sha256)).ConfigureAwait(false);
        return _process.Pid;
    }

    [Benchmark]
    public async Task<long> SpawnUntilIdle()
    {
        var process = _process = await _node.SpawnAsync(KernelNode.Request(_sha256)).ConfigureAwait(false);
        KernelNode.WaitIdle(process);
        return process.Pid;
    }
}
