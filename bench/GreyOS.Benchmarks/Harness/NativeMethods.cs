using System.Runtime.InteropServices;

namespace GreyOS.Benchmarks.Harness;

/// <summary>POSIX <c>kill(2)</c>, to stop a server gracefully (SIGTERM) the way an operator or systemd does.</summary>
internal static partial class NativeMethods
{
    public const int SigTerm = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static partial int Kill(int pid, int signal);
}
