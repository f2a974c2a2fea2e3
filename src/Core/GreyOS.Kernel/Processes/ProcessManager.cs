using System.Collections.Concurrent;
using System.Text;
using GreyOS.Abstractions.Errors;
using GreyOS.Abstractions.FileSystem;
using GreyOS.Abstractions.KeyValue;
using GreyOS.Abstractions.Node;
using GreyOS.Abstractions.Processes;
using GreyOS.Abstractions.Runtime;
using GreyOS.Abstractions.Storage;
using GreyOS.Kernel.Scheduling;
using GreyOS.Kernel.Syscalls;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GreyOS.Kernel.Processes;

/// <summary>
/// The process table and life cycle: validates spawn requests (module, limits, capabilities,
/// quotas), creates the guest instance bound to its syscalls, runs commands on their own threads
/// and services through the dispatcher, ends processes exactly once and records them.
/// </summary>
internal sealed partial class ProcessManager : IProcessManager, INodeInitializer, IHostedService, IDisposable
{
    /// <summary>Ended processes whose output stays available in memory (older ones: records only).</summary>
    private const int RecentCapacity = 256;

    /// <summary>The lowest priority (highest Unix nice value).</summary>
    private const int MaxNice = 19;

    private static readonly System.Buffers.SearchValues<char> HexLower = System.Buffers.SearchValues.Create("0123456789abcdef");

    private readonly IWasmRuntime _runtime;
    private readonly KernelOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ProcessManager> _logger;
    private readonly PidAllocator _pids;
    private readonly ProcessStore _store;
    private readonly ConcurrentDictionary<long, KernelProcess> _live = new();
    private readonly ConcurrentDictionary<long, KernelProcess> _recent = new();
    private readonly ConcurrentQueue<long> _recentOrder = new();
    private readonly ConcurrentDictionary<string, int> _perUser = new(StringComparer.Ordinal);
    private readonly Lock _quotaLock = new();
    private readonly IFileSystem? _fileSystem;
    private readonly IKeyValueStore? _keyValues;
    private readonly string _bufferFolder;
    private ServiceDispatcher? _dispatcher;

    public ProcessManager(
        IWasmRuntime runtime,
        IDatabase database,
        IOptions<KernelOptions> options,
        TimeProvider time,
        ILoggerFactory loggers,
        IFileSystem? fileSystem = null,
        IKeyValueStore? keyValues = null,
        DataDirectory? dataDirectory = null)
    {
        _fileSystem = fileSystem;
        _keyValues = keyValues;
        _bufferFolder = Path.Combine(dataDirectory?.Path ?? Path.GetTempPath(), "tmp", "fs-buffers");
        _runtime = runtime;
        _options = options.Value;
        _time = time;
        _logger = loggers.CreateLogger<ProcessManager>();
        _pids = new PidAllocator(database);
        _store = new ProcessStore(database, time, loggers.CreateLogger<ProcessStore>());
    }

    public int Order => 300;

    public int LiveCount => _live.Count;

    // ------------------------------------------------------------------ start and stop

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var lost = await _store.MarkLostAsync(cancellationToken).ConfigureAwait(false);
        if (lost > 0)
        {
            LogMarkedLost(_logger, lost);
        }

        // Write buffers of processes that ran when the node last stopped were never committed: drop them.
        if (Directory.Exists(_bufferFolder))
        {
            foreach (var stale in Directory.EnumerateFiles(_bufferFolder, "buf-*.tmp"))
            {
                File.Delete(stale);
            }
        }

