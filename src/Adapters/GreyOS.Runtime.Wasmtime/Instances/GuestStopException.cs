using GreyOS.Abstractions.Runtime;

namespace GreyOS.Runtime.Wasmtime.Instances;

/// <summary>
/// Thrown by the runtime itself (the epoch callback, or a syscall stub after the kernel returns) to
/// stop the guest with a decided outcome: killed, or out of CPU time. Wasmtime turns it into a trap
/// whose inner exception this is; <see cref="GuestExits"/> maps it back to <see cref="Exit"/>.
/// </summary>
#pragma warning disable CA1032, CA1064 // internal control-flow marker: always carries its exit, never seen outside this assembly
internal sealed class GuestStopException(GuestExit exit) : Exception(exit.Reason)
#pragma warning restore CA1032, CA1064
{
    public GuestExit Exit { get; } = exit;
}
