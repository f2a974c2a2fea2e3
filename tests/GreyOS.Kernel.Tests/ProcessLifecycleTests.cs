using GreyOS.Abstractions.Errors;
using GreyOS.Abstractions.Processes;

namespace GreyOS.Kernel.Tests;

public sealed class ProcessLifecycleTests
{
    [Fact]
    public async Task Run_CommandWritesAndExits_ExitCodeAndStdoutRecorded()
    {
        await using var kernel = await KernelHarness.StartAsync();

        var (info, stdout, _) = await kernel.RunAsync(kernel.Load(Wat.HelloExit3));

        Assert.Equal(ProcessState.Exited, info.State);
        Assert.Equal(3, info.ExitCode);
        Assert.Equal("hi\n", stdout);
        Assert.True(info.Syscalls >= 2);
        Assert.NotNull(info.EndedAt);
    }

    [Fact]
    public async Task Run_StartReturns_ExitCodeZero()
    {
        await using var kernel = await KernelHarness.StartAsync();

        var (info, _, _) = await kernel.RunAsync(kernel.Load(Wat.Returns));

        Assert.Equal((ProcessState.Exited, 0), (info.State, info.ExitCode));
    }

    [Fact]
    public async Task Run_ArgsAndEnvironment_SeenThroughWasi()
    {
        await using var kernel = await KernelHarness.StartAsync();

        var (args, argsOut, _) = await kernel.RunAsync(kernel.Load(Wat.EchoArgs), ["a", "bé"]);
        var (_, envOut, _) = await kernel.RunAsync(kernel.Load(Wat.EchoEnv), environment: new() { ["GREETING"] = "hello", ["X"] = "1" });

        Assert.Equal(3, args.ExitCode);
        Assert.EndsWith("\0a\0bé\0", argsOut, StringComparison.Ordinal);
        Assert.Contains("GREETING=hello\0", envOut, StringComparison.Ordinal);
        Assert.Contains("X=1\0", envOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_Stdin_ReadToEof()
    {
        await using var kernel = await KernelHarness.StartAsync();
        var started = await kernel.SpawnAsync(kernel.Load(Wat.CountStdin), keepStdinOpen: true);
        await using var session = kernel.Processes.Attach(started.Pid).Value;

        await session.WriteInputAsync("hello "u8.ToArray(), TestContext.Current.CancellationToken);
        await session.WriteInputAsync("world"u8.ToArray(), TestContext.Current.CancellationToken);
        session.CloseInput();
        var info = (await kernel.Processes.WaitAsync(started.Pid, TestContext.Current.CancellationToken)).Value;

        Assert.Equal(11, info.ExitCode);
    }

    [Fact]
    public async Task Run_NoStdinAttached_ReadsEofAtOnce()
    {
        await using var kernel = await KernelHarness.StartAsync();

        var (info, _, _) = await kernel.RunAsync(kernel.Load(Wat.CountStdin));

        Assert.Equal(0, info.ExitCode);
    }

    [Fact]
    public async Task Run_SleepThroughGreyWait_CompletesWithResult()
    {
        await using var kernel = await KernelHarness.StartAsync();

        var (info, _, _) = await kernel.RunAsync(kernel.Load(Wat.SleepThenExit(20_000_000)));

        Assert.Equal(5, info.ExitCode);
    }

    [Fact]
    public async Task Service_PeriodicTimer_HandlesTicksThenExitsWithItsCode()
    {
        await using var kernel = await KernelHarness.StartAsync();

        var (info, _, _) = await kernel.RunAsync(kernel.Load(Wat.TickerService));

        Assert.Equal(Abstractions.Runtime.AppShape.Service, info.Shape);
        Assert.Equal((ProcessState.Exited, 7), (info.State, info.ExitCode));
    }

    [Fact]
    public async Task Service_WithoutEvents_IsIdleAndCanBeKilled()
    {
        await using var kernel = await KernelHarness.StartAsync();
        var started = await kernel.SpawnAsync(kernel.Load(Wat.IdleService));

        await WaitForStateAsync(kernel, started.Pid, ProcessState.Idle);
        await kernel.Processes.KillAsync(started.Pid, "test kill", TestContext.Current.CancellationToken);
        var info = (await kernel.Processes.WaitAsync(started.Pid, TestContext.Current.CancellationToken)).Value;

        Assert.Equal(ProcessState.Killed, info.State);
        Assert.Equal("test kill", info.FaultReason);
    }

    [Fact]
    public async Task Service_WithoutInitializer_IsReadyWhenTheSpawnReturns_AndGetsEvents()
    {
        await using var kernel = await KernelHarness.StartAsync();
        var started = await kernel.SpawnAsync(kernel.Load(Wat.ExitsOnFirstEvent));

        // Nothing to run before its first event: Idle at once, no dispatcher turn needed.
        Assert.Equal(ProcessState.Idle, started.State);
        var manager = kernel.Get<GreyOS.Kernel.Processes.ProcessManager>();
        manager.Signal(manager.FindLive(started.Pid)!, GreyOS.Kernel.Syscalls.Signals.User, "test");
        var info = (await kernel.Processes.WaitAsync(started.Pid, TestContext.Current.CancellationToken)).Value;

        Assert.Equal((ProcessState.Exited, 5), (info.State, info.ExitCode));
    }

    [Fact]
    public async Task Service_WithInitializer_IsStartingUntilADispatcherRanIt()
    {
        await using var kernel = await KernelHarness.StartAsync();
        var started = await kernel.SpawnAsync(kernel.Load(Wat.TickerService));

        Assert.Equal(ProcessState.Starting, started.State);
        var info = (await kernel.Processes.WaitAsync(started.Pid, TestContext.Current.CancellationToken)).Value;
        Assert.Equal((ProcessState.Exited, 7), (info.State, info.ExitCode)); // its _initialize set the timer
    }

    [Fact]
    public async Task Spawn_Pids_UniqueAndIncreasingAcrossRestarts()
    {
        using var data = new GreyOS.Testing.TempDirectory();
        long first, second;
        await using (var kernel = await KernelHarness.StartAsync(data.Path))
        {
            var hash = kernel.Load(Wat.Returns);
            first = (await kernel.RunAsync(hash)).Info.Pid;
            second = (await kernel.RunAsync(hash)).Info.Pid;
        }

        await using var restarted = await KernelHarness.StartAsync(data.Path);
        var third = (await restarted.RunAsync(restarted.Load(Wat.Returns))).Info.Pid;

        Assert.True(first < second && second < third, $"{first} {second} {third}");
        Assert.NotNull(await restarted.Processes.GetAsync(first, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task List_ByState_FiltersTheTable()
    {
        await using var kernel = await KernelHarness.StartAsync();
        var done = (await kernel.RunAsync(kernel.Load(Wat.Returns))).Info;
        var idle = await kernel.SpawnAsync(kernel.Load(Wat.IdleService));
        await WaitForStateAsync(kernel, idle.Pid, ProcessState.Idle);

        var exited = await kernel.Processes.ListAsync(new ProcessQuery(State: ProcessState.Exited), TestContext.Current.CancellationToken);
        var idles = await kernel.Processes.ListAsync(new ProcessQuery(State: ProcessState.Idle), TestContext.Current.CancellationToken);

        Assert.Contains(exited, p => p.Pid == done.Pid);
        Assert.DoesNotContain(exited, p => p.Pid == idle.Pid);
        Assert.Contains(idles, p => p.Pid == idle.Pid);
    }

    [Fact]
    public async Task Spawn_UnknownModule_ModuleNotFound()
    {
        await using var kernel = await KernelHarness.StartAsync();

        var result = await kernel.Processes.SpawnAsync(
            new SpawnRequest(new string('a', 64), KernelHarness.Owner, [], new Dictionary<string, string>()), TestContext.Current.CancellationToken);

        Assert.Equal(ErrorCodes.ModuleNotFound, result.Error?.Code);
    }

    [Theory]
    [InlineData(100_000, 1, 1, 0)]
    [InlineData(1, 1_000_000, 1, 0)]
    [InlineData(-1, 1, 1, 0)]
    [InlineData(1, 1, 1, 20)]
    [InlineData(1, 1, 1, -1)]
    public async Task Spawn_LimitOutOfRange_RefusedBeforeRunning(int memoryMiB, double cpuSeconds, long outputBytes, int nice)
    {
        await using var kernel = await KernelHarness.StartAsync();

        var result = await kernel.Processes.SpawnAsync(
            new SpawnRequest(kernel.Load(Wat.Returns), KernelHarness.Owner, [], new Dictionary<string, string>(), new ProcessLimits(memoryMiB, cpuSeconds, outputBytes, nice)),
            TestContext.Current.CancellationToken);

        Assert.Equal(ErrorCodes.LimitOutOfRange, result.Error?.Code);
    }

    [Fact]
    public async Task Spawn_UnknownCapability_Refused()
    {
        await using var kernel = await KernelHarness.StartAsync();

        var result = await kernel.Processes.SpawnAsync(
            new SpawnRequest(kernel.Load(Wat.Returns), KernelHarness.Owner, [], new Dictionary<string, string>(), Capabilities: ["fs.root"]),
            TestContext.Current.CancellationToken);

        Assert.Equal(ErrorCodes.InvalidRequest, result.Error?.Code);
        Assert.Contains("fs.root", result.Error!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Spawn_OverPerUserQuota_Refused()
    {
        await using var kernel = await KernelHarness.StartAsync(configure: o => o.MaxProcessesPerUser = 2);
        var idle = kernel.Load(Wat.IdleService);
        await kernel.SpawnAsync(idle);
        await kernel.SpawnAsync(idle);

        var third = await kernel.Processes.SpawnAsync(new SpawnRequest(idle, KernelHarness.Owner, [], new Dictionary<string, string>()), TestContext.Current.CancellationToken);
        var otherUser = await kernel.Processes.SpawnAsync(new SpawnRequest(idle, "usr_other", [], new Dictionary<string, string>()), TestContext.Current.CancellationToken);

        Assert.Equal(ErrorCodes.ProcessQuota, third.Error?.Code);
        Assert.True(otherUser.IsSuccess);
    }

    internal static async Task WaitForStateAsync(KernelHarness kernel, long pid, ProcessState state)
    {
        for (var i = 0; i < 300; i++)
        {
            if ((await kernel.Processes.GetAsync(pid, TestContext.Current.CancellationToken))?.State == state)
            {
                return;
            }

            await Task.Delay(10, TestContext.Current.CancellationToken);
        }

        Assert.Fail($"process {pid} never reached {state}");
    }
}
