using BenchmarkDotNet.Attributes;
using GreyOS.Kernel.Processes;
using Wasmtime;

namespace GreyOS.Benchmarks.Kernel;

/// <summary>
/// Issue #3 target 2, back to back: the same operations as <see cref="KernelSpawnBenchmarks"/>, but
/// each invocation performs <see cref="Spawns"/> of them in a row (each spawn waits for the previous
/// one to be ready), so caches and threads are warm — a node starting many apps. Times are per
/// spawn (<c>OperationsPerInvoke</c>). The <see cref="Spawns"/> processes/stores stay alive until
/// <see cref="CleanUp"/> kills/disposes them after the iteration, outside the measurement.
/// </summary>
[Config(typeof(KernelSpawnBatchConfig))]
public class KernelSpawnBatchBenchmarks
{
    /// <summary>Spawns per invocation.</summary>
    public const int Spawns = 100;

    private readonly List<Store> _stores = new(Spawns);
    private readonly List<KernelProcess> _processes = new(Spawns);
    private RawWasmtime _raw = null!;
    private Module _module = null!;
    private Linker _linker = null!;
    private KernelNode _node = null!;
    private string _sha256 = null!;

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
        for (var i = 0; i < 5; i++)
        {
            RawInstantiate();
            CleanUp();
            RawInstantiateAsRuntime();
            CleanUp();
            await SpawnReturned().ConfigureAwait(false);
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
        foreach (var store in _stores)
        {
            store.Dispose();
        }

        _stores.Clear();
        _node.KillAllAsync(_processes).GetAwaiter().GetResult();
        _processes.Clear();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Spawns)]
    public int RawInstantiate()
    {
        for (var i = 0; i < Spawns; i++)
        {
            var store = new Store(_raw.Engine);
            _linker.Instantiate(store, _module);
            _stores.Add(store);
        }

        return _stores.Count;
    }

    [Benchmark(OperationsPerInvoke = Spawns)]
    public int RawInstantiateAsRuntime()
    {
        for (var i = 0; i < Spawns; i++)
        {
            var store = new Store(_raw.Engine, this);
            store.SetLimits(memorySize: 64L << 20, tableElements: 1 << 18, instances: 1, tables: 16, memories: 1);
            store.SetEpochDeadline(1);
            store.SetEpochDeadlineCallback(_ => 1);
            var instance = _linker.Instantiate(store, _module);
            _ = instance.GetMemory("memory");
            // grey_on_event is bound with the first event (WasmtimeInstance), not at spawn
            _stores.Add(store);
        }

        return _stores.Count;
    }

    [Benchmark(OperationsPerInvoke = Spawns)]
    public async Task<int> SpawnReturned()
    {
        for (var i = 0; i < Spawns; i++)
        {
            _processes.Add(await _node.SpawnAsync(KernelNode.Request(_sha256)).ConfigureAwait(false));
        }

        return _processes.Count;
    }

    [Benchmark(OperationsPerInvoke = Spawns)]
    public async Task<int> SpawnUntilIdle()
    {
        for (var i = 0; i < Spawns; i++)
        {
            var process = await _node.SpawnAsync(KernelNode.Request(_sha256)).ConfigureAwait(false);
            _processes.Add(process);
            KernelNode.WaitIdle(process);
        }

        return _processes.Count;
    }
}
