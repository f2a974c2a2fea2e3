using GreyOS.Abstractions.Runtime;
using Wasmtime;

namespace GreyOS.Runtime.Wasmtime.Instances;

/// <summary>
/// Maps what Wasmtime throws out of a guest call to a <see cref="GuestExit"/>: guest behaviour is a
/// value, never an exception for the kernel.
/// </summary>
internal static class GuestExits
{
    /// <summary>The <see cref="GuestExit.Code"/> of an outcome that has no exit code (trap, limit, kill, fault).</summary>
    public const int NoExitCode = -1;

    public static GuestExit Killed(string reason) => new(GuestExitKind.Killed, NoExitCode, reason);

    public static GuestExit From(WasmtimeException exception, StoreState state)
    {
        switch (exception.InnerException)
        {
            case GuestExitException exit:
                return new GuestExit(GuestExitKind.Exited, exit.Code, null);
            case GuestStopException stop:
                return stop.Exit;
            case not null when state.KillReason is { } reason:
                // The kernel ended a blocked syscall (by throwing) because the process is being killed.
                return Killed(reason);
            case { } host:
                return new GuestExit(GuestExitKind.SyscallFault, NoExitCode, $"syscall failed: {host.GetType().Name}: {host.Message}");
        }

        var reasonText = exception is TrapException trap ? TrapReason(trap) : Concise(exception.Message);
        return new GuestExit(GuestExitKind.Trapped, NoExitCode, reasonText);
    }

    public static string TrapReason(TrapException trap) => trap.Type switch
    {
        TrapCode.Unreachable => "unreachable executed",
        TrapCode.MemoryOutOfBounds => "out of bounds memory access",
        TrapCode.HeapMisaligned => "misaligned memory access",
        TrapCode.StackOverflow => "stack overflow",
        TrapCode.IntegerDivisionByZero => "integer divide by zero",
        TrapCode.IntegerOverflow => "integer overflow",
        TrapCode.BadConversionToInteger => "invalid conversion to integer",
        TrapCode.TableOutOfBounds => "out of bounds table access",
        TrapCode.IndirectCallToNull => "indirect call to a null function",
        TrapCode.BadSignature => "indirect call type mismatch",
        TrapCode.NullReference => "null reference",
        TrapCode.AllocationTooLarge => "allocation too large",
        TrapCode.OutOfFuel => "out of fuel",
        TrapCode.Interrupt => "interrupted",
        _ => Concise(trap.Message),
    };

    /// <summary>
    /// One line out of Wasmtime's multi-line messages: the root cause after the last "Caused by:",
    /// without backtraces and byte dumps.
    /// </summary>
    public static string Concise(string message)
    {
        var lines = message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (lines.Length == 0)
        {
            return "unknown error";
        }

        var causedBy = Array.FindLastIndex(lines, l => l == "Caused by:");
        var line = causedBy >= 0 && causedBy + 1 < lines.Length ? lines[causedBy + 1] : lines[0];
        var dump = line.IndexOf(" - expected=", StringComparison.Ordinal);
        line = dump > 0 ? line[..dump] : line;
        if (line.StartsWith("0:", StringComparison.Ordinal) || line.EndsWith("wasm backtrace:", StringComparison.Ordinal))
        {
            line = lines[^1];
        }

        return line.Length > 300 ? line[..300] + "…" : line;
    }
}
