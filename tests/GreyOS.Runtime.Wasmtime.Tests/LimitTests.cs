using System.Diagnostics;
using GreyOS.Abstractions.Runtime;

namespace GreyOS.Runtime.Wasmtime.Tests;

public sealed class LimitTests : RuntimeTests
{
    [Fact]
    public async Task RunCommand_InfiniteLoopWithCpuLimit_CpuLimitAndCpuTimeCharged()
    {
        var instance = Start(Wat.Spin, new RecordingAbi(), new GuestLimits(16L << 20, TimeSpan.FromMilliseconds(200)));

        var exit = await Task.Run(instance.RunCommand, Cancellation).WaitAsync(Patience, Cancellation);

        Assert.Equal(new GuestExit(GuestExitKind.CpuLimit, -1, "CPU limit of 0.2 s reached"), exit);
        Assert.True(instance.CpuTime >= TimeSpan.FromMilliseconds(200), $"charged {instance.CpuTime}");
    }

    [Fact]
    public async Task RunCommand_AfterCpuLimit_RefusedWithoutRunning()
    {
        var instance = Start(Wat.Spin, new RecordingAbi(), new GuestLimits(16L << 20, TimeSpan.FromMilliseconds(50)));
        await Task.Run(instance.RunCommand, Cancellation).WaitAsync(Patience, Cancellation);

        var again = instance.RunCommand();

        Assert.Equal(GuestExitKind.CpuLimit, again.Kind);
    }

    [Fact]
    public async Task Kill_FromAnotherThreadWhileSpinning_Killed()
    {
        var instance = Start(Wat.Spin, new RecordingAbi());
        var run = Task.Run(instance.RunCommand, Cancellation);
        await WaitUntilAsync(() => instance.CpuTime > TimeSpan.Zero);

        instance.Kill("killed by user admin");
        var exit = await run.WaitAsync(Patience, Cancellation);

        Assert.Equal(new GuestExit(GuestExitKind.Killed, -1, "killed by user admin"), exit);
    }

    [Fact]
    public async Task Kill_WhileBlockedInSyscall_KilledAsSoonAsTheKernelWakesIt()
    {
        using var inWait = new ManualResetEventSlim();
        using var wake = new ManualResetEventSlim();
        var abi = new RecordingAbi
        {
            OnCall = name =>
            {
                if (name == "grey_wait")
                {
                    inWait.Set();
                    wake.Wait(Patience); // a blocking syscall: epochs cannot interrupt it, the kernel must wake it
                }
            },
        };
        var instance = Start(Wat.WaitsThenSpins, abi);
        var run = Task.Run(instance.RunCommand, Cancellation);
        Assert.True(inWait.Wait(Patience, Cancellation));

        instance.Kill("node shutting down");
        wake.Set();
        var exit = await run.WaitAsync(Patience, Cancellation);

        Assert.Equal(new GuestExit(GuestExitKind.Killed, -1, "node shutting down"), exit);
    }

    [Fact]
    public void Kill_BeforeRunning_RunRefusedWithoutRunningGuestCode()
    {
        var abi = new RecordingAbi();
        var instance = Start(Wat.Hello, abi);

        instance.Kill("not wanted");
        var exit = instance.RunCommand();

        Assert.Equal(new GuestExit(GuestExitKind.Killed, -1, "not wanted"), exit);
        Assert.Empty(abi.Calls);
    }

    [Fact]
    public void RunCommand_MemoryBombWith16MiBCap_GrowFailsInsideGuestAndNodeSurvives()
    {
        var instance = Start(Wat.MemoryBomb, new RecordingAbi(), new GuestLimits(16L << 20, TimeSpan.FromSeconds(60)));

        var exit = instance.RunCommand();

        // memory.grow returned -1 to the guest at the cap, which then exited with the pages it had.
        Assert.Equal(new GuestExit(GuestExitKind.Exited, 256, null), exit);
        Assert.Equal(16L << 20, instance.Memory.Length);

        var abi = new RecordingAbi();
        Assert.Equal(3, Start(Wat.Hello, abi).RunCommand().Code);
    }

    [Fact]
    public void RunCommand_GrowBeyondCapInOneStep_GuestSeesMinusOne()
    {
        const string wat = """
            (module
              (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
              (memory (export "memory") 1)
              (func (export "_start") (call $exit (memory.grow (i32.const 65535))) unreachable))
            """;

        var exit = Start(wat, new RecordingAbi(), new GuestLimits(16L << 20, TimeSpan.FromSeconds(60))).RunCommand();

        Assert.Equal(new GuestExit(GuestExitKind.Exited, -1, null), exit);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < Patience, "condition not reached in time");
            await Task.Delay(5, Cancellation);
        }
    }
}
