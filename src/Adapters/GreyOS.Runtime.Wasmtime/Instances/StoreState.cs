using System.Globalization;
using GreyOS.Abstractions.Runtime;
using Wasmtime;

namespace GreyOS.Runtime.Wasmtime.Instances;

/// <summary>
/// The per-store data every host function reaches through <c>caller.GetData()</c>: the process's
/// <see cref="IGreyAbi"/>, its cached memory, CPU accounting and the kill flag. Everything except
/// <see cref="Kill"/>, <see cref="KillReason"/> and <see cref="CpuTime"/> runs on the thread that
/// is running the guest.
/// </summary>
internal sealed class StoreState(IGreyAbi abi, TimeSpan tick, TimeSpan cpuLimit)
{
    private readonly long _cpuLimitTicks = Math.Max(1, (long)Math.Ceiling(cpuLimit / tick));
    private IGuestMemory? _memory;
    private long _cpuTicks;
    private volatile string? _killReason;

    public IGreyAbi Abi { get; } = abi;

    /// <summary>The memory cached after instantiation (empty until then or when the module exports none).</summary>
    public IGuestMemory CachedMemory => _memory ?? WasmtimeGuestMemory.None;

    /// <summary>Time charged so far: one epoch tick per deadline callback (sampling: unbiased on average).</summary>
    public TimeSpan CpuTime => tick * Interlocked.Read(ref _cpuTicks);

    public string? KillReason => _killReason;

    public bool CpuExhausted => Interlocked.Read(ref _cpuTicks) >= _cpuLimitTicks;

    public GuestExit CpuLimitExit => new(
        GuestExitKind.CpuLimit,
        GuestExits.NoExitCode,
        string.Create(CultureInfo.InvariantCulture, $"CPU limit of {cpuLimit.TotalSeconds:0.###} s reached"));

    public void CacheMemory(Memory? memory) => _memory = memory is null ? WasmtimeGuestMemory.None : new WasmtimeGuestMemory(memory);

    /// <summary>The guest's memory for a syscall; resolved from the caller only while the start function runs.</summary>
    public IGuestMemory MemoryFor(Caller caller) => _memory ??= new WasmtimeGuestMemory(caller.GetMemory("memory"));

    public void Kill(string reason) => _killReason = string.IsNullOrWhiteSpace(reason) ? "killed" : reason;

    /// <summary>Called by every syscall stub after the kernel returns: a kill ends the guest at once.</summary>
    public int Return(int result)
    {
        ThrowIfKilled();
        return result;
    }

    /// <inheritdoc cref="Return(int)"/>
    public long Return(long result)
    {
        ThrowIfKilled();
        return result;
    }

    public void ThrowIfKilled()
    {
        if (_killReason is { } reason)
        {
            throw new GuestStopException(GuestExits.Killed(reason));
        }
    }

    /// <summary>
    /// The epoch deadline callback: charges one tick of CPU time, then traps (by throwing) when the
    /// process was killed or its CPU time is used up; otherwise extends the deadline by one tick.
    /// </summary>
    public ulong OnEpochDeadline(Store store)
    {
        var ticks = Interlocked.Increment(ref _cpuTicks);
        ThrowIfKilled();
        if (ticks >= _cpuLimitTicks)
        {
            throw new GuestStopException(CpuLimitExit);
        }

        return 1;
    }
}
