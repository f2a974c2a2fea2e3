using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;

namespace GreyOS.Benchmarks.Harness;

/// <summary>
/// Process start-up benchmarks: every iteration starts one server process and measures until it
/// serves; no pilot, no unrolling, one invocation per iteration (an iteration is one process start).
/// </summary>
public sealed class ProcessStartConfig : ManualConfig
{
    public ProcessStartConfig()
    {
        AddJob(Job.Default
            .WithStrategy(RunStrategy.Monitoring)
            .WithLaunchCount(1)
            .WithWarmupCount(2)
            .WithIterationCount(15)
            .WithInvocationCount(1)
            .WithUnrollFactor(1)
            .WithId("ProcessStart"));
        AddColumn(StatisticColumn.Median, StatisticColumn.Min, StatisticColumn.Max);
    }
}

/// <summary>
/// Request-throughput benchmarks: each invocation sends a fixed batch of requests
/// (<c>OperationsPerInvoke</c> = batch size, so times are per request); warm-up first.
/// </summary>
public sealed class RequestThroughputConfig : ManualConfig
{
    public RequestThroughputConfig()
    {
        AddJob(Job.Default
            .WithLaunchCount(1)
            .WithWarmupCount(5)
            .WithIterationCount(30)
            .WithInvocationCount(1)
            .WithUnrollFactor(1)
            .WithId("Throughput"));
        AddColumn(StatisticColumn.Median, RequestsPerSecondColumn.Absolute, RequestsPerSecondColumn.VersusBaseline);
    }
}
