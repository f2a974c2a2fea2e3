using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using GreyOS.Benchmarks.Kernel;

namespace GreyOS.Benchmarks.Identity;

/// <summary>
/// A batch of <c>OperationsPerInvoke</c> operations per iteration, one invocation each (no pilot:
/// the operations consume prepared, single-use inputs such as signature nonces); times per operation.
/// </summary>
public sealed class IdentityBatchConfig : ManualConfig
{
    public const int Warmups = 5;
    public const int Iterations = 30;

    public IdentityBatchConfig()
    {
        AddJob(Job.Default
            .WithStrategy(RunStrategy.Monitoring)
            .WithLaunchCount(1)
            .WithWarmupCount(Warmups)
            .WithIterationCount(Iterations)
            .WithInvocationCount(1)
            .WithUnrollFactor(1)
            .WithId("IdentityBatch"));
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(StatisticColumn.Median, StatisticColumn.Min, StatisticColumn.Max, MedianRatioColumn.Instance,
            new RecordedColumn("P50Us", "p50 µs/op", "Median over every measured operation (not per iteration), µs", RecordedColumn.Last),
            new RecordedColumn("P99Us", "p99 µs/op", "99th percentile over every measured operation, µs", RecordedColumn.Last));
    }
}

/// <summary>The concurrent-login load: a few iterations; errors and latency percentiles recorded by the run.</summary>
public sealed class IdentityLoadConfig() : KernelLongRunConfig(
    1,
    3,
    new RecordedColumn("Logins", "Logins", "Logins per iteration, all started at once", RecordedColumn.Last),
    new RecordedColumn("Errors", "Errors", "Failed logins over all iterations (must be 0)", RecordedColumn.Max),
    new RecordedColumn("P50Ms", "p50 ms", "Median login latency over the measured iterations, ms", RecordedColumn.Last),
    new RecordedColumn("P99Ms", "p99 ms", "99th percentile login latency, ms", RecordedColumn.Last),
    new RecordedColumn("LoginsPerSecond", "Logins/s", "Logins completed per second of wall time (last iteration)", RecordedColumn.Last));
