using GreyOS.Abstractions.Runtime;
using GreyOS.Runtime.Wasmtime.Modules;
using Wasmtime;

namespace GreyOS.Runtime.Wasmtime.Instances;

/// <summary>
/// One guest instance: its own <see cref="Store"/> (memory, tables, globals, limits, epoch deadline)
/// and typed entry points bound once. Every entry returns a <see cref="GuestExit"/>; guest behaviour
/// (exit, trap, limits, kill, failing syscall) never throws. Not thread-safe except <see cref="Kill"/>.
/// </summary>
internal sealed class WasmtimeInstance : IGuestInstance
{
    private readonly Store _store;
    private readonly StoreState _state;
    private readonly Action? _start;
    private readonly Action? _initialize;
    private readonly Instance? _instance;
    private Func<int, int, long, int>? _onEvent;
    private bool _disposed;

    /// <summary>Binds the entry points of its shape (checked when the module was loaded); exports it lacks are not looked up.</summary>
    public WasmtimeInstance(Store store, StoreState state, Instance instance, AppShape shape, bool hasInitialize)
    {
        _store = store;
        _state = state;
        Shape = shape;
        state.CacheMemory(instance.GetMemory("memory"));
        if (shape == AppShape.Command)
        {
            _start = instance.GetAction(ModuleInspector.StartExport);
        }
        else
        {
            _initialize = hasInitialize ? instance.GetAction(ModuleInspector.InitializeExport) : null;
            _instance = instance; // grey_on_event is bound with the first event: an idle service never pays for it
        }
    }

    public AppShape Shape { get; }

    public bool HasInitializer => _initialize is not null;

    public IGuestMemory Memory => _state.CachedMemory;

    public TimeSpan CpuTime => _state.CpuTime;

    public GuestExit RunCommand()
    {
        var start = _start ?? throw new InvalidOperationException("the module is a service: it exports no _start");
        if (Enter() is { } refused)
        {
            return refused;
        }

        try
        {
            start();
            return GuestExit.Returned();
        }
        catch (WasmtimeException ex)
        {
            return GuestExits.From(ex, _state);
        }
    }

    public GuestExit Initialize()
    {
        if (_initialize is null)
        {
            return GuestExit.Returned();
        }

        if (Enter() is { } refused)
        {
            return refused;
        }

        try
        {
            _initialize();
            return GuestExit.Returned();
        }
        catch (WasmtimeException ex)
        {
            return GuestExits.From(ex, _state);
        }
    }

    public GuestExit DeliverEvent(int kind, int handle, long value)
    {
        if (_onEvent is null && _instance is null)
        {
            throw new InvalidOperationException("the module is a command: it exports no grey_on_event");
        }

        if (Enter() is { } refused)
        {
            return refused;
        }

        // Checked when the module was loaded, so the typed binding cannot fail here.
        var onEvent = _onEvent ??= _instance!.GetFunction<int, int, long, int>(ModuleInspector.OnEventExport)
            ?? throw new InvalidOperationException("grey_on_event has the wrong type");
        try
        {
            return GuestExit.Returned(onEvent(kind, handle, value));
        }
        catch (WasmtimeException ex)
        {
            return GuestExits.From(ex, _state);
        }
    }

    public void Kill(string reason) => _state.Kill(reason);

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _store.Dispose();
        }
    }

    /// <summary>
    /// Before running guest code: refuse when killed or out of CPU time, and restart the epoch
    /// deadline one tick from now so time spent idle (between events) is never charged.
    /// </summary>
    private GuestExit? Enter()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_state.KillReason is { } reason)
        {
            return GuestExits.Killed(reason);
        }

        if (_state.CpuExhausted)
        {
            return _state.CpuLimitExit;
        }

        _store.SetEpochDeadline(1);
        return null;
    }
}
