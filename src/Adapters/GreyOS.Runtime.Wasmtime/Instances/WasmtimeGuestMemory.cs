using GreyOS.Abstractions.Runtime;
using Wasmtime;

namespace GreyOS.Runtime.Wasmtime.Instances;

/// <summary>
/// A guest's linear memory as syscalls see it, over a cached <see cref="Memory"/> (looked up once per
/// instance, never by name per call). Every access is bounds-checked against the current size; the
/// span points straight into Wasmtime's memory (no copy) and is valid until the guest runs again.
/// </summary>
internal sealed unsafe class WasmtimeGuestMemory(Memory? memory) : IGuestMemory
{
    /// <summary>The memory of a module that exports none: zero bytes.</summary>
    public static readonly WasmtimeGuestMemory None = new(null);

    public long Length => memory?.GetLength() ?? 0;

    public bool TryGetSpan(long address, int length, out Span<byte> span)
    {
        span = default;
        if (address < 0 || length < 0)
        {
            return false;
        }

        // An empty range needs no memory: valid at any address (abi: "length 0 … is 0").
        if (length == 0)
        {
            return true;
        }

        if (memory is null)
        {
            return false;
        }

        // address + length may overflow long for hostile inputs; compare against size - length instead.
        var size = memory.GetLength();
        if (address > size - length)
        {
            return false;
        }

        span = new Span<byte>((byte*)memory.GetPointer() + address, length);
        return true;
    }
}
