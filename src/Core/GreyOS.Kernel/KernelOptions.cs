namespace GreyOS.Kernel;

/// <summary>Kernel settings (section <c>GreyOS:Kernel</c>): defaults and hard ranges for every resource a process can consume.</summary>
public sealed class KernelOptions
{
    /// <summary>Processes one user may have running at once.</summary>
    public int MaxProcessesPerUser { get; set; } = 256;

    /// <summary>Processes the node runs at once (services included).</summary>
    public int MaxProcesses { get; set; } = 20_000;

    public int DefaultMemoryMiB { get; set; } = 64;

    public int MaxMemoryMiB { get; set; } = 4096;

    public double DefaultCpuSeconds { get; set; } = 60;

    public double MaxCpuSeconds { get; set; } = 86_400;

    /// <summary>Default cap on a process's stdout+stderr bytes (writes past it fail with EQUOTA).</summary>
    public long DefaultOutputBytes { get; set; } = 64L * 1024 * 1024;

    public long MaxOutputBytes { get; set; } = 1024L * 1024 * 1024;

    /// <summary>Bytes of stdout and of stderr kept for <c>logs</c> and late attachers (oldest dropped).</summary>
    public int OutputRetainedBytes { get; set; } = 1024 * 1024;

    /// <summary>Sustained syscalls per second per process; bursts up to one second's worth.</summary>
    public int SyscallsPerSecond { get; set; } = 1_000_000;

    /// <summary>Open handles (pending operations, timers) per process.</summary>
    public int MaxHandles { get; set; } = 4096;

    /// <summary>Files and folders a process may have open at once (WASI fds and grey file handles; more: EMFILE / EQUOTA).</summary>
    public int MaxOpenFiles { get; set; } = 256;

    /// <summary>Bytes a process may hold in write buffers of open files, all together (more: EDQUOT / EQUOTA).</summary>
    public long MaxBufferedFileBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>A write buffer stays in memory up to this size, then moves to a temp file in the data folder.</summary>
    public int FileBufferMemoryBytes { get; set; } = 1024 * 1024;

    /// <summary>Folders one process may be granted.</summary>
    public int MaxDirectories { get; set; } = 16;

    /// <summary>Entries a process may list from one folder (fd_readdir, fs_list).</summary>
    public int MaxListedEntries { get; set; } = 100_000;

    /// <summary>Arguments + environment bytes per process.</summary>
    public int MaxArgumentBytes { get; set; } = 64 * 1024;

    /// <summary>Threads delivering events to services (default: processor count).</summary>
    public int ServiceDispatchers { get; set; } = Environment.ProcessorCount;

    /// <summary>Unix nice value of threads running guest code (0–19): the HTTP API stays responsive while apps spin.</summary>
    public int GuestNice { get; set; } = 10;
}
