using GreyOS.Abstractions.Runtime;

namespace GreyOS.Runtime.Wasmtime.Tests;

public sealed class CommandTests : RuntimeTests
{
    [Fact]
    public void RunCommand_PrintsAndCallsProcExit_ExitedWithCodeAndOutputCaptured()
    {
        var abi = new RecordingAbi();
        var instance = Start(Wat.Hello, abi);

        var exit = instance.RunCommand();

        Assert.Equal(new GuestExit(GuestExitKind.Exited, 3, null), exit);
        Assert.Equal("hello, grey\n", abi.Stdout.ToString());
        Assert.Equal(1, abi.CallCount("fd_write"));
        Assert.Equal(AppShape.Command, instance.Shape);
    }

    [Fact]
    public void RunCommand_StartReturns_ReturnedZero()
    {
        var exit = Start(Wat.Returns, new RecordingAbi()).RunCommand();

        Assert.Equal(GuestExit.Returned(0), exit);
    }

    [Fact]
    public void RunCommand_Unreachable_TrappedWithReason()
    {
        var exit = Start(Wat.Unreachable, new RecordingAbi()).RunCommand();

        Assert.Equal(GuestExitKind.Trapped, exit.Kind);
        Assert.Equal("unreachable executed", exit.Reason);
    }

    [Fact]
    public void RunCommand_OutOfBoundsLoad_TrappedWithReason()
    {
        var exit = Start("""(module (memory 1) (func (export "_start") (drop (i32.load (i32.const 70000)))))""", new RecordingAbi()).RunCommand();

        Assert.Equal(new GuestExit(GuestExitKind.Trapped, -1, "out of bounds memory access"), exit);
    }

    [Fact]
    public void RunCommand_DivideByZero_TrappedWithReason()
    {
        var exit = Start("""(module (func (export "_start") (drop (i32.div_u (i32.const 1) (i32.const 0)))))""", new RecordingAbi()).RunCommand();

        Assert.Equal("integer divide by zero", exit.Reason);
    }

    [Fact]
    public async Task RunCommand_InfiniteRecursionOnWorkerThread_TrappedStackOverflow()
    {
        var instance = Start(Wat.Recurse, new RecordingAbi());

        var exit = await Task.Run(instance.RunCommand, Cancellation).WaitAsync(Patience, Cancellation);

        Assert.Equal(GuestExitKind.Trapped, exit.Kind);
        Assert.Equal("stack overflow", exit.Reason);
    }

    [Fact]
    public void RunCommand_SyscallThrows_SyscallFaultAndRuntimeStillWorks()
    {
        var failing = new RecordingAbi { OnCall = _ => throw new InvalidOperationException("disk on fire") };

        var exit = Start(Wat.Yields, failing).RunCommand();

        Assert.Equal(GuestExitKind.SyscallFault, exit.Kind);
        Assert.Equal("syscall failed: InvalidOperationException: disk on fire", exit.Reason);

        var abi = new RecordingAbi();
        Assert.Equal(3, Start(Wat.Hello, abi).RunCommand().Code);
        Assert.Equal("hello, grey\n", abi.Stdout.ToString());
    }

    [Fact]
    public void RunCommand_GreyImports_ArgumentsResultsAndMemoryReachTheAbi()
    {
        var abi = new RecordingAbi();

        var exit = Start(Wat.GreyPlumbing, abi).RunCommand();

        Assert.Equal(["2:hi grey"], abi.Logs);
        Assert.Equal(new GuestExit(GuestExitKind.Exited, 5007, null), exit); // (i32)grey_poll(5) = 5 * 1000 + 7
    }

    [Fact]
    public void RunCommand_UnsupportedWasiFunction_AnsweredByWasiUnsupported()
    {
        var abi = new RecordingAbi();

        var exit = Start(Wat.CallsPathOpen, abi).RunCommand();

        Assert.Equal(["path_open"], abi.Unsupported);
        Assert.Equal(new GuestExit(GuestExitKind.Exited, RecordingAbi.WasiEnosys, null), exit);
    }

    [Fact]
    public void RunCommand_ProcExitImplementationReturns_GuestStillEnds()
    {
        var abi = new RecordingAbi { ProcExitThrows = false };

        var exit = Start(Wat.Hello, abi).RunCommand();

        Assert.Equal(new GuestExit(GuestExitKind.Exited, 3, null), exit);
    }

    [Fact]
    public void RunCommand_OnService_Throws()
    {
        var instance = Start(Wat.CounterService, new RecordingAbi());

        Assert.Throws<InvalidOperationException>(() => instance.RunCommand());
    }

    [Fact]
    public void Instantiate_StartFunctionMakesSyscall_MemoryReachesTheAbi()
    {
        const string wat = """
            (module
              (import "grey" "log_write" (func $log (param i32 i32 i32) (result i32)))
              (memory (export "memory") 1)
              (data (i32.const 8) "starting")
              (func $init (drop (call $log (i32.const 1) (i32.const 8) (i32.const 8))))
              (start $init)
              (func (export "_start")))
            """;
        var abi = new RecordingAbi();

        Start(wat, abi);

        Assert.Equal(["1:starting"], abi.Logs);
    }

    [Fact]
    public async Task RunCommand_ManyInstancesOnParallelThreads_EachRunsIndependently()
    {
        var sha = Load(Wat.Hello);
        var abis = Enumerable.Range(0, 16).Select(_ => new RecordingAbi()).ToArray();
        var instances = abis.Select(abi => Start(Runtime, sha, abi)).ToArray();

        var exits = await Task.WhenAll(instances.Select(i => Task.Run(i.RunCommand, Cancellation))).WaitAsync(Patience, Cancellation);

        Assert.All(exits, exit => Assert.Equal(new GuestExit(GuestExitKind.Exited, 3, null), exit));
        Assert.All(abis, abi => Assert.Equal("hello, grey\n", abi.Stdout.ToString()));
    }
}
