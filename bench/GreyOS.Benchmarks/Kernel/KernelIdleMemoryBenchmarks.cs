using System.Globalization;
using BenchmarkDotNet.Attributes;
using GreyOS.Kernel.Processes;
using Wasmtime;

namespace GreyOS.Benchmarks.Kernel;

/// <summary>
/// Issue #3 target 3 — 10,000 idle service processes live on one node; memory per idle process
/// ≤ 64 KiB beyond its linear memory. Each iteration creates <see cref="Count"/> idle instances and
/// keeps them all alive; the iteration's time is how long creating them took (to all Idle).
/// <para>Method: before the iteration (after a full blocking GC) and after it (all idle, 0.5 s for
/// the kernel's background record writer to drain, full blocking GC) the process's VmRSS is read
/// from <c>/proc/self/status</c>; growth / <see cref="Count"/> = KiB per process. The module is
/// service_echo (1 page of memory): it never touches its memory, so none of its linear memory is
/// resident — the growth is all "beyond linear memory". The *Touched variants fill the whole page
/// in <c>_initialize</c> (64 KiB resident per instance), and their "beyond linear" column subtracts
/// those 64 KiB. Baselines: the same number of raw Wasmtime stores + instances of the same module in
/// the same run. Each benchmark runs in its own process (BenchmarkDotNet), the first iteration in a
/// fresh one; the columns show the largest growth over the iterations (later iterations may reuse
/// memory the previous teardown freed). Teardown (kill and wait, or dispose) is outside the
/// measurement and the RSS reading.</para>
/// </summary>
[Config(typeof(KernelIdleMemoryConfig))]
public class KernelIdleMemoryBenchmarks
{
    /// <summary>Idle instances per iteration.</summary>
    public const int Count = 10_000;

    private const double LinearMemoryKiB = 64;

    private readonly List<Store> _stores = new(Count);
    private readonly List<KernelProcess> _processes = new(Count);
    private RawWasmtime _raw = null!;
    private Module _echo = null!;
    private Module _touched = null!;
    private Linker _linker = null!;
    private KernelNode _node = null!;
    private string _echoSha256 = null!;
    private string _touchedSha256 = null!;
    private long _rssBefore;
    private long _managedBefore;

    [GlobalSetup]
    public async Task SetUpAsync()
    {
        NodePriority.Reset();
        _raw = new RawWasmtime();
        _echo = _raw.Precompiled(GuestModules.ServiceEcho, "service_echo");
        _touched = _raw.Precompiled(GuestModules.ServiceTouched, "service_touched");
        _linker = new Linker(_raw.Engine);
        _node = await KernelNode.StartAsync(o => o.MaxProcessesPerUser = Count + 100).ConfigureAwait(false);
        _echoSha256 = _node.Load(GuestModules.ServiceEcho);
        _touchedSha256 = _node.Load(GuestModules.ServiceTouched);

        // Every path JIT-compiled, every pool and the database warm, before the first RSS reading.
        for (var round = 0; round < 3; round++)
        {
            CreateRaw(_echo, 100, initialize: false);
            CreateRaw(_touched, 100, initialize: true);
            await SpawnAsync(_echoSha256, 100).ConfigureAwait(false);
            await SpawnAsync(_touchedSha256, 100).ConfigureAwait(false);
            await TearDownAsync().ConfigureAwait(false);
        }
    }

    [GlobalCleanup]
    public async Task CleanUpAsync()
    {
        await TearDownAsync().ConfigureAwait(false);
        await _node.DisposeAsync().ConfigureAwait(false);
        _linker.Dispose();
        _echo.Dispose();
        _touched.Dispose();
        _raw.Dispose();
    }

    [IterationSetup]
    public void ReadBefore()
    {
        FullGc();
        _rssBefore = Rss.CurrentBytes();
        _managedBefore = GC.GetTotalMemory(forceFullCollection: false);
    }

    [IterationCleanup(Target = nameof(RawInstances))]
    public void RecordRaw() => RecordAndTearDown(nameof(RawInstances), 0);

    [IterationCleanup(Target = nameof(KernelServices))]
    public void RecordKernel() => RecordAndTearDown(nameof(KernelServices), 0);

    [IterationCleanup(Target = nameof(RawInstancesTouched))]
    public void RecordRawTouched() => RecordAndTearDown(nameof(RawInstancesTouched), LinearMemoryKiB);

    [IterationCleanup(Target = nameof(KernelServicesTouched))]
    public void RecordKernelTouched() => RecordAndTearDown(nameof(KernelServicesTouched), LinearMemoryKiB);

    [Benchmark(Baseline = true)]
    public int RawInstances() => CreateRaw(_echo, Count, initialize: false);

    [Benchmark]
    public Task<int> KernelServices() => SpawnAsync(_echoSha256, Count);

    [Benchmark]
    public int RawInstancesTouched() => CreateRaw(_touched, Count, initialize: true);

    [Benchmark]
    public Task<int> KernelServicesTouched() => SpawnAsync(_touchedSha256, Count);

    private static void FullGc()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
    }

    private int CreateRaw(Module module, int count, bool initialize)
    {
        for (var i = 0; i < count; i++)
        {
            // As the runtime creates a store: memory and table limits, an epoch deadline.
            var store = new Store(_raw.Engine);
            store.SetLimits(memorySize: 64L << 20, tableElements: 1 << 18, instances: 1, tables: 16, memories: 1);
            store.SetEpochDeadline(1UL << 40);
            var instance = _linker.Instantiate(store, module);
            if (initialize)
            {
                instance.GetAction("_initialize")!();
            }

            _stores.Add(store);
        }

        return _stores.Count;
    }

    private async Task<int> SpawnAsync(string sha256, int count)
    {
        for (var i = 0; i < count; i++)
        {
            _processes.Add(await _node.SpawnAsync(KernelNode.Request(sha256)).ConfigureAwait(false));
        }

        foreach (var process in _processes)
        {
            KernelNode.WaitIdle(process);
        }

        return _processes.Count;
    }

    private void RecordAndTearDown(string method, double residentLinearKiB)
    {
        var live = _stores.Count + _processes.Count;
        Thread.Sleep(500);
        FullGc();
        var rss = Rss.CurrentBytes();
        var managed = GC.GetTotalMemory(forceFullCollection: false);
        var perProcessKiB = (rss - _rssBefore) / 1024.0 / live;
        var name = RecordedValues.Name(typeof(KernelIdleMemoryBenchmarks), method);
        RecordedValues.Record(name, "RssKiBPerProcess", perProcessKiB);
        RecordedValues.Record(name, "BeyondLinearKiB", perProcessKiB - residentLinearKiB);
        RecordedValues.Record(name, "ManagedKiBPerProcess", (managed - _managedBefore) / 1024.0 / live);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"// {method}: {live} live, VmRSS {_rssBefore / 1048576.0:0.0} -> {rss / 1048576.0:0.0} MiB"));
        TearDownAsync().GetAwaiter().GetResult();
    }

    private async Task TearDownAsync()
    {
        foreach (var store in _stores)
        {
            store.Dispose();
        }

        _stores.Clear();
        await _node.KillAllAsync(_processes).ConfigureAwait(false);
        _processes.Clear();
    }
}

/// <summary>The resident set size of this process (Linux: VmRSS in /proc/self/status).</summary>
internal static class Rss
{
    public static long CurrentBytes()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                var kib = line["VmRSS:".Length..].Trim().Split(' ')[0];
                return long.Parse(kib, CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new PlatformNotSupportedException("no VmRSS in /proc/self/status (Linux only)");
    }
}
