using GreyOS.Abstractions.Processes;

namespace GreyOS.Kernel.Tests;

/// <summary>Apps that misbehave are stopped at their limit with a reason; the kernel keeps working.</summary>
public sealed class HostileAppTests
{
    [Fact]
    public async Task Trap_Unreachable_FaultedWithReason()
    {
        await using var kernel = await KernelHarness.StartAsync();

        var (info, _, _) = await kernel.RunAsync(kernel.Load(Wat.Trap));

        Assert.Equal(ProcessState.Faulted, info.State);
        Assert.Contains("unreachable", info.FaultReason, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Spin_CpuLimit_FaultedWithReasonAndKernelStillRuns()
    {
        await using var kernel = await KernelHarness.StartAsync();

        var (info, _, _) = await kernel.RunAsync(kernel.Load(Wat.Spin), limits: new ProcessLimits(16, 0.3, 1024));
        var (next, _, _) = await kernel.RunAsync(kernel.Load(Wat.HelloExit3));

        Assert.Equal(ProcessState.Faulted, info.State);
        Assert.Contains("CPU", info.FaultReason, StringComparison.Ordinal);
        Assert.Equal(3, next.ExitCode);
    }

    [Fact]
    public async Task Spin_Killed_EndsWithKillReason()
    {
        await using var kernel = await KernelHarness.StartAsync();
        var started = await kernel.SpawnAsync(kernel.Load(Wat.Spin));

        await kernel.Processes.KillAsync(started.Pid, "killed by test", TestContext.Current.CancellationToken);
        var info = (await kernel.Processes.WaitAsync(started.Pid, TestContext.Current.CancellationToken)).Value;

        Assert.Equal((ProcessState.Killed, "killed by test"), (info.State, info.FaultReason));
    }

    [Fact]
    public async Task Sleeping_Killed_WakesAndEnds()
    {
        await using var kernel = await KernelHarness.StartAsync();
        var started = await kernel.SpawnAsync(kernel.Load(Wat.SleepThenExit(3_600_000_000_000)));
        await Task.Delay(100, TestContext.Current.CancellationToken);

        await kernel.Processes.KillAsync(started.Pid, "wake up", TestContext.Current.CancellationToken);
        var info = (await kernel.Processes.WaitAsync(started.Pid, TestContext.Current.CancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken)).Value;

        Assert.Equal(ProcessState.Killed, info.State);
    }

    [Fact]
    public async Task MemoryBomb_Capped_GrowFailsAtTheLimit()
    {
        await using var kernel = await KernelHarness.StartAsync();

        var (info, _, _) = await kernel.RunAsync(kernel.Load(Wat.MemoryBomb), limits: new ProcessLimits(16, 10, 1024));

        // 16 MiB = 256 pages; it starts with one.
        Assert.Equal((ProcessState.Exited, 255), (info.State, info.ExitCode));
    }

    [Fact]
    public async Task Syscall_WithoutCapability_DeniedAsValueAndCounted()
    {
        await using var kernel = await KernelHarness.StartAsync();

        var (denied, _, _) = await kernel.RunAsync(kernel.Load(Wat.SignalSomeone));
        var (granted, _, _) = await kernel.RunAsync(kernel.Load(Wat.SignalSomeone), capabilities: ["proc.signal"]);

        Assert.Equal(1, denied.ExitCode); // -EACCES
        Assert.Equal(1, denied.SyscallsDenied);
        Assert.Equal(15, granted.ExitCode); // -ESRCH: allowed, but no such process
        Assert.Equal(0, granted.SyscallsDenied);
    }

    [Fact]
    public async Task OutputFlood_OutputLimit_FaultedWithReason()
    {
        await using var kernel = await KernelHarness.StartAsync();

        var (info, stdout, _) = await kernel.RunAsync(kernel.Load(Wat.OutputFlood), limits: new ProcessLimits(16, 30, 1024 * 1024));

        Assert.Equal(ProcessState.Faulted, info.State);
        Assert.Contains("output limit", info.FaultReason, StringComparison.Ordinal);
        Assert.True(stdout.Length <= 1024 * 1024);
    }

    [Fact]
    public async Task SyscallFlood_RateLimitedThenStoppedByCpuLimit()
    {
        await using var kernel = await KernelHarness.StartAsync(configure: o => o.SyscallsPerSecond = 10_000);

        var (info, _, _) = await kernel.RunAsync(kernel.Load(Wat.SyscallFlood), limits: new ProcessLimits(16, 0.5, 1024));

        Assert.Equal(ProcessState.Faulted, info.State);
        Assert.Contains("CPU", info.FaultReason, StringComparison.Ordinal);
        Assert.True(info.SyscallsDenied > 0, "the rate limit should have refused some calls");
    }
}
