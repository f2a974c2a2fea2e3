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
/// The syscall gate of one process: capability check (a bitmap indexed by <see cref="Syscall"/>),
/// a token-bucket rate limit, and counters per syscall. A process runs guest code on one thread at
/// a time, so the counters need no atomics. Denials are reported to <paramref name="onDenied"/>
/// (audit) the first time per syscall; all are counted.
/// </summary>
internal sealed class SyscallGate(ulong allowed, int perSecond, Action<Syscall, GateVerdict> onDenied)
{
    private static readonly int SyscallCount = Enum.GetValues<Syscall>().Length;

    private readonly long[] _counts = new long[SyscallCount];
    private readonly long _ticksPerToken = Math.Max(1, Stopwatch.Frequency / Math.Max(1, perSecond));
    private ulong _reported;
    private long _tokens = perSecond;
    private long _refilledAt = Stopwatch.GetTimestamp();

    public long Total { get; private set; }

    public long Denied { get; private set; }

    public long CountOf(Syscall syscall) => _counts[(int)syscall];

    public GateVerdict Enter(Syscall syscall)
    {
        var bit = 1UL << (int)syscall;
        if ((allowed & bit) == 0)
        {
            return Deny(syscall, bit, GateVerdict.Denied);
        }

        if (--_tokens < 0 && !Refill())
        {
            return Deny(syscall, bit, GateVerdict.RateLimited);
        }

        _counts[(int)syscall]++;
        Total++;
        return GateVerdict.Allowed;
    }

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

    private GateVerdict Deny(Syscall syscall, ulong bit, GateVerdict verdict)
    {
        Denied++;
        if ((_reported & bit) == 0)
        {
            _reported |= bit;
            onDenied(syscall, verdict);
        }

        return verdict;
    }
}
