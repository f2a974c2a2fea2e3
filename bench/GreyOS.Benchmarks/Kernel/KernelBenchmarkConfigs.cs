using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;

namespace GreyOS.Benchmarks.Kernel;

/// <summary>
/// Loops of many cheap operations (syscalls, events): one invocation runs a fixed count
/// (<c>OperationsPerInvoke</c>), BenchmarkDotNet's pilot picks invocations per iteration; allocations
/// are counted. Median and the median ratio are what the verdicts use.
/// </summary>
public sealed class KernelLoopConfig : ManualConfig
{
    public KernelLoopConfig()
    {
        AddJob(Job.Default
            .WithLaunchCount(1)
            .WithWarmupCount(5)
            .WithIterationCount(20)
            .WithId("KernelLoop"));
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(StatisticColumn.Median, StatisticColumn.Min, StatisticColumn.Max, MedianRatioColumn.Instance, OperationsPerSecondColumn.Instance);
    }
}

/// <summary>
/// One operation per iteration (one spawn, one instantiation): no pilot, no unrolling, setup and
/// cleanup (kill, dispose) outside the measurement; the median over many iterations is the figure.
/// </summary>
public sealed class KernelSingleShotConfig : ManualConfig
{
    public KernelSingleShotConfig()
    {
        AddJob(Job.Default
            .WithStrategy(RunStrategy.Monitoring)
            .WithLaunchCount(1)
            .WithWarmupCount(30)
            .WithIterationCount(400)
            .WithInvocationCount(1)
            .WithUnrollFactor(1)
            .WithId("SingleShot"));
        AddColumn(StatisticColumn.Median, StatisticColumn.P90, StatisticColumn.P95, StatisticColumn.Min, StatisticColumn.Max, MedianRatioColumn.Instance);
    }
}

/// <summary>
/// A batch of operations per invocation with per-iteration cleanup (kill, dispose): one invocation
/// per iteration, times per operation (<c>OperationsPerInvoke</c>).
/// </summary>
public sealed class KernelSpawnBatchConfig : ManualConfig
{
    public KernelSpawnBatchConfig()
    {
        AddJob(Job.Default
            .WithStrategy(RunStrategy.Monitoring)
            .WithLaunchCount(1)
            .WithWarmupCount(5)
            .WithIterationCount(40)
            .WithInvocationCount(1)
            .WithUnrollFactor(1)
            .WithId("SpawnBatch"));
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(StatisticColumn.Median, StatisticColumn.Min, StatisticColumn.Max, MedianRatioColumn.Instance);
    }
}

/// <summary>
/// Long, stateful measurements: a few iterations of one invocation each; the figures that matter
/// are recorded by the run itself and shown by <see cref="RecordedColumn"/>s.
/// </summary>
public abstract class KernelLongRunConfig : ManualConfig
{
    protected KernelLongRunConfig(int warmups, int iterations, params IColumn[] columns)
    {
        AddJob(Job.Default
            .WithStrategy(RunStrategy.Monitoring)
            .WithLaunchCount(1)
            .WithWarmupCount(warmups)
            .WithIterationCount(iterations)
            .WithInvocationCount(1)
            .WithUnrollFactor(1)
            .WithId("LongRun"));
        AddColumn(StatisticColumn.Median);
        AddColumn(columns);
    }
}

/// <summary>
/// 10,000 idle processes per iteration, no warm-up iteration: the first iteration runs in a fresh
/// process (each benchmark gets its own), which is the honest RSS growth; later ones may reuse
/// memory freed by the previous teardown, so the columns report the largest growth seen.
/// </summary>
public sealed class KernelIdleMemoryConfig() : KernelLongRunConfig(
    0,
    KernelIdleMemoryConfig.Iterations,
    new RecordedColumn("RssKiBPerProcess", "RSS Δ KiB/proc", "RSS growth per idle instance/process (largest over iterations), KiB", RecordedColumn.Max),
    new RecordedColumn("BeyondLinearKiB", "Beyond linear KiB/proc", "RSS growth per process minus its resident linear memory (0 KiB untouched, 64 KiB touched), KiB", RecordedColumn.Max),
    new RecordedColumn("ManagedKiBPerProcess", "Managed KiB/proc", "Growth of the .NET heap after a full GC, per process, KiB (part of the RSS growth)", RecordedColumn.Max))
{
    public const int Iterations = 3;
}

/// <summary>Sequential HTTP latency: one warm-up iteration, then measured ones; percentiles over every measured request.</summary>
public sealed class KernelLatencyConfig() : KernelLongRunConfig(
    1,
    KernelLatencyConfig.Iterations,
    new RecordedColumn("P50Ms", "p50 ms", "Median latency of one GET /api/v1/health over all measured requests, ms", RecordedColumn.Last),
    new RecordedColumn("P99Ms", "p99 ms", "99th percentile latency over all measured requests, ms", RecordedColumn.Last),
    new RecordedColumn("MaxMs", "max ms", "Slowest measured request, ms", RecordedColumn.Last),
    new RecordedColumn("SpinnerCpuSeconds", "Spinner CPU s", "CPU seconds the spinners had used when the run ended (the node's own accounting)", RecordedColumn.Last),
    new RecordedColumn("SpinnerCpuPercent", "Spinner CPU %", "Spinner CPU seconds / wall seconds since they were spawned, % of one core (200 % = both cores of this machine)", RecordedColumn.Last))
{
    public const int Iterations = 5;
}
