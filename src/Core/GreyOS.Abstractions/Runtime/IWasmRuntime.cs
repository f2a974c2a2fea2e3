using GreyOS.Abstractions.Errors;

namespace GreyOS.Abstractions.Runtime;

/// <summary>A validated, compiled module known to the node, named by the SHA-256 of its bytes.</summary>
/// <param name="Sha256">Lower-case hex SHA-256 of the module bytes.</param>
/// <param name="Size">Size of the module in bytes.</param>
/// <param name="Shape">Command or service, from its exports.</param>
/// <param name="Imports">Its imports as <c>module.name</c>, all known to the ABI.</param>
public sealed record WasmModuleInfo(string Sha256, long Size, AppShape Shape, IReadOnlyList<string> Imports);

/// <summary>Resource limits of one guest instance.</summary>
/// <param name="MemoryBytes">Cap on linear memory; <c>memory.grow</c> beyond it fails (returns -1 to the guest).</param>
/// <param name="CpuTime">Cap on time spent executing guest code; reaching it ends the guest with <see cref="GuestExitKind.CpuLimit"/>.</param>
public sealed record GuestLimits(long MemoryBytes, TimeSpan CpuTime);

/// <summary>
/// The WebAssembly engine, as the kernel sees it (implemented by <c>GreyOS.Runtime.Wasmtime</c>):
/// it validates and compiles modules, caches them by content hash, and instantiates them bound to a
/// process's <see cref="IGreyAbi"/> so that every import goes through the kernel.
/// </summary>
public interface IWasmRuntime
{
    /// <summary>
    /// Validates, compiles and caches a module. Refused with <see cref="ErrorCodes.InvalidModule"/>
    /// when the bytes are not WebAssembly, import unknown functions (all listed by name), or export
    /// neither <c>_start</c> nor <c>grey_on_event</c>. Loading the same bytes again is cheap.
    /// </summary>
    Result<WasmModuleInfo> LoadModule(ReadOnlySpan<byte> wasm);

    /// <summary>A module loaded before (in this run or, from the on-disk cache, an earlier one).</summary>
    bool TryGetModule(string sha256, out WasmModuleInfo? info);

    /// <summary>Creates an instance of a loaded module whose imports call <paramref name="abi"/>.</summary>
    Result<IGuestInstance> Instantiate(string sha256, IGreyAbi abi, GuestLimits limits);
}

/// <summary>
/// One instance of a module (its store, memory and exports). Not thread-safe: run it from one thread
/// at a time; only <see cref="Kill"/> may be called from any thread.
/// </summary>
public interface IGuestInstance : IDisposable
{
    AppShape Shape { get; }

    /// <summary>The instance's exported memory "memory" (empty when it exports none).</summary>
    IGuestMemory Memory { get; }

    /// <summary>Time spent executing guest code so far (epoch-tick resolution).</summary>
    TimeSpan CpuTime { get; }

    /// <summary>Runs a command's <c>_start</c> to its end on the calling thread.</summary>
    GuestExit RunCommand();

    /// <summary>Whether it exports <c>_initialize</c>: a service without one is ready as soon as it is instantiated.</summary>
    bool HasInitializer { get; }

    /// <summary>Runs a service's <c>_initialize</c> if it exports one.</summary>
    GuestExit Initialize();

    /// <summary>Calls a service's <c>grey_on_event(kind, handle, value)</c>; <see cref="GuestExit.Code"/> is its return value.</summary>
    GuestExit DeliverEvent(int kind, int handle, long value);

    /// <summary>Ends the guest: running code traps at its next epoch check with <see cref="GuestExitKind.Killed"/>.</summary>
    void Kill(string reason);
}
