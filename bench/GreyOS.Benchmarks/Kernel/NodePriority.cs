using System.Globalization;
using System.Runtime.InteropServices;

namespace GreyOS.Benchmarks.Kernel;

/// <summary>
/// Thread priorities as on a node. BenchmarkDotNet raises its benchmark process to
/// <c>ProcessPriorityClass.High</c> (Linux: nice -11 for the main thread, inherited by every thread
/// and child process it creates later). A GreyOS node runs its HTTP and kernel threads at nice 0 and
/// its guest threads at nice +10 (<c>KernelOptions.GuestNice</c>); under BenchmarkDotNet the gap
/// becomes -11 vs +10 (CFS weights ≈ 87:1 instead of ≈ 9:1), which starves the kernel's niced
/// dispatcher threads and would give a node started from the benchmark an unrealistic head start over
/// its spinning guests. <see cref="Reset"/> puts every boosted (negative nice) thread of this process
/// back to 0; threads reniced on purpose (positive nice) keep their value.
/// </summary>
internal static partial class NodePriority
{
    private const int PrioProcess = 0;

    /// <summary>Sets every thread of this process with a negative nice value to 0; returns how many it changed.</summary>
    public static int Reset()
    {
        if (!OperatingSystem.IsLinux())
        {
            return 0;
        }

        var changed = 0;
        foreach (var (tid, nice) in Threads(Environment.ProcessId))
        {
            if (nice < 0 && SetPriority(PrioProcess, tid, 0) == 0)
            {
                changed++;
            }
        }

        return changed;
    }

    /// <summary>"nice value: thread count" of a process, e.g. <c>0:14 10:2</c>, for the log.</summary>
    public static string Describe(int pid) =>
        string.Join(' ', Threads(pid).GroupBy(t => t.Nice).OrderBy(g => g.Key).Select(g => string.Create(CultureInfo.InvariantCulture, $"nice {g.Key}: {g.Count()}")));

    private static IEnumerable<(int Tid, int Nice)> Threads(int pid)
    {
        string[] tasks;
        try
        {
            tasks = Directory.GetDirectories($"/proc/{pid}/task");
        }
        catch (IOException)
        {
            yield break;
        }

        foreach (var task in tasks)
        {
            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(task, "stat"));
            }
            catch (IOException)
            {
                continue; // the thread ended
            }

            // Fields after "(comm) ": state is field 3, nice field 19 → index 16.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            yield return (int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture), int.Parse(fields[16], CultureInfo.InvariantCulture));
        }
    }

    [LibraryImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static partial int SetPriority(int which, int who, int priority);
}
