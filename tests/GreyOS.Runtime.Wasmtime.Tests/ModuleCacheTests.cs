using GreyOS.Abstractions.Runtime;

namespace GreyOS.Runtime.Wasmtime.Tests;

public sealed class ModuleCacheTests : RuntimeTests
{
    [Fact]
    public void LoadModule_Valid_StoresBytesAndCompiledModuleInDataFolder()
    {
        var wasm = Wasm(Wat.Hello);

        var sha = Runtime.LoadModule(wasm).Value.Sha256;

        Assert.Equal(wasm, File.ReadAllBytes(Temp.File($"modules/{sha}.wasm")));
        Assert.True(new FileInfo(Temp.File($"modules/{sha}.cwasm")).Length > 0);
        Assert.Empty(Directory.GetFiles(Temp.File("modules"), "*.tmp"));
    }

    [Fact]
    public void LoadModule_Invalid_StoresNothing()
    {
        Runtime.LoadModule(Wasm("""(module (func (export "main")))"""));

        Assert.False(Directory.Exists(Temp.File("modules")) && Directory.EnumerateFiles(Temp.File("modules")).Any());
    }

    [Fact]
    public void TryGetModule_AfterRestart_FoundFromDiskAndRuns()
    {
        var wasm = Wasm(Wat.Hello);
        var original = Runtime.LoadModule(wasm).Value;

        var restarted = NewRuntime();
        var found = restarted.TryGetModule(original.Sha256, out var info);

        Assert.True(found);
        Assert.Equal(original.Sha256, info!.Sha256);
        Assert.Equal(original.Size, info.Size);
        Assert.Equal(original.Shape, info.Shape);
        Assert.Equal(original.Imports, info.Imports);
        var abi = new RecordingAbi();
        Assert.Equal(new GuestExit(GuestExitKind.Exited, 3, null), Start(restarted, original.Sha256, abi).RunCommand());
        Assert.Equal("hello, grey\n", abi.Stdout.ToString());
    }

    [Fact]
    public void Instantiate_AfterRestartWithoutTryGet_FindsModuleOnDisk()
    {
        var sha = Load(Wat.CounterService);

        var instance = Start(NewRuntime(), sha, new RecordingAbi());

        Assert.Equal(GuestExit.Returned(100 + 1 + 1 + 0), Initialized(instance).DeliverEvent(1, 0, 0));
    }

    [Fact]
    public void TryGetModule_CorruptCompiledCache_RecompiledFromWasm()
    {
        var sha = Load(Wat.Hello);
        File.WriteAllBytes(Temp.File($"modules/{sha}.cwasm"), [1, 2, 3, 4, 5]);

        var restarted = NewRuntime();

        Assert.True(restarted.TryGetModule(sha, out _));
        Assert.Equal(3, Start(restarted, sha, new RecordingAbi()).RunCommand().Code);
        Assert.NotEqual([1, 2, 3, 4, 5], File.ReadAllBytes(Temp.File($"modules/{sha}.cwasm"))); // rewritten
    }

    [Fact]
    public void TryGetModule_MissingCompiledCache_RecompiledFromWasm()
    {
        var sha = Load(Wat.Hello);
        File.Delete(Temp.File($"modules/{sha}.cwasm"));

        var restarted = NewRuntime();

        Assert.True(restarted.TryGetModule(sha, out _));
        Assert.True(File.Exists(Temp.File($"modules/{sha}.cwasm")));
    }

    [Fact]
    public void TryGetModule_TamperedWasmWithoutCompiledCache_NotFound()
    {
        var sha = Load(Wat.Hello);
        File.Delete(Temp.File($"modules/{sha}.cwasm"));
        File.WriteAllBytes(Temp.File($"modules/{sha}.wasm"), Wasm(Wat.Returns));

        Assert.False(NewRuntime().TryGetModule(sha, out _));
    }

    [Fact]
    public void TryGetModule_NeverLoaded_False()
    {
        Assert.False(Runtime.TryGetModule(new string('0', 64), out var info));
        Assert.Null(info);
    }

    private static IGuestInstance Initialized(IGuestInstance instance)
    {
        Assert.Equal(GuestExit.Returned(0), instance.Initialize());
        return instance;
    }
}
