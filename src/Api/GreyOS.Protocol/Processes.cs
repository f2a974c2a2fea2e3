namespace GreyOS.Protocol;

/// <summary>A module known to the node (<c>PUT/GET /api/v1/modules/{sha256}</c>).</summary>
/// <param name="Sha256">Lower-case hex SHA-256 of the module bytes: its name.</param>
/// <param name="Size">Bytes.</param>
/// <param name="Shape"><c>command</c> (exports <c>_start</c>) or <c>service</c> (exports <c>grey_on_event</c>).</param>
/// <param name="Imports">Its imports as <c>module.name</c>.</param>
public sealed record ModuleResponse(string Sha256, long Size, string Shape, IReadOnlyList<string> Imports);

/// <summary>Resource limits; null fields take the node's defaults. <c>Nice</c>: priority, 0 (normal) to 19 (lowest).</summary>
public sealed record ProcessLimitsDto(int? MemoryMiB = null, double? CpuSeconds = null, long? OutputBytes = null, int? Nice = null);

/// <summary><c>POST /api/v1/processes</c>: start a process from an uploaded module.</summary>
/// <param name="Module">SHA-256 of an uploaded module.</param>
/// <param name="Args">Arguments after argv[0].</param>
/// <param name="Env">Environment variables.</param>
/// <param name="Limits">Limits (defaults when null).</param>
/// <param name="Capabilities">Capabilities beyond the defaults, e.g. <c>proc.spawn</c>.</param>
/// <param name="Name">argv[0] and display name (default: the module hash prefix).</param>
/// <param name="Attach">True when the caller will attach to feed stdin; otherwise stdin is at EOF.</param>
/// <param name="Dirs">VFS folders granted to the process (at most 16); the caller must be able to access each.</param>
/// <param name="AppId">The app's id (reverse-DNS), naming its key-value store; default: per module.</param>
public sealed record SpawnProcessRequest(
    string Module,
    IReadOnlyList<string>? Args = null,
    IReadOnlyDictionary<string, string>? Env = null,
    ProcessLimitsDto? Limits = null,
    IReadOnlyList<string>? Capabilities = null,
    string? Name = null,
    bool Attach = false,
    IReadOnlyList<DirectoryGrantDto>? Dirs = null,
    string? AppId = null);

/// <summary>A VFS folder granted to a process (<c>greyos run --dir PATH[:GUEST][:ro]</c>).</summary>
/// <param name="Path">The folder in the VFS, e.g. <c>/home/alice/work</c>.</param>
/// <param name="Guest">Where the process sees it (absolute, no <c>..</c>); default: the same path.</param>
/// <param name="ReadOnly">Grant reading only.</param>
public sealed record DirectoryGrantDto(string Path, string? Guest = null, bool ReadOnly = false);

/// <summary>A process record. <c>state</c>: starting, running, idle, exited, faulted, killed, lost.</summary>
public sealed record ProcessResponse(
    long Pid,
    long? ParentPid,
    string Owner,
    string Name,
    string Module,
    string Shape,
    string State,
    int? ExitCode,
    string? FaultReason,
    ProcessLimitsDto Limits,
    IReadOnlyList<string> Capabilities,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    double CpuSeconds,
    long Syscalls,
    long SyscallsDenied)
{
    /// <summary>True once the process has ended.</summary>
    public bool HasEnded => State is "exited" or "faulted" or "killed" or "lost";
}

/// <summary><c>GET /api/v1/processes</c>.</summary>
public sealed record ProcessListResponse(IReadOnlyList<ProcessResponse> Processes);

/// <summary>
/// Framing of <c>GET /api/v1/processes/{pid}/attach</c> (WebSocket). Binary frames carry one tag byte
/// then data: from the node <see cref="Stdout"/>/<see cref="Stderr"/>; to the node <see cref="Stdin"/>
/// (data) and <see cref="StdinEof"/> (no data). When the process ends the node sends one text frame,
/// the final <see cref="ProcessResponse"/> as JSON, and closes.
/// </summary>
public static class AttachFrames
{
    public const byte Stdin = 0;
    public const byte Stdout = 1;
    public const byte Stderr = 2;
    public const byte StdinEof = 4;
}
