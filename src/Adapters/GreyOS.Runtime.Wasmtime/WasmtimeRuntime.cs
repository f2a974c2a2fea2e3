using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using GreyOS.Abstractions.Errors;
using GreyOS.Abstractions.Node;
using GreyOS.Abstractions.Runtime;
using GreyOS.Runtime.Wasmtime.Binding;
using GreyOS.Runtime.Wasmtime.Instances;
using GreyOS.Runtime.Wasmtime.Modules;
using Microsoft.Extensions.Logging;
using Wasmtime;

namespace GreyOS.Runtime.Wasmtime;

/// <summary>
/// The node's WebAssembly runtime on Wasmtime: one engine (epoch interruption on, fuel off,
/// on-demand instance allocation), one linker binding every <c>grey</c> v1 and WASI preview1 import
/// to the process's <see cref="IGreyAbi"/>, an epoch ticker, and the module cache — compiled
/// modules in memory, their bytes and serialized compilation under <c>&lt;data&gt;/modules/</c>.
/// Thread-safe.
/// </summary>
internal sealed partial class WasmtimeRuntime : IWasmRuntime, IDisposable
{
    /// <summary>Largest module accepted (64 MiB).</summary>
    public const int MaxModuleBytes = 64 << 20;

    /// <summary>Most table elements per instance (C function-pointer tables stay far below).</summary>
    public const uint MaxTableElements = 1 << 18;

    /// <summary>Most tables per instance.</summary>
    public const int MaxTables = 16;

    /// <summary>How often the epoch advances: the resolution of CPU accounting, CPU limits and kills.</summary>
    public static readonly TimeSpan EpochInterval = TimeSpan.FromMilliseconds(10);

    private readonly Engine _engine;
    private readonly Linker _linker;
    private readonly EpochTicker _ticker;
    private readonly ModuleFiles _files;
    private readonly ConcurrentDictionary<string, LoadedModule> _modules = new(StringComparer.Ordinal);
    private readonly ILogger<WasmtimeRuntime> _logger;
    private int _disposed;

    public WasmtimeRuntime(DataDirectory data, ILogger<WasmtimeRuntime> logger)
    {
        ArgumentNullException.ThrowIfNull(data);
        _logger = logger;
        _files = new ModuleFiles(data.File("modules"));

        // Epochs (not fuel) bound CPU time: ~1.15x overhead instead of ~1.3x. Instances are allocated
        // on demand with Wasmtime's default memory layout (README: pooling and small reservations
        // were measured and rejected).
        using var config = new Config().WithEpochInterruption(true);
        _engine = new Engine(config);
        try
        {
            _linker = AbiLinker.Create(_engine);
            _ticker = new EpochTicker(_engine, EpochInterval);
        }
        catch
        {
            _linker?.Dispose();
            _engine.Dispose();
            throw;
        }

        LogEngineReady(EpochInterval.TotalMilliseconds, _files.Directory);
    }

    public Result<WasmModuleInfo> LoadModule(ReadOnlySpan<byte> wasm)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (wasm.IsEmpty)
        {
            return GreyError.Invalid(ErrorCodes.InvalidModule, "not a WebAssembly module: it is empty");
        }

        if (wasm.Length > MaxModuleBytes)
        {
            return GreyError.Invalid(
                ErrorCodes.InvalidModule,
                $"the module is {wasm.Length} bytes; the largest accepted is {MaxModuleBytes >> 20} MiB");
        }

        var sha256 = Convert.ToHexStringLower(SHA256.HashData(wasm));
        if (_modules.TryGetValue(sha256, out var known) || TryLoadFromDisk(sha256, out known))
        {
            return known.Info;
        }

        var started = Stopwatch.GetTimestamp();
        if (Module.Validate(_engine, wasm) is { } invalid)
        {
            return Refuse(sha256, $"not a WebAssembly module: {GuestExits.Concise(invalid)}");
        }

        Module module;
        try
        {
            module = Module.FromBytes(_engine, sha256, wasm);
        }
        catch (WasmtimeException ex)
        {
            return Refuse(sha256, $"not a WebAssembly module: {GuestExits.Concise(ex.Message)}");
        }

