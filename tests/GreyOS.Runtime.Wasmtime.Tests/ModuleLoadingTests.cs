using System.Security.Cryptography;
using System.Text;
using GreyOS.Abstractions.Errors;
using GreyOS.Abstractions.Runtime;
using GreyOS.Runtime.Wasmtime.Modules;

namespace GreyOS.Runtime.Wasmtime.Tests;

public sealed class ModuleLoadingTests : RuntimeTests
{
    [Fact]
    public void LoadModule_NotWebAssembly_InvalidModule()
    {
        var result = Runtime.LoadModule([1, 2, 3, 4, 5, 6, 7, 8]);

        Assert.False(result.IsSuccess);
        Assert.Equal(ErrorCodes.InvalidModule, result.Error.Code);
        Assert.StartsWith("not a WebAssembly module: ", result.Error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', result.Error.Message);
    }

    [Fact]
    public void LoadModule_TruncatedModule_InvalidModule()
    {
        var wasm = Wasm(Wat.Hello);

        var result = Runtime.LoadModule(wasm.AsSpan(0, wasm.Length - 3));

        Assert.Equal(ErrorCodes.InvalidModule, result.Error?.Code);
        Assert.StartsWith("not a WebAssembly module: ", result.Error?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadModule_Empty_InvalidModule()
    {
        Assert.Equal(ErrorCodes.InvalidModule, Runtime.LoadModule([]).Error?.Code);
    }

    [Fact]
    public void LoadModule_LargerThanLimit_InvalidModuleWithoutParsing()
    {
        var huge = new byte[WasmtimeRuntime.MaxModuleBytes + 1];

        var result = Runtime.LoadModule(huge);

        Assert.Equal(ErrorCodes.InvalidModule, result.Error?.Code);
        Assert.Contains("64 MiB", result.Error?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadModule_UnknownImports_ListsEveryOffender()
    {
        const string wat = """
            (module
              (import "env" "foo" (func))
              (import "grey" "fs_teleport" (func (param i32) (result i32)))
              (import "grey" "grey_poll" (func (param i32) (result i32)))
              (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
              (import "env" "memory" (memory 1))
              (func (export "_start")))
            """;

        var result = Runtime.LoadModule(Wasm(wat));

        Assert.Equal(ErrorCodes.InvalidModule, result.Error?.Code);
        var message = result.Error!.Message;
        Assert.Contains("env.foo", message, StringComparison.Ordinal);
        Assert.Contains("grey.fs_teleport", message, StringComparison.Ordinal);
        Assert.Contains("grey.grey_poll (type (i32) -> (i32), expected (i32) -> (i64))", message, StringComparison.Ordinal);
        Assert.Contains("env.memory (a memory, not a function)", message, StringComparison.Ordinal);
        Assert.DoesNotContain("fd_write", message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadModule_NoEntryPoint_InvalidModule()
    {
        var result = Runtime.LoadModule(Wasm("""(module (func (export "main")))"""));

        Assert.Equal(ErrorCodes.InvalidModule, result.Error?.Code);
        Assert.Contains("exports neither _start", result.Error?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadModule_EntryPointWithWrongType_InvalidModule()
    {
        var result = Runtime.LoadModule(Wasm("""(module (func (export "grey_on_event") (param i32) (result i32) (local.get 0)))"""));

        Assert.Equal(ErrorCodes.InvalidModule, result.Error?.Code);
        Assert.Contains("grey_on_event has type (i32) -> (i32)", result.Error?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadModule_Command_InfoNamesHashShapeAndImports()
    {
        var wasm = Wasm(Wat.Hello);

        var info = Runtime.LoadModule(wasm).Value;

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(wasm)), info.Sha256);
        Assert.Equal(wasm.Length, info.Size);
        Assert.Equal(AppShape.Command, info.Shape);
        Assert.Equal(["wasi_snapshot_preview1.fd_write", "wasi_snapshot_preview1.proc_exit"], info.Imports);
    }

    [Fact]
    public void LoadModule_Service_ShapeIsService()
    {
        Assert.Equal(AppShape.Service, Runtime.LoadModule(Wasm(Wat.CounterService)).Value.Shape);
    }

    [Fact]
    public void LoadModule_SameBytesTwice_SameInfo()
    {
        var wasm = Wasm(Wat.Hello);

        var first = Runtime.LoadModule(wasm).Value;
        var second = Runtime.LoadModule(wasm).Value;

        Assert.Same(first, second);
    }

    [Fact]
    public void LoadModule_EveryKnownImport_LoadsAndInstantiates()
    {
        // The validation table and the linker must agree on every name and type.
        var wat = new StringBuilder("(module\n");
        foreach (var ((module, name), signature) in KnownImports.All)
        {
            var parameters = string.Join(' ', signature.Parameters.Select(p => p == global::Wasmtime.ValueKind.Int64 ? "i64" : "i32"));
            var results = string.Join(' ', signature.Results.Select(p => p == global::Wasmtime.ValueKind.Int64 ? "i64" : "i32"));
            wat.Append($"  (import \"{module}\" \"{name}\" (func (param {parameters}) (result {results})))\n");
        }

        wat.Append("  (memory (export \"memory\") 1)\n  (func (export \"_start\")))");

        var info = Runtime.LoadModule(Wasm(wat.ToString())).Value;
        var instance = Runtime.Instantiate(info.Sha256, new RecordingAbi(), Generous);

        Assert.True(instance.IsSuccess, instance.Error?.Message);
        instance.Value.Dispose();
        Assert.Equal(KnownImports.All.Count, info.Imports.Count);
        Assert.Equal(29 + 46, info.Imports.Count); // grey v1 (core, proc, time, random, log, fs, kv) + all of WASI preview1
    }

    [Fact]
    public void Instantiate_UnknownModule_ModuleNotFound()
    {
        var result = Runtime.Instantiate(new string('a', 64), new RecordingAbi(), Generous);

        Assert.Equal(ErrorCodes.ModuleNotFound, result.Error?.Code);
    }

    [Theory]
    [InlineData("")]
    [InlineData("../../etc/passwd")]
    [InlineData("ABCDEF0000000000000000000000000000000000000000000000000000000000")]
    public void TryGetModule_NotALowerCaseSha256_False(string name)
    {
        Assert.False(Runtime.TryGetModule(name, out var info));
        Assert.Null(info);
        Assert.Equal(ErrorCodes.ModuleNotFound, Runtime.Instantiate(name, new RecordingAbi(), Generous).Error?.Code);
    }

    [Fact]
    public void Instantiate_StartFunctionTraps_InvalidModuleWithReason()
    {
        var sha = Load("""(module (func $s unreachable) (start $s) (func (export "_start")))""");

        var result = Runtime.Instantiate(sha, new RecordingAbi(), Generous);

        Assert.Equal(ErrorCodes.InvalidModule, result.Error?.Code);
        Assert.Equal("the module cannot be instantiated: unreachable executed", result.Error?.Message);
    }

    [Fact]
    public void Instantiate_InitialMemoryAboveLimit_LimitOutOfRange()
    {
        var sha = Load("""(module (memory (export "memory") 512) (func (export "_start")))"""); // 32 MiB

        var result = Runtime.Instantiate(sha, new RecordingAbi(), new GuestLimits(16L << 20, TimeSpan.FromSeconds(1)));

        Assert.Equal(ErrorCodes.LimitOutOfRange, result.Error?.Code);
    }

    [Fact]
    public void Instantiate_NonPositiveLimits_LimitOutOfRange()
    {
        var sha = Load(Wat.Returns);

        Assert.Equal(ErrorCodes.LimitOutOfRange, Runtime.Instantiate(sha, new RecordingAbi(), new GuestLimits(0, TimeSpan.FromSeconds(1))).Error?.Code);
        Assert.Equal(ErrorCodes.LimitOutOfRange, Runtime.Instantiate(sha, new RecordingAbi(), new GuestLimits(1 << 20, TimeSpan.Zero)).Error?.Code);
    }
}