        _pids.Prefetch();
        _store.Start();
        _dispatcher = new ServiceDispatcher(_options.ServiceDispatchers, _options.GuestNice, RunService);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var process in _live.Values)
        {
            Kill(process, "the node is shutting down");
        }

        var ends = Task.WhenAll(_live.Values.Select(p => p.Ended));
        await Task.WhenAny(ends, Task.Delay(TimeSpan.FromSeconds(5), cancellationToken)).ConfigureAwait(false);
        await _store.StopAsync().ConfigureAwait(false);
    }

    public void Dispose() => _dispatcher?.Dispose();

    // ------------------------------------------------------------------ IProcessManager

    public async ValueTask<Result<ProcessInfo>> SpawnAsync(SpawnRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Validate(request) is { } invalid)
        {
            return invalid;
        }

        if (!_runtime.TryGetModule(request.ModuleSha256, out var module) || module is null)
        {
            return GreyError.NotFound(ErrorCodes.ModuleNotFound, $"no module {request.ModuleSha256} on this node: upload it first");
        }

        var parentNice = request.ParentPid is { } parent && FindLive(parent) is { } parentProcess ? parentProcess.Limits.Nice : 0;
        var limits = ResolveLimits(request.Limits, parentNice);
        if (!limits.IsSuccess)
        {
            return limits.Error;
        }

        IReadOnlyList<string> capabilities = request.Capabilities is { Count: > 0 } granted
            ? granted.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList()
            : [];
        var directories = request.Directories ?? [];
        if (directories.Count > 0 && await ValidateDirectoriesAsync(request, directories, cancellationToken).ConfigureAwait(false) is { } refused)
        {
            return refused;
        }

        var allowed = Capabilities.Resolve(capabilities, directories.Count > 0, directories.Any(d => !d.ReadOnly));
        if (!allowed.IsSuccess)
        {
            return allowed.Error;
        }

        if (!TryReserve(request.OwnerUserId, out var quotaError))
        {
            return quotaError;
        }

        KernelProcess? process = null;
        try
        {
            var pid = await _pids.NextAsync(cancellationToken).ConfigureAwait(false);
            var appName = string.IsNullOrWhiteSpace(request.AppName) ? module.Sha256[..12] : request.AppName;
            var gate = new SyscallGate(allowed.Value, _options.SyscallsPerSecond, (syscall, verdict) => LogDenied(_logger, pid, syscall, verdict));
            process = new KernelProcess(pid, request, appName, module.Shape, limits.Value, capabilities, gate, _options, _time.GetUtcNow(), _fileSystem, _bufferFolder);
            var abi = new GuestSyscalls(process, this, _time, _options, _keyValues);
            var instance = _runtime.Instantiate(module.Sha256, abi, new GuestLimits(limits.Value.MemoryMiB * 1024L * 1024, TimeSpan.FromSeconds(limits.Value.CpuSeconds)));
            if (!instance.IsSuccess)
            {
                Release(request.OwnerUserId);
                return instance.Error;
            }

            process.Instance = instance.Value;
            var command = module.Shape == AppShape.Command;
            if (command)
            {
                process.State = ProcessState.Running;
            }
            else if (!instance.Value.HasInitializer)
            {
                process.State = ProcessState.Idle; // nothing to run before its first event: ready now, on no thread
            }

            _live[pid] = process;
            var info = process.Snapshot();
            _store.Save(info);
            LogSpawned(_logger, pid, appName, module.Shape, request.OwnerUserId);
            if (command)
            {
                GuestThreads.Start($"greyos-pid-{pid}", Math.Min(MaxNice, _options.GuestNice + limits.Value.Nice), () => RunCommand(process));
            }
            else if (process.State == ProcessState.Starting)
            {
                _dispatcher!.Schedule(process); // a dispatcher runs its _initialize
            }

            return info;
        }
        catch
        {
            if (process?.Instance is null)
            {
                Release(request.OwnerUserId);
            }

            throw;
        }
    }

    public async ValueTask<ProcessInfo?> GetAsync(long pid, CancellationToken cancellationToken) =>
        _live.TryGetValue(pid, out var live) ? live.Snapshot()
        : _recent.TryGetValue(pid, out var recent) ? recent.Snapshot()
        : await _store.GetAsync(pid, cancellationToken).ConfigureAwait(false);

    public async ValueTask<IReadOnlyList<ProcessInfo>> ListAsync(ProcessQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.State is ProcessState.Starting or ProcessState.Running or ProcessState.Idle)
        {
            // Live states exist only in memory (the database holds a process's first and last record).
            return _live.Values.Select(p => p.Snapshot())
                .Where(p => p.State == query.State && (query.OwnerUserId is null || p.OwnerUserId == query.OwnerUserId) && (query.AppName is null || p.AppName == query.AppName))
                .OrderByDescending(p => p.Pid)
                .Take(query.Limit)
                .ToList();
        }

        // The database has every process; live ones are refreshed from memory (state, CPU, counters).
        var stored = await _store.ListAsync(query, cancellationToken).ConfigureAwait(false);
        return stored.Select(p => _live.TryGetValue(p.Pid, out var live) ? live.Snapshot() : p).ToList();
    }

    public async ValueTask<Result<ProcessInfo>> KillAsync(long pid, string reason, CancellationToken cancellationToken)
    {
        if (_live.TryGetValue(pid, out var process))
        {
            Kill(process, reason);
            return process.Snapshot();
        }

        var ended = await GetAsync(pid, cancellationToken).ConfigureAwait(false);
        return ended is null ? NotFound(pid) : ended;
    }

    public async ValueTask<Result<ProcessInfo>> WaitAsync(long pid, CancellationToken cancellationToken)
    {
        if (_live.TryGetValue(pid, out var process))
        {
            return await process.Ended.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        var ended = await GetAsync(pid, cancellationToken).ConfigureAwait(false);
        return ended is null ? NotFound(pid) : ended;
    }

    public Result<IProcessSession> Attach(long pid) =>
        _live.TryGetValue(pid, out var process) || _recent.TryGetValue(pid, out process)
            ? new ProcessSession(process)
            : NotFound(pid);

    // ------------------------------------------------------------------ used by syscalls

    public KernelProcess? FindLive(long pid) => _live.TryGetValue(pid, out var process) ? process : null;

    /// <summary>Completes with the record of <paramref name="pid"/> when it ends; null if unknown or not the owner's.</summary>
    public Task<ProcessInfo>? WhenEnded(long pid, string owner)
    {
        if (_live.TryGetValue(pid, out var live))
        {
            return live.Owner == owner ? live.Ended : null;
        }

        return _recent.TryGetValue(pid, out var recent) && recent.Owner == owner ? recent.Ended : null;
    }

    public void Enqueue(KernelProcess process, ServiceEvent serviceEvent)
    {
        if (process.HasEnded)
        {
            return;
        }

        process.EnqueueEvent(serviceEvent);
        _dispatcher!.Schedule(process);
    }

    public void Signal(KernelProcess target, int signal, string reason)
    {
        if (signal == Signals.Kill || (signal == Signals.Term && target.Shape == AppShape.Command))
        {
            Kill(target, reason);
        }
        else if (target.Shape == AppShape.Service)
        {
            Enqueue(target, new ServiceEvent(EventKinds.Signal, 0, signal));
        }
    }

    // ------------------------------------------------------------------ running

    private void Kill(KernelProcess process, string reason)
    {
        if (process.RequestKill(reason) && process.Shape == AppShape.Service)
        {
            _dispatcher!.Schedule(process); // an idle service holds no thread: the dispatcher ends it
        }
    }

    private void RunCommand(KernelProcess process)
    {
        GuestExit exit;
        try
        {
            exit = process.Instance!.RunCommand();
        }
#pragma warning disable CA1031 // a failure of one process must never take the node down
        catch (Exception ex)
#pragma warning restore CA1031
        {
            exit = new GuestExit(GuestExitKind.SyscallFault, 0, $"{ex.GetType().Name}: {ex.Message}");
        }

        End(process, exit);
    }

    private void RunService(KernelProcess process)
    {
        try
        {
            if (process.HasEnded)
            {
                return;
            }

            if (process.KillReason is not null)
            {
                End(process, new GuestExit(GuestExitKind.Killed, 0, process.KillReason));
                return;
            }

            var instance = process.Instance!;
            if (process.State == ProcessState.Starting)
            {
                process.State = ProcessState.Running;
                var init = instance.Initialize();
                if (init.Kind != GuestExitKind.Returned || init.Code != 0)
                {
                    End(process, init);
                    return;
                }
            }

            process.State = ProcessState.Running;
            var batch = ServiceDispatcher.BatchFor(process.Limits.Nice);
            for (var i = 0; i < batch && process.TryDequeueEvent(out var e); i++)
            {
                // Delivering a completion or one-shot timer frees its handle; a handle polled or
                // closed meanwhile drops the event.
                if (e.Kind is EventKinds.Completion or EventKinds.Timer && !process.Handles.ConsumeForEvent(e.Handle))
                {
                    continue;
                }

                var exit = instance.DeliverEvent(e.Kind, e.Handle, e.Value);
                if (exit.Kind != GuestExitKind.Returned || exit.Code != 0 || process.KillReason is not null)
                {
                    End(process, exit.Kind == GuestExitKind.Returned ? new GuestExit(GuestExitKind.Exited, exit.Code, null) : exit);
                    return;
                }
            }

            process.State = ProcessState.Idle;
        }
#pragma warning disable CA1031 // a failure of one process must never take the node down
        catch (Exception ex)
#pragma warning restore CA1031
        {
            End(process, new GuestExit(GuestExitKind.SyscallFault, 0, $"{ex.GetType().Name}: {ex.Message}"));
            return;
        }
        finally
        {
            Volatile.Write(ref process.Scheduled, 0);
        }

        if (process.HasEvents || process.KillReason is not null)
        {
            _dispatcher!.Schedule(process);
        }
    }

    private void End(KernelProcess process, GuestExit exit)
    {
        // A normal exit commits what the process wrote and did not close (as an exit flushes a POSIX
        // process's files); a kill or a fault discards it. Either way every buffer is released.
        if (exit.Kind is GuestExitKind.Returned or GuestExitKind.Exited && process.KillReason is null && process.KernelFault is null && !process.HasEnded)
        {
            try
            {
                process.Files.CommitAll();
            }
#pragma warning disable CA1031 // a failed commit at exit loses that file's writes, never the node
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogCommitFailed(_logger, process.Pid, ex.Message);
            }
        }

        if (!process.TryEnd(exit, _time.GetUtcNow()))
        {
            return;
        }

        process.Files.Dispose();

        process.Instance?.Dispose();

        // Into the recent table before leaving the live one: a lookup must always find it in one.
        _recent[process.Pid] = process;
        _recentOrder.Enqueue(process.Pid);
        _live.TryRemove(process.Pid, out _);
        Release(process.Owner);
        while (_recentOrder.Count > RecentCapacity && _recentOrder.TryDequeue(out var old))
        {
            _recent.TryRemove(old, out _);
        }

        var record = process.Snapshot();
        _store.Save(record);
        process.CompleteEnded();
        LogEnded(_logger, process.Pid, record.State, record.ExitCode, record.FaultReason);
    }

    // ------------------------------------------------------------------ validation and quotas

    private GreyError? Validate(SpawnRequest request)
    {
        if (request.ModuleSha256 is not { Length: 64 } hash || hash.AsSpan().ContainsAnyExcept(HexLower))
        {
            return GreyError.Invalid(ErrorCodes.InvalidRequest, "module must be the lower-case hex SHA-256 of an uploaded module");
        }

        if (string.IsNullOrEmpty(request.OwnerUserId))
        {
            return GreyError.Invalid(ErrorCodes.InvalidRequest, "a process needs an owner");
        }

        // Plain loops: this runs on every spawn.
        var bytes = Encoding.UTF8.GetByteCount(request.AppName ?? string.Empty);
        var nul = request.AppName?.Contains('\0', StringComparison.Ordinal) ?? false;
        foreach (var arg in request.Args)
        {
            bytes += Encoding.UTF8.GetByteCount(arg) + 1;
            nul |= arg.Contains('\0', StringComparison.Ordinal);
        }

        foreach (var (key, value) in request.Environment)
        {
            bytes += Encoding.UTF8.GetByteCount(key) + Encoding.UTF8.GetByteCount(value) + 2;
        }

        if (bytes > _options.MaxArgumentBytes)
        {
            return GreyError.Invalid(ErrorCodes.InvalidRequest, $"arguments and environment take {bytes} bytes; the limit is {_options.MaxArgumentBytes}");
        }

        if (nul)
        {
            return GreyError.Invalid(ErrorCodes.InvalidRequest, "arguments must not contain NUL characters");
        }

        if (request.AppId is { } appId && (appId.Length > 128 || !AppIdPattern().IsMatch(appId)))
        {
            return GreyError.Invalid(ErrorCodes.InvalidRequest, $"app id '{appId}' must be reverse-DNS in lower case, e.g. org.example.notes (at most 128 characters)");
        }

        foreach (var (key, value) in request.Environment)
        {
            if (key.Length == 0 || key.Contains('=', StringComparison.Ordinal) || key.Contains('\0', StringComparison.Ordinal) || value.Contains('\0', StringComparison.Ordinal))
            {
                return GreyError.Invalid(ErrorCodes.InvalidRequest, $"environment variable '{key}' is invalid: names must be non-empty without '=' or NUL; values without NUL");
            }
        }

        return null;
    }

    /// <summary>
    /// Granted folders: syntax (VFS path, absolute guest path without <c>.</c>/<c>..</c>, unique), count,
    /// a child never more than its parent, and the owner may access each folder (checked in the VFS, so
    /// a refusal comes before anything runs).
    /// </summary>
    private async ValueTask<GreyError?> ValidateDirectoriesAsync(SpawnRequest request, IReadOnlyList<DirectoryGrant> directories, CancellationToken cancellationToken)
    {
        if (_fileSystem is null)
        {
            return GreyError.Invalid(ErrorCodes.InvalidRequest, "this node has no file system to grant folders from");
        }

        if (request.Files is not { } principal || principal.UserId != request.OwnerUserId || principal.AppId is not null)
        {
            return GreyError.Invalid(ErrorCodes.InvalidRequest, "granting folders needs the owner's file principal");
        }

        if (directories.Count > _options.MaxDirectories)
        {
            return GreyError.Invalid(ErrorCodes.InvalidRequest, $"at most {_options.MaxDirectories} folders may be granted to a process");
        }

        var guests = new HashSet<string>(StringComparer.Ordinal);
        foreach (var grant in directories)
        {
            if (grant.GuestPath is not ['/', ..] || VfsPath.Parse(grant.GuestPath) is not { IsSuccess: true } guest || guest.Value.Value != grant.GuestPath)
            {
                return GreyError.Invalid(ErrorCodes.InvalidPath, $"guest path '{grant.GuestPath}' must be absolute and normalized, without '.' or '..' (e.g. /work)");
            }

            if (!guests.Add(grant.GuestPath))
            {
                return GreyError.Invalid(ErrorCodes.InvalidRequest, $"two folders are granted at the guest path {grant.GuestPath}");
            }
        }

        if (request.ParentPid is { } parentPid)
        {
            var parent = FindLive(parentPid);
            foreach (var grant in directories)
            {
                if (parent is null || !parent.Directories.Any(p => grant.Path.IsSameOrUnder(p.Path) && (grant.ReadOnly || !p.ReadOnly)))
                {
                    return GreyError.Forbidden(ErrorCodes.Forbidden, $"a child gets at most its parent's folders; {grant.Path} is not among them");
                }
            }
        }

        foreach (var grant in directories)
        {
            var stat = await _fileSystem.StatAsync(principal, grant.Path, cancellationToken).ConfigureAwait(false);
            if (!stat.IsSuccess)
            {
                return stat.Error with { Message = $"cannot grant {grant.Path}: {stat.Error.Message}" };
            }

            if (stat.Value.Kind != EntryKind.Folder)
            {
                return GreyError.Invalid(ErrorCodes.NotAFolder, $"cannot grant {grant.Path}: it is a file, not a folder");
            }

            if (!grant.ReadOnly && await _fileSystem.CheckAccessAsync(principal, grant.Path, write: true, cancellationToken).ConfigureAwait(false) is { } readOnly)
            {
                return readOnly with { Message = $"cannot grant {grant.Path} for writing: {readOnly.Message}; grant it read-only (:ro)" };
            }
        }

        return null;
    }

    private Result<ProcessLimits> ResolveLimits(ProcessLimits? requested, int parentNice)
    {
        var limits = new ProcessLimits(
            requested is { MemoryMiB: > 0 } ? requested.MemoryMiB : _options.DefaultMemoryMiB,
            requested is { CpuSeconds: > 0 } ? requested.CpuSeconds : _options.DefaultCpuSeconds,
            requested is { OutputBytes: > 0 } ? requested.OutputBytes : _options.DefaultOutputBytes,
            Math.Max(requested?.Nice ?? 0, parentNice));
        if (requested is not null && (requested.MemoryMiB < 0 || requested.CpuSeconds < 0 || requested.OutputBytes < 0 || double.IsNaN(requested.CpuSeconds)))
        {
            return GreyError.Invalid(ErrorCodes.LimitOutOfRange, "limits must not be negative");
        }

        if (limits.Nice > MaxNice || requested?.Nice < 0)
        {
            return GreyError.Invalid(ErrorCodes.LimitOutOfRange, $"nice must be between 0 (normal priority) and {MaxNice} (lowest); a process cannot raise its priority");
        }

        if (limits.MemoryMiB > _options.MaxMemoryMiB)
        {
            return GreyError.Invalid(ErrorCodes.LimitOutOfRange, $"memory must be between 1 and {_options.MaxMemoryMiB} MiB");
        }

        if (limits.CpuSeconds > _options.MaxCpuSeconds)
        {
            return GreyError.Invalid(ErrorCodes.LimitOutOfRange, $"CPU time must be between 0 and {_options.MaxCpuSeconds} seconds");
        }

        return limits.OutputBytes > _options.MaxOutputBytes
            ? GreyError.Invalid(ErrorCodes.LimitOutOfRange, $"output must be between 1 and {_options.MaxOutputBytes} bytes")
            : limits;
    }

    private bool TryReserve(string owner, out GreyError error)
    {
        lock (_quotaLock)
        {
            var mine = _perUser.GetValueOrDefault(owner);
            if (_live.Count >= _options.MaxProcesses)
            {
                error = GreyError.TooManyRequests(ErrorCodes.ProcessQuota, $"the node runs its maximum of {_options.MaxProcesses} processes");
                return false;
            }

            if (mine >= _options.MaxProcessesPerUser)
            {
                error = GreyError.TooManyRequests(ErrorCodes.ProcessQuota, $"you already run {mine} processes, the most allowed per user");
                return false;
            }

            _perUser[owner] = mine + 1;
            error = null!;
            return true;
        }
    }

    private void Release(string owner)
    {
        lock (_quotaLock)
        {
            var left = _perUser.GetValueOrDefault(owner) - 1;
            if (left <= 0)
            {
                _perUser.TryRemove(owner, out _);
            }
            else
            {
                _perUser[owner] = left;
            }
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex("^[a-z][a-z0-9-]*(\\.[a-z0-9][a-z0-9-]*)+$", System.Text.RegularExpressions.RegexOptions.CultureInvariant)]
    private static partial System.Text.RegularExpressions.Regex AppIdPattern();

    private static GreyError NotFound(long pid) => GreyError.NotFound(ErrorCodes.ProcessNotFound, $"no process {pid}");

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Process {Pid} started: {App} ({Shape}) for {Owner}")]
    private static partial void LogSpawned(ILogger logger, long pid, string app, AppShape shape, string owner);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "Process {Pid} ended: {State} exit={ExitCode} reason={Reason}")]
    private static partial void LogEnded(ILogger logger, long pid, ProcessState state, int? exitCode, string? reason);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Warning, Message = "Process {Pid}: syscall {Syscall} {Verdict} (further denials of it are counted, not logged)")]
    private static partial void LogDenied(ILogger logger, long pid, Syscall syscall, GateVerdict verdict);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Warning, Message = "Process {Pid}: committing its open files at exit failed: {Reason}")]
    private static partial void LogCommitFailed(ILogger logger, long pid, string reason);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Warning, Message = "{Count} processes were running when the node last stopped; marked lost")]
    private static partial void LogMarkedLost(ILogger logger, int count);
}
