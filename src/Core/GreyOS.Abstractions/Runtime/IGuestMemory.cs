namespace GreyOS.Abstractions.Runtime;

/// <summary>
/// The linear memory of a running guest, as syscalls see it. Spans are valid only until the guest
/// runs again (a <c>memory.grow</c> may move the memory): use them within one syscall.
/// </summary>
public interface IGuestMemory
{
    /// <summary>The current size in bytes.</summary>
    long Length { get; }

    /// <summary>
    /// The bytes at [<paramref name="address"/>, <paramref name="address"/> + <paramref name="length"/>);
    /// false (the syscall returns <see cref="GreyErrno.EFAULT"/>) when any of them is outside the memory.
    /// An empty range (length 0) is valid at any non-negative address.
    /// </summary>
    bool TryGetSpan(long address, int length, out Span<byte> span);
}
