using System.Runtime.InteropServices;
using System.Text;

namespace GreyOS.FileSystem.Content;

/// <summary>
/// Flushes a folder's entries to disk (Linux: <c>open(O_RDONLY|O_DIRECTORY)</c> + <c>fsync</c>), so a
/// file renamed into it survives a power loss. .NET cannot open a folder as a file handle, hence the
/// P/Invoke. Elsewhere it does nothing.
/// </summary>
/// <remarks>
/// Plain <c>DllImport</c> with a pinned UTF-8 byte array: <c>[LibraryImport]</c> needs
/// <c>AllowUnsafeBlocks</c> in the project file; with it, these three declarations convert one to one.
/// </remarks>
internal static class DirectorySync
{
    private const int ORdOnly = 0;
    private const int OCloExec = 0x80000;
    private const int EIntr = 4;
    private const int EInval = 22;
    private const int ENotSup = 95;

    /// <summary>Flushes the entries of <paramref name="folder"/> to disk; throws <see cref="IOException"/> when the file system reports an error.</summary>
    public static void Flush(string folder)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var path = NullTerminatedUtf8(folder);
        int fd;
        do
        {
            fd = Open(path, ORdOnly | ODirectory | OCloExec);
        }
        while (fd < 0 && Marshal.GetLastPInvokeError() == EIntr);

        if (fd < 0)
        {
            throw Failure("open", folder, Marshal.GetLastPInvokeError());
        }

        try
        {
            // EINVAL / ENOTSUP: the file system cannot sync folders (some FUSE, network file systems); nothing more to do.
            if (FSync(fd) != 0 && Marshal.GetLastPInvokeError() is var errno and not (EInval or ENotSup))
            {
                throw Failure("fsync", folder, errno);
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary><c>O_DIRECTORY</c> differs between architectures (asm-generic vs. arm/arm64/powerpc).</summary>
    private static int ODirectory => RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm or Architecture.Armv6 or Architecture.Ppc64le
        ? 0x4000
        : 0x10000;

    private static byte[] NullTerminatedUtf8(string value)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(value) + 1];
        Encoding.UTF8.GetBytes(value, bytes);
        return bytes;
    }

    private static IOException Failure(string call, string folder, int errno) =>
        new($"cannot flush the folder {folder} to disk: {call} failed with errno {errno} ({Marshal.GetPInvokeErrorMessage(errno)})");

    [DllImport("libc", EntryPoint = "open", SetLastError = true, ExactSpelling = true)]
    private static extern int Open(byte[] path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true, ExactSpelling = true)]
    private static extern int FSync(int fd);

    [DllImport("libc", EntryPoint = "close", SetLastError = true, ExactSpelling = true)]
    private static extern int Close(int fd);
}
