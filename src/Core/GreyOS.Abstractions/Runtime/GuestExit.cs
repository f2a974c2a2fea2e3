namespace GreyOS.Abstractions.Runtime;

/// <summary>Why guest code stopped running.</summary>
public enum GuestExitKind
{
    /// <summary>Returned normally (a command's <c>_start</c> returned: exit code 0; a service event handled).</summary>
    Returned,

    /// <summary>The guest called <c>proc_exit</c> with <see cref="GuestExit.Code"/>.</summary>
    Exited,

    /// <summary>A WebAssembly trap (unreachable, out-of-bounds, stack overflow …).</summary>
    Trapped,

    /// <summary>The CPU-time limit was reached.</summary>
    CpuLimit,

    /// <summary>The process was killed from outside (signal, node shutdown).</summary>
    Killed,

    /// <summary>A syscall failed unexpectedly; the process ends, the node does not.</summary>
    SyscallFault,
}

/// <summary>The outcome of running guest code: how it ended, an exit code, and a reason for faults.</summary>
public readonly record struct GuestExit(GuestExitKind Kind, int Code, string? Reason)
{
    public static GuestExit Returned(int code = 0) => new(GuestExitKind.Returned, code, null);
}

/// <summary>Thrown by a syscall implementation to end the guest with an exit code (WASI <c>proc_exit</c>).</summary>
#pragma warning disable CA1032 // not a general-purpose exception: it always carries an exit code
public sealed class GuestExitException(int code) : Exception($"guest exited with code {code}")
#pragma warning restore CA1032
{
    public int Code { get; } = code;
}
