using GreyOS.Abstractions.Errors;
using GreyOS.Abstractions.Runtime;

namespace GreyOS.Kernel.Syscalls;

/// <summary>
/// Capabilities a process can be granted, and the syscalls each one opens. Everything not listed
/// under a capability (clocks, random, log, stdio, self info, handles) is granted to every process;
/// the rest is denied unless granted at spawn.
/// </summary>
internal static class Capabilities
{
    public const string ProcSpawn = "proc.spawn";
    public const string ProcSignal = "proc.signal";

    private static readonly Dictionary<string, Syscall[]> Opens = new(StringComparer.Ordinal)
    {
        [ProcSpawn] = [Syscall.ProcSpawn],
        [ProcSignal] = [Syscall.ProcSignal],
    };

    /// <summary>The names a spawn request may grant.</summary>
    public static IReadOnlyCollection<string> Known => Opens.Keys;

    /// <summary>The bitmap (bit = <see cref="Syscall"/> value) of what every process may call.</summary>
    public static ulong Baseline { get; } = ComputeBaseline();

    /// <summary>The bitmap for a set of granted capabilities; an unknown name is an error value.</summary>
    public static Result<ulong> Resolve(IEnumerable<string> granted)
    {
        var bits = Baseline;
        foreach (var name in granted)
        {
            if (!Opens.TryGetValue(name, out var syscalls))
            {
                return GreyError.Invalid(ErrorCodes.InvalidRequest, $"unknown capability '{name}'; known: {string.Join(", ", Opens.Keys)}");
            }

            foreach (var syscall in syscalls)
            {
                bits |= Bit(syscall);
            }
        }

        return bits;
    }

    public static ulong Bit(Syscall syscall) => 1UL << (int)syscall;

    private static ulong ComputeBaseline()
    {
        var gated = Opens.Values.SelectMany(s => s).Aggregate(0UL, (acc, s) => acc | Bit(s));
        var all = Enum.GetValues<Syscall>().Aggregate(0UL, (acc, s) => acc | Bit(s));
        return all & ~gated;
    }
}
