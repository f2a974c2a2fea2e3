using System.Collections.Concurrent;
using System.Text;
using System.Threading.Channels;
using GreyOS.Abstractions.FileSystem;
using GreyOS.Abstractions.Processes;
using GreyOS.Abstractions.Runtime;
using GreyOS.Kernel.Files;
using GreyOS.Kernel.Syscalls;

namespace GreyOS.Kernel.Processes;

/// <summary>An event waiting for a service: <c>grey_on_event(kind, handle, value)</c>.</summary>
internal readonly record struct ServiceEvent(int Kind, int Handle, long Value);

/// <summary>Event kinds of ABI grey v1 (abi/grey-v1.json).</summary>
internal static class EventKinds
{
    public const int Completion = 1;
    public const int Timer = 2;
    public const int Signal = 3;
    public const int Message = 4;
}

/// <summary>
/// Everything the kernel keeps about one process: identity, limits, state, standard streams,
/// handles, its syscall gate and its guest instance. Final state is decided exactly once
/// (<see cref="TryEnd"/>).
/// </summary>
#pragma warning disable CA1001 // the kill source lives as long as the record; it holds no timer, so the GC reclaims it
internal sealed class KernelProcess
#pragma warning restore CA1001
{
    private readonly Lock _lock = new();
    private readonly List<Channel<OutputChunk>> _subscribers = [];
    private readonly TaskCompletionSource<ProcessInfo> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _kill = new();
    private readonly IReadOnlyList<string> _args;
    private readonly IReadOnlyDictionary<string, string> _environment;
    private int _ending;
    private EncodedStrings? _argv;
    private EncodedStrings? _environ;

    /// <summary>Events waiting for a service, made with its first event; <see cref="Scheduled"/> is 1 while a dispatcher owns it.</summary>
    private ConcurrentQueue<ServiceEvent>? _events;

    public KernelProcess(
        long pid,
        SpawnRequest request,
        string appName,
        AppShape shape,
        ProcessLimits limits,
        IReadOnlyList<string> capabilities,
        SyscallGate gate,
        KernelOptions options,
        DateTimeOffset startedAt,
        IFileSystem? fileSystem = null,
        string? tempFolder = null)
    {
        Granted = capabilities;
        Directories = request.Directories ?? [];
        FilePrincipal = request.Files;
        AppId = request.AppId;
        KvAppId = request.AppId ?? $"module.{request.ModuleSha256}";
        if (Directories.Count > 0)
        {
            capabilities = [.. capabilities, .. Directories.SelectMany(d => d.ReadOnly ? [$"fs.read {d.Path}"] : new[] { $"fs.read {d.Path}", $"fs.write {d.Path}" })];
        }

        Pid = pid;
        ParentPid = request.ParentPid;
        Owner = request.OwnerUserId;
        AppName = appName;
        ModuleSha256 = request.ModuleSha256;
        Shape = shape;
        Limits = limits;
        Capabilities = capabilities;
        Gate = gate;
        StartedAt = startedAt;
        Stdout = new OutputBuffer(OutputChannel.Stdout, options.OutputRetainedBytes);
        Stderr = new OutputBuffer(OutputChannel.Stderr, options.OutputRetainedBytes);
        Stdin = request.KeepStdinOpen ? new StdinPipe() : StdinPipe.Closed;
        Handles = new HandleTable(options.MaxHandles);
        _args = request.Args;
        _environment = request.Environment;
        Files = new ProcessFiles(fileSystem, request.Files, Directories, options, tempFolder ?? Path.GetTempPath(), _kill.Token);
    }

    public long Pid { get; }

    public long? ParentPid { get; }

    public string Owner { get; }

    public string AppName { get; }

    public string ModuleSha256 { get; }

    public AppShape Shape { get; }

    public ProcessLimits Limits { get; }

    /// <summary>What it was granted, as shown: named capabilities plus <c>fs.read PATH</c>/<c>fs.write PATH</c> per granted folder.</summary>
    public IReadOnlyList<string> Capabilities { get; }

    /// <summary>The named capabilities of the request (a child gets these, never more).</summary>
    public IReadOnlyList<string> Granted { get; }

    /// <summary>The VFS folders granted to it (a child gets these, never more).</summary>
    public IReadOnlyList<DirectoryGrant> Directories { get; }

    /// <summary>The owner as the VFS checks them; null when no folder was granted.</summary>
    public FilePrincipal? FilePrincipal { get; }

    /// <summary>The app id of the request, if any.</summary>
    public string? AppId { get; }

    /// <summary>Names its key-value store: the app id, or <c>module.&lt;sha256&gt;</c> for an ad-hoc module.</summary>
    public string KvAppId { get; }

    /// <summary>Its open files, preopens and write buffers.</summary>
    public ProcessFiles Files { get; }

    public SyscallGate Gate { get; }

    public DateTimeOffset StartedAt { get; }

    public DateTimeOffset? EndedAt { get; private set; }

    public ProcessState State { get; set; } = ProcessState.Starting;

    public int? ExitCode { get; private set; }

    public string? FaultReason { get; private set; }

    public OutputBuffer Stdout { get; }

    public OutputBuffer Stderr { get; }

    public StdinPipe Stdin { get; }

    public HandleTable Handles { get; }

    /// <summary>argv as NUL-terminated strings (WASI layout), laid out on first use (by the process's own thread).</summary>
    public EncodedStrings Argv => _argv ??= Encode([AppName, .. _args]);

    /// <summary>environ as NUL-terminated <c>K=V</c> strings, laid out on first use (by the process's own thread).</summary>
    public EncodedStrings Environ => _environ ??= Encode(_environment.Select(kv => $"{kv.Key}={kv.Value}"));

    public IGuestInstance? Instance { get; set; }

    /// <summary>Whether events wait for this service.</summary>
    public bool HasEvents => Volatile.Read(ref _events) is { IsEmpty: false };

    public int Scheduled;

    /// <summary>Cancelled when the process is killed: wakes syscalls blocked on its behalf.</summary>
    public CancellationToken KillToken => _kill.Token;

    /// <summary>Why it was killed, when it was.</summary>
    public string? KillReason { get; private set; }

    /// <summary>A fault the kernel itself decided (e.g. output limit), reported instead of the runtime's view.</summary>
    public string? KernelFault { get; set; }

    public Task<ProcessInfo> Ended => _ended.Task;

    public bool HasEnded => Volatile.Read(ref _ending) != 0;

    public long OutputTotal => Stdout.Total + Stderr.Total;

    /// <summary>Queues an event for the service (any thread).</summary>
    public void EnqueueEvent(ServiceEvent serviceEvent)
    {
        LazyInitializer.EnsureInitialized(ref _events).Enqueue(serviceEvent);
    }

    /// <summary>Takes the oldest waiting event (the dispatcher that owns the service).</summary>
    public bool TryDequeueEvent(out ServiceEvent serviceEvent)
    {
        if (Volatile.Read(ref _events) is { } events)
        {
            return events.TryDequeue(out serviceEvent);
        }

        serviceEvent = default;
        return false;
    }

    /// <summary>Marks the process killed and interrupts its guest; false if already ended.</summary>
    public bool RequestKill(string reason)
    {
        lock (_lock)
        {
            if (HasEnded || KillReason is not null)
            {
                return !HasEnded;
            }

            KillReason = reason;
        }

        _kill.Cancel();
        Instance?.Kill(reason);
        return true;
    }

    /// <summary>Ends the guest because of <see cref="KernelFault"/> (set first); it traps at its next epoch check.</summary>
    public void RequestFault()
    {
        _kill.Cancel();
        Instance?.Kill(KernelFault ?? "fault");
    }

    /// <summary>Appends output (already quota-checked) and publishes it to attached sessions.</summary>
    public void Write(OutputBuffer buffer, ReadOnlySpan<byte> data)
    {
        // Under the subscription lock: a client attaching between "retained" and "published" would
        // otherwise receive this chunk twice (once in its snapshot, once live).
        lock (_lock)
        {
            buffer.Append(data, Publish);
        }
    }

    public Channel<OutputChunk> Subscribe(out byte[] stdout, out byte[] stderr)
    {
        var channel = Channel.CreateUnbounded<OutputChunk>(new UnboundedChannelOptions { SingleReader = true });
        lock (_lock)
        {
            stdout = Stdout.Snapshot();
            stderr = Stderr.Snapshot();
            if (HasEnded)
            {
                channel.Writer.TryComplete();
            }
            else
            {
                _subscribers.Add(channel);
            }
        }

        return channel;
    }

    public void Unsubscribe(Channel<OutputChunk> channel)
    {
        lock (_lock)
        {
            _subscribers.Remove(channel);
        }
    }

    /// <summary>Decides the final state once; later calls return false.</summary>
    public bool TryEnd(GuestExit exit, DateTimeOffset now)
    {
        if (Interlocked.Exchange(ref _ending, 1) != 0)
        {
            return false;
        }

        (State, ExitCode, FaultReason) = KillReason is not null
            ? (ProcessState.Killed, (int?)null, (string?)KillReason)
            : KernelFault is not null
                ? (ProcessState.Faulted, null, KernelFault)
                : exit.Kind switch
                {
                    GuestExitKind.Returned or GuestExitKind.Exited => (ProcessState.Exited, exit.Code, null),
                    GuestExitKind.Killed => (ProcessState.Killed, null, exit.Reason),
                    _ => (ProcessState.Faulted, null, exit.Reason ?? exit.Kind.ToString()),
                };
        EndedAt = now;
        Handles.CloseAll();
        Stdin.Close();
        lock (_lock)
        {
            foreach (var subscriber in _subscribers)
            {
                subscriber.Writer.TryComplete();
            }

            _subscribers.Clear();
        }

        return true;
    }

    /// <summary>Publishes the final record (after it was persisted) to waiters.</summary>
    public void CompleteEnded() => _ended.TrySetResult(Snapshot());

    public ProcessInfo Snapshot() => new(
        Pid,
        ParentPid,
        Owner,
        AppName,
        ModuleSha256,
        Shape,
        State,
        ExitCode,
        FaultReason,
        Limits,
        Capabilities,
        StartedAt,
        EndedAt,
        Instance?.CpuTime.TotalSeconds ?? 0,
        Gate.Total,
        Gate.Denied);

    private static EncodedStrings Encode(IEnumerable<string> values)
    {
        var offsets = new List<int>();
        var bytes = new List<byte>();
        foreach (var value in values)
        {
            offsets.Add(bytes.Count);
            bytes.AddRange(Encoding.UTF8.GetBytes(value));
            bytes.Add(0);
        }

        return new EncodedStrings([.. offsets], [.. bytes]);
    }

    private void Publish(OutputChunk chunk)
    {
        lock (_lock)
        {
            foreach (var subscriber in _subscribers)
            {
                subscriber.Writer.TryWrite(chunk);
            }
        }
    }
}

/// <summary>Strings laid out for WASI <c>args_get</c>/<c>environ_get</c>: offsets into one NUL-separated blob.</summary>
internal sealed record EncodedStrings(int[] Offsets, byte[] Blob);
