using GreyOS.Abstractions.Errors;
using GreyOS.Abstractions.Runtime;

namespace GreyOS.Kernel.Syscalls;

/// <summary>
/// Capabilities a process can be granted, and the syscalls each one opens. Everything not listed
/// under a capability (clocks, random, log, stdio, self info, handles, the WASI file calls — which
/// only reach the preopens) is granted to every process; the rest is denied unless granted at spawn.
/// <c>fs.read</c> and <c>fs.write</c> are never named in a request: they come with granted folders
/// (<c>--dir</c>), each on its folder and below, and are checked per path after the gate.
/// </summary>
internal static class Capabilities
{
    public const string ProcSpawn = "proc.spawn";
    public const string ProcSignal = "proc.signal";
    public const string KvRead = "kv.read";
    public const string KvWrite = "kv.write";
    public const string FsRead = "fs.read";
    public const string FsWrite = "fs.write";

    private static readonly Dictionary<string, Syscall[]> Opens = new(StringComparer.Ordinal)
    {
        [ProcSpawn] = [Syscall.ProcSpawn],
        [ProcSignal] = [Syscall.ProcSignal],
        [KvRead] = [Syscall.KvGet, Syscall.KvList],
        [KvWrite] = [Syscall.KvSet, Syscall.KvDelete],
    };

    /// <summary>Opened by any granted folder (the path check follows the gate).</summary>
    private static readonly Syscall[] FsReadCalls = [Syscall.FsOpen, Syscall.FsRead, Syscall.FsSeek, Syscall.FsClose, Syscall.FsStat, Syscall.FsList];

    /// <summary>Opened by a writable granted folder.</summary>
    private static readonly Syscall[] FsWriteCalls = [Syscall.FsWrite, Syscall.FsMkdir, Syscall.FsRemove, Syscall.FsRename];

    /// <summary>The names a spawn request may grant.</summary>
    public static IReadOnlyCollection<string> Known => Opens.Keys;

    /// <summary>The bitmap (bit = <see cref="Syscall"/> value) of what every process may call.</summary>
    public static UInt128 Baseline { get; } = ComputeBaseline();

    /// <summary>The bitmap for a set of granted capabilities; an unknown name is an error value.</summary>
    public static Result<UInt128> Resolve(IEnumerable<string> granted, bool anyFolder = false, bool anyWritableFolder = false)
    {
        var bits = Baseline;
        foreach (var name in granted)
        {
            if (name is FsRead or FsWrite)
            {
                return GreyError.Invalid(ErrorCodes.InvalidRequest, $"'{name}' is granted per folder: grant a folder instead (dirs, greyos run --dir)");
            }

            if (!Opens.TryGetValue(name, out var syscalls))
            {
                return GreyError.Invalid(ErrorCodes.InvalidRequest, $"unknown capability '{name}'; known: {string.Join(", ", Opens.Keys)}");
            }

            bits |= Bits(syscalls);
        }

        if (anyFolder)
        {
            bits |= Bits(FsReadCalls);
        }

        if (anyWritableFolder)
        {
            bits |= Bits(FsWriteCalls);
        }

        return bits;
    }

    public static UInt128 Bit(Syscall syscall) => UInt128.One << (int)syscall;

    private static UInt128 Bits(IEnumerable<Syscall> syscalls) => syscalls.Aggregate(UInt128.Zero, (acc, s) => acc | Bit(s));

    private static UInt128 ComputeBaseline()
    {
        var gated = Bits(Opens.Values.SelectMany(s => s).Concat(FsReadCalls).Concat(FsWriteCalls));
        var all = Bits(Enum.GetValues<Syscall>());
        return all & ~gated;
    }
}
