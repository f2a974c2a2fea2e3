using System.Runtime.InteropServices;

namespace GreyOS.Kernel.Scheduling;

/// <summary>
/// Dedicated threads for guest code. WebAssembly runs synchronously on its thread (Wasmtime has no
/// async yield), so guests never borrow the .NET thread pool that serves HTTP; on Linux the threads
/// run at a higher nice value, so the OS scheduler favours the API and syscalls of other apps.
/// </summary>
internal static partial class GuestThreads
{
    private const int PrioProcess = 0;

    public static Thread Start(string name, int nice, Action body)
    {
        var thread = new Thread(() =>
        {
            Renice(nice);
            body();
        })
        {
            IsBackground = true,
            Name = name,
        };
        thread.Start();
        return thread;
    }

    /// <summary>Sets the nice value of the calling thread (Linux: per thread); ignored elsewhere.</summary>
    public static void Renice(int nice)
    {
        if (!OperatingSystem.IsLinux() || nice == 0)
        {
            return;
        }

        try
        {
            _ = SetPriority(PrioProcess, GetTid(), nice);
        }
        catch (EntryPointNotFoundException)
        {
        }
        catch (DllNotFoundException)
        {
        }
    }

    [LibraryImport("libc", EntryPoint = "setpriority")]
    private static partial int SetPriority(int which, int who, int priority);

    [LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetTid();
}
