using System.Diagnostics;
using GreyOS.Abstractions.Runtime;

namespace GreyOS.Kernel.Syscalls;

/// <summary>The verdict of the gate on one syscall.</summary>
internal enum GateVerdict
{
    Allowed,
    Denied,
    RateLimited,
}

/// <summary>
/// The syscall gate of one process: capability check (a 128-bit bitmap indexed by <see cref="Syscall"/>),
/// a token-bucket rate limit, and counters per syscall. A process runs guest code on one thread at
/// a time, so the counters need no atomics. Denials are reported to <paramref name="onDenied"/>
/// (audit) the first time per syscall; all are counted.
/// </summary>
internal sealed class SyscallGate(UInt128 allowed, int perSecond, Action<Syscall, GateVerdict> onDenied)
{
    private static readonly int SyscallCount = Enum.GetValues<Syscall>().Length;

    /// <summary>Calls per syscall; made on the first call (an idle service never needs them).</summary>
    private long[]? _counts;
    private readonly long _ticksPerToken = Math.Max(1, Stopwatch.Frequency / Math.Max(1, perSecond));
    private UInt128 _reported;
    private long _tokens = perSecond;
    private long _refilledAt = Stopwatch.GetTimestamp();

    public long Total { get; private set; }

    public long Denied { get; private set; }

    public long CountOf(Syscall syscall) => _counts?[(int)syscall] ?? 0;

    public GateVerdict Enter(Syscall syscall)
    {
        var bit = UInt128.One << (int)syscall;
        if ((allowed & bit) == UInt128.Zero)
        {
            return Deny(syscall, bit, GateVerdict.Denied);
        }

        if (--_tokens < 0 && !Refill())
        {
            return Deny(syscall, bit, GateVerdict.RateLimited);
        }

        (_counts ??= new long[SyscallCount])[(int)syscall]++;
        Total++;
        return GateVerdict.Allowed;
    }

    /// <summary>
    /// A call the gate let through but a finer capability refused (a path outside the process's granted
    /// folders, a write to a read-only one): counted and audited like a gate denial.
    /// </summary>
    public void DenyResource(Syscall syscall) => Deny(syscall, UInt128.One << (int)syscall, GateVerdict.Denied);

    private bool Refill()
    {
        var now = Stopwatch.GetTimestamp();
        var earned = (now - _refilledAt) / _ticksPerToken;
        if (earned <= 0)
        {
            _tokens = 0;
            return false;
        }

        _refilledAt = now;
        _tokens = Math.Min(perSecond, earned) - 1;
        return true;
    }

    private GateVerdict Deny(Syscall syscall, UInt128 bit, GateVerdict verdict)
    {
        Denied++;
        if ((_reported & bit) == UInt128.Zero)
        {
            _reported |= bit;
            onDenied(syscall, verdict);
        }

        return verdict;
    }
}