        var shape = ModuleInspector.Inspect(module);
        if (!shape.IsSuccess)
        {
            module.Dispose();
            LogModuleRefused(sha256, shape.Error.Message);
            return shape.Error;
        }

        try
        {
            // The bytes are the source of truth: durable before the module is acknowledged.
            _files.WriteAtomically(_files.WasmPath(sha256), wasm, durable: true);
            TryWriteCompiled(sha256, module);
        }
        catch
        {
            module.Dispose();
            throw;
        }

        var loaded = Register(new LoadedModule(module, new WasmModuleInfo(sha256, wasm.Length, shape.Value.Shape, shape.Value.Imports), shape.Value.HasInitialize));
        var elapsed = Stopwatch.GetElapsedTime(started);
        LogModuleLoaded(sha256, wasm.Length, loaded.Info.Shape, elapsed.TotalMilliseconds);
        return loaded.Info;
    }

    public bool TryGetModule(string sha256, out WasmModuleInfo? info)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (TryGetLoaded(sha256, out var loaded))
        {
            info = loaded.Info;
            return true;
        }

        info = null;
        return false;
    }

    public Result<IGuestInstance> Instantiate(string sha256, IGreyAbi abi, GuestLimits limits)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        ArgumentNullException.ThrowIfNull(abi);
        ArgumentNullException.ThrowIfNull(limits);
        if (limits.MemoryBytes <= 0 || limits.CpuTime <= TimeSpan.Zero)
        {
            return GreyError.Invalid(ErrorCodes.LimitOutOfRange, "the memory and CPU-time limits must be positive");
        }

        if (!TryGetLoaded(sha256, out var loaded))
        {
            return GreyError.NotFound(ErrorCodes.ModuleNotFound, $"no module {sha256} on this node: upload it first");
        }

        var state = new StoreState(abi, EpochInterval, limits.CpuTime);
        var store = new Store(_engine, state);
        try
        {
            store.SetLimits(memorySize: limits.MemoryBytes, tableElements: MaxTableElements, instances: 1, tables: MaxTables, memories: 1);
            store.SetEpochDeadline(1);
            store.SetEpochDeadlineCallback(state.OnEpochDeadline);
            var instance = _linker.Instantiate(store, loaded.Module);
            return new WasmtimeInstance(store, state, instance, loaded.Info.Shape, loaded.HasInitialize);
        }
        catch (WasmtimeException ex)
        {
            store.Dispose();
            var error = InstantiationError(ex, state, limits);
            LogInstantiateFailed(sha256, error.Message);
            return error;
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _ticker.Dispose();
        foreach (var module in _modules.Values)
        {
            module.Module.Dispose();
        }

        _modules.Clear();
        _linker.Dispose();
        _engine.Dispose();
    }

    private static GreyError InstantiationError(WasmtimeException ex, StoreState state, GuestLimits limits)
    {
        if (ex is not TrapException && ex.InnerException is null && ex.Message.Contains("exceeds memory limits", StringComparison.Ordinal))
        {
            return GreyError.Invalid(
                ErrorCodes.LimitOutOfRange,
                $"the module needs more memory at start than its limit of {limits.MemoryBytes} bytes ({GuestExits.Concise(ex.Message)})");
        }

        var exit = GuestExits.From(ex, state);
        var reason = exit.Kind == GuestExitKind.Exited ? $"its start function exited with code {exit.Code}" : exit.Reason;
        return GreyError.Invalid(ErrorCodes.InvalidModule, $"the module cannot be instantiated: {reason}");
    }

    private bool TryGetLoaded(string sha256, out LoadedModule loaded)
    {
        loaded = null!;
        return ModuleFiles.IsSha256(sha256) && (_modules.TryGetValue(sha256, out loaded!) || TryLoadFromDisk(sha256, out loaded));
    }

    /// <summary>
    /// A module stored by an earlier run: its serialized compilation is mapped in (fast); when that
    /// is missing or unusable (corrupt, or written by another engine configuration or version), the
    /// module is recompiled from its verified <c>.wasm</c> and the cache rewritten.
    /// </summary>
    private bool TryLoadFromDisk(string sha256, out LoadedModule loaded)
    {
        loaded = null!;
        var wasmPath = _files.WasmPath(sha256);
        if (!File.Exists(wasmPath))
        {
            return false;
        }

        Module? module = null;
        var compiledPath = _files.CompiledPath(sha256);
        if (File.Exists(compiledPath))
        {
            try
            {
                module = Module.DeserializeFile(_engine, sha256, compiledPath);
            }
            catch (WasmtimeException ex)
            {
                LogCompiledCacheUnusable(sha256, GuestExits.Concise(ex.Message));
            }
        }

        long size;
        try
        {
            var bytes = File.ReadAllBytes(wasmPath);
            size = bytes.Length;
            if (module is null)
            {
                if (!Convert.ToHexStringLower(SHA256.HashData(bytes)).Equals(sha256, StringComparison.Ordinal))
                {
                    LogStoredModuleUnusable(sha256, "its bytes do not match its SHA-256");
                    return false;
                }

                module = Module.FromBytes(_engine, sha256, bytes);
                TryWriteCompiled(sha256, module);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or WasmtimeException)
        {
            module?.Dispose();
            LogStoredModuleUnusable(sha256, GuestExits.Concise(ex.Message));
            return false;
        }

        var shape = ModuleInspector.Inspect(module);
        if (!shape.IsSuccess)
        {
            module.Dispose();
            LogStoredModuleUnusable(sha256, shape.Error.Message);
            return false;
        }

        loaded = Register(new LoadedModule(module, new WasmModuleInfo(sha256, size, shape.Value.Shape, shape.Value.Imports), shape.Value.HasInitialize));
        LogModuleFromDisk(sha256);
        return true;
    }

    private LoadedModule Register(LoadedModule loaded)
    {
        var winner = _modules.GetOrAdd(loaded.Info.Sha256, loaded);
        if (!ReferenceEquals(winner, loaded))
        {
            loaded.Module.Dispose(); // another thread compiled the same bytes first
        }

        return winner;
    }

    /// <summary>The compiled cache only saves time: failing to write it is logged, never fatal.</summary>
    private void TryWriteCompiled(string sha256, Module module)
    {
        try
        {
            _files.WriteAtomically(_files.CompiledPath(sha256), module.Serialize(), durable: false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or WasmtimeException)
        {
            LogCompiledCacheNotWritten(sha256, ex.Message);
        }
    }

    private GreyError Refuse(string sha256, string reason)
    {
        LogModuleRefused(sha256, reason);
        return GreyError.Invalid(ErrorCodes.InvalidModule, reason);
    }

    [LoggerMessage(EventId = 3000, Level = LogLevel.Information, Message = "Wasmtime engine ready (epoch tick {TickMs} ms, on-demand instances); module cache in {Directory}")]
    private partial void LogEngineReady(double tickMs, string directory);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Loaded module {Sha256} ({Size} bytes, {Shape}) in {ElapsedMs:0.0} ms")]
    private partial void LogModuleLoaded(string sha256, long size, AppShape shape, double elapsedMs);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Refused module {Sha256}: {Reason}")]
    private partial void LogModuleRefused(string sha256, string reason);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Debug, Message = "Loaded module {Sha256} from the on-disk cache")]
    private partial void LogModuleFromDisk(string sha256);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "The compiled cache of module {Sha256} is unusable ({Reason}); recompiling it from its .wasm")]
    private partial void LogCompiledCacheUnusable(string sha256, string reason);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Warning, Message = "Stored module {Sha256} is unusable and was ignored: {Reason}")]
    private partial void LogStoredModuleUnusable(string sha256, string reason);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Warning, Message = "Could not write the compiled cache of module {Sha256}: {Reason}")]
    private partial void LogCompiledCacheNotWritten(string sha256, string reason);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Debug, Message = "Instantiating module {Sha256} failed: {Reason}")]
    private partial void LogInstantiateFailed(string sha256, string reason);

    private sealed record LoadedModule(Module Module, WasmModuleInfo Info, bool HasInitialize);
}
