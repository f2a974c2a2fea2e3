using GreyOS.Abstractions.Errors;
using GreyOS.Abstractions.Processes;

namespace GreyOS.Kernel.Tests;

/// <summary>The sample apps and hostile fixtures of <c>apps/</c>, built from C and WAT, on the real kernel.</summary>
public sealed class AppsTests(AppsFixture apps)
{
    [Fact]
    public async Task Hello_ArgsEnvAndStdin_PrintsAndExitsWithArgCount()
    {
        await using var kernel = await KernelHarness.StartAsync();

        var (info, stdout, stderr) = await kernel.RunAsync(Load(kernel, "hello"), ["a", "b"], environment: new() { ["GREETING"] = "hi there" });

        Assert.Equal((ProcessState.Exited, 2), (info.State, info.ExitCode));
        Assert.Contains("hello from GreyOS", stdout, StringComparison.Ordinal);
        Assert.Contains("a\n", stdout, StringComparison.Ordinal);
        Assert.Contains("b\n", stdout, StringComparison.Ordinal);
        Assert.Contains("hi there", stdout, StringComparison.Ordinal);
        Assert.Contains("0 bytes", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AbiConformance_DefaultCapabilities_EveryCheckPasses()
    {
        await using var kernel = await KernelHarness.StartAsync();

        var (info, stdout, _) = await kernel.RunAsync(Load(kernel, "abi_conformance"));

        Assert.True(info.ExitCode == 0, $"{info.State} {info.ExitCode} {info.FaultReason}\n{stdout}");
        Assert.DoesNotContain("FAIL", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WasiStubs_AllPreview1Imports_LinkAndAnswer()
    {
        await using var kernel = await KernelHarness.StartAsync();

        var (info, stdout, _) = await kernel.RunAsync(Load(kernel, "wasi_stubs"));

        Assert.True(info.ExitCode == 0, $"{info.State} {info.ExitCode} {info.FaultReason}\n{stdout}");
    }

    [Fact]
    public async Task Clock_GreyTimeRandomLog_ExitsZero()
    {
        await using var kernel = await KernelHarness.StartAsync();

        var (info, stdout, stderr) = await kernel.RunAsync(Load(kernel, "clock"));

        Assert.True(info.ExitCode == 0, $"{info.State} {info.ExitCode} {info.FaultReason}\n{stdout}\n{stderr}");
    }

    [Fact]
    public async Task Ticker_ServiceWithPeriodicTimer_ExitsAfterItsTicks()
    {
        await using var kernel = await KernelHarness.StartAsync();

        var (info, _, stderr) = await kernel.RunAsync(Load(kernel, "ticker"));

        Assert.Equal(Abstractions.Runtime.AppShape.Service, info.Shape);
        Assert.True(info.State == ProcessState.Exited && info.ExitCode == 0, $"{info.State} {info.ExitCode} {info.FaultReason}\n{stderr}");
    }

    [Fact]
    public async Task ExitCode_WasiProcExit_Exited42()
    {
        await using var kernel = await KernelHarness.StartAsync();

        var (info, _, _) = await kernel.RunAsync(Load(kernel, "exit_code"));

        Assert.Equal((ProcessState.Exited, 42), (info.State, info.ExitCode));
    }

    [Fact]
    public async Task DeepRecursion_StackOverflow_FaultedWithReason()
    {
        await using var kernel = await KernelHarness.StartAsync();

        var (info, _, _) = await kernel.RunAsync(Load(kernel, "deep_recursion"));

        Assert.Equal(ProcessState.Faulted, info.State);
        Assert.Contains("stack", info.FaultReason, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task ServiceTrap_TrapInHandler_Faulted()
    {
        await using var kernel = await KernelHarness.StartAsync();

        var (info, _, _) = await kernel.RunAsync(Load(kernel, "service_trap"));

        Assert.Equal(ProcessState.Faulted, info.State);
    }

    [Fact]
    public async Task HugeOutput_OutputLimit_FaultedAndRingBounded()
    {
        await using var kernel = await KernelHarness.StartAsync();

        var (info, stdout, _) = await kernel.RunAsync(Load(kernel, "huge_output"), limits: new ProcessLimits(16, 30, 8L * 1024 * 1024));

        Assert.Equal(ProcessState.Faulted, info.State);
        Assert.Contains("output limit", info.FaultReason, StringComparison.Ordinal);
        Assert.True(stdout.Length <= 1024 * 1024);
    }

    [Theory]
    [InlineData("no_entry", "_start")]
    [InlineData("unknown_import", "no_such_call")]
    [InlineData("wrong_signature", "log_write")]
    public async Task Load_BrokenModule_RefusedWithReason(string fixture, string mentioned)
    {
        await using var kernel = await KernelHarness.StartAsync();

        var result = kernel.Runtime.LoadModule(apps.Wasm(fixture));

        Assert.Equal(ErrorCodes.InvalidModule, result.Error?.Code);
        Assert.Contains(mentioned, result.Error!.Message, StringComparison.Ordinal);
    }

    private string Load(KernelHarness kernel, string name)
    {
        var result = kernel.Runtime.LoadModule(apps.Wasm(name));
        Assert.True(result.IsSuccess, result.Error?.Message);
        return result.Value.Sha256;
    }
}
