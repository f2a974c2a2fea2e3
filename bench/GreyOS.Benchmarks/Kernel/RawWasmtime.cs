using Wasmtime;

namespace GreyOS.Benchmarks.Kernel;

/// <summary>
/// The baselines' Wasmtime: an engine configured like the node's (epoch interruption on, fuel off,
/// on-demand instances — GreyOS.Runtime.Wasmtime/WasmtimeRuntime.cs), with no kernel, gate or
/// process record: what Wasmtime itself costs.
/// </summary>
internal sealed class RawWasmtime : IDisposable
{
    /// <summary>Epoch deadline for raw stores that run code: far away (no ticker advances this engine's epoch anyway).</summary>
    private const ulong FarDeadline = 1UL << 40;

    public RawWasmtime()
    {
        using var config = new Config().WithEpochInterruption(true);
        Engine = new Engine(config);
    }

    public Engine Engine { get; }

    /// <summary>Compiles <paramref name="wasm"/>, serializes it and maps it back, as the node does with its <c>.cwasm</c> cache.</summary>
    public Module Precompiled(byte[] wasm, string name)
    {
        using var compiled = Module.FromBytes(Engine, name, wasm);
        return Module.Deserialize(Engine, name, compiled.Serialize());
    }

    /// <summary>A store that may run guest code (an epoch deadline far away; the default 0 would trap at once).</summary>
    public Store RunnableStore(object? data = null)
    {
        var store = new Store(Engine, data);
        store.SetEpochDeadline(FarDeadline);
        return store;
    }

    public void Dispose() => Engine.Dispose();
}
