using GreyOS.Abstractions.Errors;

namespace GreyOS.Abstractions.Processes;

/// <summary>The kernel's process API: spawn, observe, signal, wait, and talk to processes.</summary>
public interface IProcessManager
{
    /// <summary>Validates the request (module, limits, quotas) and starts the process.</summary>
    ValueTask<Result<ProcessInfo>> SpawnAsync(SpawnRequest request, CancellationToken cancellationToken);

    /// <summary>A process by PID (running or ended), or null.</summary>
    ValueTask<ProcessInfo?> GetAsync(long pid, CancellationToken cancellationToken);

    /// <summary>Processes matching <paramref name="query"/>, newest first.</summary>
    ValueTask<IReadOnlyList<ProcessInfo>> ListAsync(ProcessQuery query, CancellationToken cancellationToken);

    /// <summary>Ends a running process; ending an ended one returns it unchanged.</summary>
    ValueTask<Result<ProcessInfo>> KillAsync(long pid, string reason, CancellationToken cancellationToken);

    /// <summary>Completes when the process has ended.</summary>
    ValueTask<Result<ProcessInfo>> WaitAsync(long pid, CancellationToken cancellationToken);

    /// <summary>
    /// Attaches to a live process: its buffered output so far, then live output until it ends, and
    /// its stdin (when spawned with <see cref="SpawnRequest.KeepStdinOpen"/>).
    /// </summary>
    Result<IProcessSession> Attach(long pid);
}

/// <summary>A client's connection to one process's standard streams.</summary>
public interface IProcessSession : IAsyncDisposable
{
    long Pid { get; }

    /// <summary>The output retained so far (the last bytes of each stream), without waiting for more.</summary>
    (byte[] Stdout, byte[] Stderr) ReadRetained();

    /// <summary>Output: everything buffered so far, then live chunks; ends when the process ends.</summary>
    IAsyncEnumerable<OutputChunk> ReadOutputAsync(CancellationToken cancellationToken);

    /// <summary>Feeds the process's stdin; false once stdin is closed or the process ended.</summary>
    ValueTask<bool> WriteInputAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>Signals EOF on stdin.</summary>
    void CloseInput();
}
