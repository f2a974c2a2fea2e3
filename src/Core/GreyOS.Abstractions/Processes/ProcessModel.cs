using GreyOS.Abstractions.FileSystem;
using GreyOS.Abstractions.Runtime;

namespace GreyOS.Abstractions.Processes;

/// <summary>The life cycle of a process.</summary>
public enum ProcessState
{
    /// <summary>Accepted; its instance is being created.</summary>
    Starting,

    /// <summary>Executing (a command), or handling an event (a service).</summary>
    Running,

    /// <summary>A service waiting for events: it holds memory but no thread.</summary>
    Idle,

    /// <summary>Ended by returning or calling exit; <see cref="ProcessInfo.ExitCode"/> is set.</summary>
    Exited,

    /// <summary>Ended by a trap or a limit; <see cref="ProcessInfo.FaultReason"/> says which.</summary>
    Faulted,

    /// <summary>Ended from outside (kill, signal, shutdown).</summary>
    Killed,

    /// <summary>Was running when its node stopped.</summary>
    Lost,
}

/// <summary>Resource limits of a process. Requests are validated against the node's ranges.</summary>
/// <param name="MemoryMiB">Linear memory cap.</param>
/// <param name="CpuSeconds">Cap on time executing guest code.</param>
/// <param name="OutputBytes">Cap on stdout+stderr bytes; writes beyond it fail with EQUOTA.</param>
/// <param name="Nice">
/// Priority as a Unix nice increment, 0 (normal) to 19 (lowest): a process can only lower its own
/// priority, and a child is never nicer to the scheduler than its parent. Commands run on a thread
/// at the node's guest nice plus this; services get fewer events per dispatcher turn.
/// </param>
public sealed record ProcessLimits(int MemoryMiB, double CpuSeconds, long OutputBytes, int Nice = 0);

/// <summary>What to run and with which rights.</summary>
/// <param name="ModuleSha256">A module known to the node (uploaded before).</param>
/// <param name="OwnerUserId">The user the process acts for.</param>
/// <param name="Args">argv[1..] (argv[0] is the app name).</param>
/// <param name="Environment">Environment variables.</param>
/// <param name="Limits">Null for the node's defaults.</param>
/// <param name="Capabilities">Capabilities granted beyond the defaults, e.g. <c>proc.spawn</c>.</param>
/// <param name="AppName">argv[0] and the display name; default the module's short hash.</param>
/// <param name="ParentPid">Set when a process spawns another.</param>
/// <param name="KeepStdinOpen">True when a client will attach and feed stdin; otherwise stdin is at EOF.</param>
/// <param name="Directories">
/// VFS folders granted to the process (<c>--dir</c>): each becomes a WASI preopen and the
/// capability <c>fs.read</c> (and <c>fs.write</c> unless read-only) on the folder and below.
/// </param>
/// <param name="Files">
/// The owner as the file system sees them (name, administrator): the VFS checks every file call of the
/// process for this principal too. Required when <paramref name="Directories"/> is not empty.
/// </param>
/// <param name="AppId">The app's id (reverse-DNS, e.g. <c>org.example.notes</c>): names its key-value store; null for an ad-hoc module.</param>
public sealed record SpawnRequest(
    string ModuleSha256,
    string OwnerUserId,
    IReadOnlyList<string> Args,
    IReadOnlyDictionary<string, string> Environment,
    ProcessLimits? Limits = null,
    IReadOnlyList<string>? Capabilities = null,
    string? AppName = null,
    long? ParentPid = null,
    bool KeepStdinOpen = false,
    IReadOnlyList<DirectoryGrant>? Directories = null,
    FilePrincipal? Files = null,
    string? AppId = null);

/// <summary>A VFS folder granted to a process.</summary>
/// <param name="Path">The folder in the VFS, e.g. <c>/home/alice/work</c>.</param>
/// <param name="GuestPath">Where the process sees it (its WASI preopen name and the prefix of <c>fs_*</c> paths), absolute, e.g. <c>/work</c>.</param>
/// <param name="ReadOnly">Grants <c>fs.read</c> only (otherwise <c>fs.read</c> and <c>fs.write</c>).</param>
public sealed record DirectoryGrant(VfsPath Path, string GuestPath, bool ReadOnly = false);

/// <summary>A process as the process table shows it.</summary>
public sealed record ProcessInfo(
    long Pid,
    long? ParentPid,
    string OwnerUserId,
    string AppName,
    string ModuleSha256,
    AppShape Shape,
    ProcessState State,
    int? ExitCode,
    string? FaultReason,
    ProcessLimits Limits,
    IReadOnlyList<string> Capabilities,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    double CpuSeconds,
    long Syscalls,
    long SyscallsDenied)
{
    /// <summary>True once the process has ended (any final state).</summary>
    public bool HasEnded => State is ProcessState.Exited or ProcessState.Faulted or ProcessState.Killed or ProcessState.Lost;
}

/// <summary>A filter over the process table; null fields match everything.</summary>
public sealed record ProcessQuery(string? OwnerUserId = null, string? AppName = null, ProcessState? State = null, int Limit = 200);

/// <summary>Which output channel (stdout or stderr) a chunk belongs to.</summary>
public enum OutputChannel
{
    Stdout = 1,
    Stderr = 2,
}

/// <summary>A piece of a process's output.</summary>
public readonly record struct OutputChunk(OutputChannel Channel, ReadOnlyMemory<byte> Data);
