using GreyOS.Abstractions.Node;
using GreyOS.Abstractions.Runtime;
using GreyOS.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace GreyOS.Runtime.Wasmtime.Tests;

/// <summary>Shared set-up: a real <see cref="WasmtimeRuntime"/> on a temp data folder, WAT fixtures compiled to wasm.</summary>
public abstract class RuntimeTests : IDisposable
{
    internal static readonly GuestLimits Generous = new(64L << 20, TimeSpan.FromSeconds(60));

    /// <summary>How long a test waits for something that takes milliseconds: generous, for a busy 2-core machine.</summary>
    internal static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly List<IDisposable> _owned = [];
    private WasmtimeRuntime? _runtime;

    internal TempDirectory Temp { get; } = new();

    internal WasmtimeRuntime Runtime => _runtime ??= NewRuntime();

    internal static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            _owned[i].Dispose();
        }

        Temp.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Another runtime (as after a node restart) on the same data folder.</summary>
    internal WasmtimeRuntime NewRuntime() => Own(new WasmtimeRuntime(new DataDirectory(Temp.Path), NullLogger<WasmtimeRuntime>.Instance));

    internal static byte[] Wasm(string wat) => global::Wasmtime.Module.ConvertText(wat);

    internal string Load(string wat)
    {
        var loaded = Runtime.LoadModule(Wasm(wat));
        Assert.True(loaded.IsSuccess, loaded.Error?.Message);
        return loaded.Value.Sha256;
    }

    internal IGuestInstance Start(string wat, IGreyAbi abi, GuestLimits? limits = null) => Start(Runtime, Load(wat), abi, limits);

    internal IGuestInstance Start(WasmtimeRuntime runtime, string sha256, IGreyAbi abi, GuestLimits? limits = null)
    {
        var instance = runtime.Instantiate(sha256, abi, limits ?? Generous);
        Assert.True(instance.IsSuccess, instance.Error?.Message);
        return Own(instance.Value);
    }

    internal T Own<T>(T disposable)
        where T : IDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }
}
