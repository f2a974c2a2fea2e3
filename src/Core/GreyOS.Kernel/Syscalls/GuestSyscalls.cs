using System.Buffers.Binary;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using GreyOS.Abstractions.Errors;
using GreyOS.Abstractions.KeyValue;
using GreyOS.Abstractions.Processes;
using GreyOS.Abstractions.Runtime;
using GreyOS.Kernel.Files;
using GreyOS.Kernel.Processes;

namespace GreyOS.Kernel.Syscalls;

/// <summary>
/// The host side of ABI grey v1 and WASI preview1 for one process. Every method passes the gate
/// first (<see cref="SyscallGate.Enter"/>): a denial returns an error value, never a trap.
/// </summary>
internal sealed partial class GuestSyscalls(KernelProcess process, ProcessManager kernel, TimeProvider time, KernelOptions options, IKeyValueStore? keyValues) : IGreyAbi
{
    /// <summary>Bytes of <c>struct grey_proc_info</c> (abi/grey.h).</summary>
    public const int ProcInfoSize = 64;

    private const int MaxRandomBytes = 64 * 1024;
    private const int MaxLogBytes = 4 * 1024;
    private const int MaxIovecs = 1024;
    private const int MaxWaitHandles = 1024;
    private const long MaxSleepNs = 365L * 24 * 3600 * 1_000_000_000;

    // WASI preview1 errno values.
    private const int WasiSuccess = 0;
    private const int WasiEAgain = 6;
    private const int WasiEBadf = 8;
    private const int WasiEDquot = 19;
    private const int WasiEFault = 21;
    private const int WasiEInval = 28;
    private const int WasiENosys = 52;
    private const int WasiESpipe = 70;
    private const int WasiENotCapable = 76;

    private static readonly long StartTimestamp = Stopwatch.GetTimestamp();

    // ---------------------------------------------------------------- grey v1: core

    public int GreyAbiVersion() => Grey(Syscall.GreyAbiVersion) is var e and < 0 ? e : 1;

    public long GreyPoll(int handle) => Grey(Syscall.GreyPoll) is var e and < 0 ? e : process.Handles.Poll(handle);

    public int GreyWait(IGuestMemory memory, int handlesPtr, int count, long timeoutNs)
    {
        if (Grey(Syscall.GreyWait) is var e and < 0)
        {
            return e;
        }

        if (count is <= 0 or > MaxWaitHandles)
        {
            return GreyErrno.EINVAL;
        }

        if (!memory.TryGetSpan(handlesPtr, count * 4, out var span))
        {
            return GreyErrno.EFAULT;
        }

        var handles = new int[count];
        for (var i = 0; i < count; i++)
        {
            handles[i] = BinaryPrimitives.ReadInt32LittleEndian(span[(i * 4)..]);
        }

        var deadline = timeoutNs < 0 ? long.MaxValue : Stopwatch.GetTimestamp() + (long)(timeoutNs / 1e9 * Stopwatch.Frequency);
        while (true)
        {
            process.Handles.Completed.Reset();
            var index = process.Handles.FirstCompleted(handles);
            if (index != -1)
            {
                return index;
            }

            var remaining = deadline - Stopwatch.GetTimestamp();
            if (remaining <= 0)
            {
                return GreyErrno.ETIMEDOUT;
            }

            if (process.Shape == AppShape.Service)
            {
                return GreyErrno.EAGAIN; // services never block: completions arrive as events
            }

            var wait = deadline == long.MaxValue ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(Math.Min((double)remaining / Stopwatch.Frequency, int.MaxValue / 1000.0));
            process.Handles.Completed.Wait(wait, process.KillToken);
        }
    }

    public int GreyClose(int handle)
    {
        if (Grey(Syscall.GreyClose) is var e and < 0)
        {
            return e;
        }

        // A file handle is closed like fs_close: its writes are committed first.
        return process.Handles.ResourceOf(handle) is OpenFile ? CloseFileHandle(handle) : process.Handles.Close(handle);
    }

    public int GreyRead(IGuestMemory memory, int handle, int bufPtr, int bufLen)
    {
        if (Grey(Syscall.GreyRead) is var e and < 0)
        {
            return e;
        }

        if (bufLen < 0 || !memory.TryGetSpan(bufPtr, bufLen, out _))
        {
            return GreyErrno.EFAULT;
        }

        // A file handle's payload is the file: grey_read reads it like fs_read. No other v1 operation carries one.
        if (process.Handles.ResourceOf(handle) is OpenFile file)
        {
            return ReadFileHandle(memory, file, bufPtr, bufLen);
        }

        return process.Handles.Contains(handle) ? 0 : GreyErrno.EBADF;
    }

    // ---------------------------------------------------------------- grey v1: proc

    public int ProcSelf(IGuestMemory memory, int infoPtr, int infoLen)
    {
        if (Grey(Syscall.ProcSelf) is var e and < 0)
        {
            return e;
        }

        if (infoLen < 0)
        {
            return GreyErrno.EINVAL;
        }

        // A shorter buffer gets a prefix (fields are only ever appended); 0 just asks for the size.
        var length = Math.Min(infoLen, ProcInfoSize);
        if (!memory.TryGetSpan(infoPtr, length, out var destination))
        {
            return GreyErrno.EFAULT;
        }

        Span<byte> info = stackalloc byte[ProcInfoSize];
        BinaryPrimitives.WriteUInt64LittleEndian(info, (ulong)process.Pid);
        BinaryPrimitives.WriteUInt64LittleEndian(info[8..], (ulong)(process.ParentPid ?? 0));
        BinaryPrimitives.WriteUInt32LittleEndian(info[16..], process.Shape == AppShape.Service ? 1u : 0u);
        BinaryPrimitives.WriteUInt32LittleEndian(info[20..], 0);
        BinaryPrimitives.WriteUInt64LittleEndian(info[24..], (ulong)(process.StartedAt - DateTimeOffset.UnixEpoch).Ticks * 100);
        BinaryPrimitives.WriteUInt64LittleEndian(info[32..], (ulong)process.Limits.MemoryMiB * 1024 * 1024);
        BinaryPrimitives.WriteUInt64LittleEndian(info[40..], (ulong)(process.Limits.CpuSeconds * 1e9));
        BinaryPrimitives.WriteUInt64LittleEndian(info[48..], 0); // no wall-time limit in v1
        BinaryPrimitives.WriteUInt32LittleEndian(info[56..], (uint)options.MaxHandles);
        BinaryPrimitives.WriteUInt32LittleEndian(info[60..], (uint)options.SyscallsPerSecond);
        info[..length].CopyTo(destination);
        return ProcInfoSize;
    }

    public int ProcSpawn(IGuestMemory memory, int modulePtr, int moduleLen, int argvPtr, int argvLen, int flags)
    {
        if (Grey(Syscall.ProcSpawn) is var e and < 0)
        {
            return e;
        }

        if (flags != 0 || moduleLen is <= 0 or > 128 || argvLen < 0 || argvLen > options.MaxArgumentBytes)
        {
            return GreyErrno.EINVAL;
        }

        if (!memory.TryGetSpan(modulePtr, moduleLen, out var moduleSpan) || !memory.TryGetSpan(argvPtr, argvLen, out var argvSpan))
        {
            return GreyErrno.EFAULT;
        }

        var module = Encoding.UTF8.GetString(moduleSpan);
        var args = argvLen == 0 ? [] : Encoding.UTF8.GetString(argvSpan).TrimEnd('\0').Split('\0');
        var operation = process.Handles.Open();
        if (operation is null)
        {
            return GreyErrno.EQUOTA;
        }

        var request = new SpawnRequest(
            module,
            process.Owner,
            args,
            new Dictionary<string, string>(),
            Capabilities: process.Granted,
            ParentPid: process.Pid,
            Directories: process.Directories,
            Files: process.FilePrincipal,
            AppId: process.AppId);
        var result = kernel.SpawnAsync(request, process.KillToken).AsTask().GetAwaiter().GetResult();
        if (!result.IsSuccess)
        {
            process.Handles.Close(operation.Handle);
            return ToErrno(result.Error);
        }

        Complete(operation, result.Value.Pid);
        return operation.Handle;
    }

    public void ProcExit(int code)
    {
        Grey(Syscall.ProcExit);
        throw new GuestExitException(code);
    }

    public int ProcSignal(long pid, int signal)
    {
        if (Grey(Syscall.ProcSignal) is var e and < 0)
        {
            return e;
        }

        if (signal is not (Signals.Term or Signals.Kill or Signals.User))
        {
            return GreyErrno.EINVAL;
        }

        var target = kernel.FindLive(pid);
        if (target is null || target.Owner != process.Owner)
        {
            return GreyErrno.ESRCH;
        }

        kernel.Signal(target, signal, $"signal {signal} from pid {process.Pid}");
        return 0;
    }

    public int ProcWait(long pid)
    {
        if (Grey(Syscall.ProcWait) is var e and < 0)
        {
            return e;
        }

        var ended = kernel.WhenEnded(pid, process.Owner);
        if (ended is null)
        {
            return GreyErrno.ESRCH;
        }

        var operation = process.Handles.Open();
        if (operation is null)
        {
            return GreyErrno.EQUOTA;
        }

        ended.ContinueWith(t => Complete(operation, Status(t.Result)), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return operation.Handle;
    }

    // ---------------------------------------------------------------- grey v1: time, random, log

    public int TimeNow(IGuestMemory memory, int clock, int outPtr)
    {
        if (Grey(Syscall.TimeNow) is var e and < 0)
        {
            return e;
        }

        if (!TryClock(clock, out var nanoseconds))
        {
            return GreyErrno.EINVAL;
        }

        if (!memory.TryGetSpan(outPtr, 8, out var span))
        {
            return GreyErrno.EFAULT;
        }

        BinaryPrimitives.WriteUInt64LittleEndian(span, nanoseconds);
        return 0;
    }

    public int TimeSleep(long nanoseconds)
    {
        if (Grey(Syscall.TimeSleep) is var e and < 0)
        {
            return e;
        }

        return nanoseconds is < 0 or > MaxSleepNs ? GreyErrno.EINVAL : StartTimer(nanoseconds, 0, 0, isTimer: false);
    }

    public int TimeTimer(long delayNs, long periodNs, long tag)
    {
        if (Grey(Syscall.TimeTimer) is var e and < 0)
        {
            return e;
        }

        // Periods under 1 ms would let one process flood the dispatchers.
        return delayNs is < 0 or > MaxSleepNs || periodNs < 0 || (periodNs > 0 && periodNs < 1_000_000) || periodNs > MaxSleepNs
            ? GreyErrno.EINVAL
            : StartTimer(delayNs, periodNs, tag, isTimer: true);
    }

    public int RandomFill(IGuestMemory memory, int bufPtr, int bufLen)
    {
        if (Grey(Syscall.RandomFill) is var e and < 0)
        {
            return e;
        }

        if (bufLen is < 0 or > MaxRandomBytes)
        {
            return GreyErrno.ERANGE;
        }

        if (!memory.TryGetSpan(bufPtr, bufLen, out var span))
        {
            return GreyErrno.EFAULT;
        }

        RandomNumberGenerator.Fill(span);
        return 0;
    }

    public int LogWrite(IGuestMemory memory, int level, int msgPtr, int msgLen)
    {
        if (Grey(Syscall.LogWrite) is var e and < 0)
        {
            return e;
        }

        if (level is < 0 or > 4)
        {
            return GreyErrno.EINVAL;
        }

        if (msgLen is < 0 or > MaxLogBytes)
        {
            return GreyErrno.ERANGE;
        }

        if (!memory.TryGetSpan(msgPtr, msgLen, out var span))
        {
            return GreyErrno.EFAULT;
        }

        ReadOnlySpan<string> prefixes = ["trace: ", "debug: ", "info: ", "warn: ", "error: "];
        var line = new byte[prefixes[level].Length + msgLen + 1];
        Encoding.ASCII.GetBytes(prefixes[level], line);
        span.CopyTo(line.AsSpan(prefixes[level].Length));
        line[^1] = (byte)'\n';
        return TryOutput(process.Stderr, line) ? 0 : GreyErrno.EQUOTA;
    }

    // ---------------------------------------------------------------- WASI preview1

    public int WasiArgsGet(IGuestMemory memory, int argvPtr, int argvBufPtr) =>
        Wasi(Syscall.WasiArgsGet) is var e and > 0 ? e : WriteStrings(memory, process.Argv, argvPtr, argvBufPtr);

    public int WasiArgsSizesGet(IGuestMemory memory, int argcPtr, int argvBufSizePtr) =>
        Wasi(Syscall.WasiArgsSizesGet) is var e and > 0 ? e : WriteSizes(memory, process.Argv, argcPtr, argvBufSizePtr);

    public int WasiEnvironGet(IGuestMemory memory, int environPtr, int environBufPtr) =>
        Wasi(Syscall.WasiEnvironGet) is var e and > 0 ? e : WriteStrings(memory, process.Environ, environPtr, environBufPtr);

    public int WasiEnvironSizesGet(IGuestMemory memory, int countPtr, int bufSizePtr) =>
        Wasi(Syscall.WasiEnvironSizesGet) is var e and > 0 ? e : WriteSizes(memory, process.Environ, countPtr, bufSizePtr);

    public int WasiClockResGet(IGuestMemory memory, int clockId, int resolutionPtr)
    {
        if (Wasi(Syscall.WasiClockResGet) is var e and > 0)
        {
            return e;
        }

        if (clockId is < 0 or > 3)
        {
            return WasiEInval;
        }

        return WriteU64(memory, resolutionPtr, clockId >= 2 ? 10_000_000UL : 1_000UL) ? WasiSuccess : WasiEFault;
    }

    public int WasiClockTimeGet(IGuestMemory memory, int clockId, long precision, int timePtr)
    {
        if (Wasi(Syscall.WasiClockTimeGet) is var e and > 0)
        {
            return e;
        }

        // WASI clock ids: 0 realtime, 1 monotonic, 2 process CPU, 3 thread CPU (= process: one thread).
        if (!TryClock(clockId == 3 ? 2 : clockId, out var nanoseconds))
        {
            return WasiEInval;
        }

        return WriteU64(memory, timePtr, nanoseconds) ? WasiSuccess : WasiEFault;
    }

    public int WasiRandomGet(IGuestMemory memory, int bufPtr, int bufLen)
    {
        if (Wasi(Syscall.WasiRandomGet) is var e and > 0)
        {
            return e;
        }

        if (!memory.TryGetSpan(bufPtr, bufLen, out var span))
        {
            return WasiEFault;
        }

        RandomNumberGenerator.Fill(span);
        return WasiSuccess;
    }

    public int WasiFdWrite(IGuestMemory memory, int fd, int iovsPtr, int iovsLen, int nwrittenPtr)
    {
        if (Wasi(Syscall.WasiFdWrite) is var e and > 0)
        {
            return e;
        }

        if (fd >= ProcessFiles.FirstFd)
        {
            return FileWrite(memory, fd, iovsPtr, iovsLen, null, nwrittenPtr);
        }

        var buffer = fd switch
        {
            1 => process.Stdout,
            2 => process.Stderr,
            _ => null,
        };
        if (buffer is null)
        {
            return WasiEBadf;
        }

        if (iovsLen is < 0 or > MaxIovecs)
        {
            return WasiEInval;
        }

        if (!memory.TryGetSpan(iovsPtr, iovsLen * 8, out var iovs))
        {
            return WasiEFault;
        }

        long written = 0;
        for (var i = 0; i < iovsLen; i++)
        {
            var ptr = BinaryPrimitives.ReadUInt32LittleEndian(iovs[(i * 8)..]);
            var len = BinaryPrimitives.ReadUInt32LittleEndian(iovs[((i * 8) + 4)..]);
            if (len > int.MaxValue || !memory.TryGetSpan(ptr, (int)len, out var data))
            {
                return WasiEFault;
            }

            if (!TryOutput(buffer, data))
            {
                return WasiEDquot;
            }

            written += len;
        }

        return WriteU32(memory, nwrittenPtr, (uint)written) ? WasiSuccess : WasiEFault;
    }

    public int WasiFdRead(IGuestMemory memory, int fd, int iovsPtr, int iovsLen, int nreadPtr)
    {
        if (Wasi(Syscall.WasiFdRead) is var e and > 0)
        {
            return e;
        }

        if (fd >= ProcessFiles.FirstFd)
        {
            return FileRead(memory, fd, iovsPtr, iovsLen, null, nreadPtr);
        }

        if (fd != 0)
        {
            return WasiEBadf;
        }

        if (iovsLen is < 0 or > MaxIovecs)
        {
            return WasiEInval;
        }

        if (!memory.TryGetSpan(iovsPtr, iovsLen * 8, out var iovs))
        {
            return WasiEFault;
        }

        // Read into the first non-empty buffer; one read may return fewer bytes than asked (POSIX semantics).
        var read = 0;
        for (var i = 0; i < iovsLen && read == 0; i++)
        {
            var ptr = BinaryPrimitives.ReadUInt32LittleEndian(iovs[(i * 8)..]);
            var len = BinaryPrimitives.ReadUInt32LittleEndian(iovs[((i * 8) + 4)..]);
            if (len == 0)
            {
                continue;
            }

            if (len > int.MaxValue || !memory.TryGetSpan(ptr, (int)len, out _))
            {
                return WasiEFault;
            }

            if (process.Shape == AppShape.Service)
            {
                break; // services have no stdin: EOF
            }

            var chunk = new byte[Math.Min(len, 64 * 1024)];
            read = process.Stdin.Read(chunk, process.KillToken);

            // Guest memory may have moved while we blocked: look it up again.
            if (!memory.TryGetSpan(ptr, read, out var destination))
            {
                return WasiEFault;
            }

            chunk.AsSpan(0, read).CopyTo(destination);
            break;
        }

        return WriteU32(memory, nreadPtr, (uint)read) ? WasiSuccess : WasiEFault;
    }

    public int WasiFdClose(int fd) =>
        Wasi(Syscall.WasiFdClose) is var e and > 0 ? e
        : fd is >= 0 and <= 2 ? WasiSuccess
        : process.Files.Close(fd) is { } error ? error.Wasi : WasiSuccess;

    public int WasiFdSeek(IGuestMemory memory, int fd, long offset, int whence, int newOffsetPtr) =>
        Wasi(Syscall.WasiFdSeek) is var e and > 0 ? e : fd is >= 0 and <= 2 ? WasiESpipe : FileSeek(memory, fd, offset, whence, newOffsetPtr);

    public int WasiFdFdstatGet(IGuestMemory memory, int fd, int statPtr)
    {
        if (Wasi(Syscall.WasiFdFdstatGet) is var e and > 0)
        {
            return e;
        }

        if (fd >= ProcessFiles.FirstFd)
        {
            return FileFdstat(memory, fd, statPtr);
        }

        if (fd is < 0 or > 2)
        {
            return WasiEBadf;
        }

        if (!memory.TryGetSpan(statPtr, 24, out var span))
        {
            return WasiEFault;
        }

        // fdstat: filetype u8 (2 = character device), flags u16, rights_base u64, rights_inheriting u64.
        span.Clear();
        span[0] = 2;
        BinaryPrimitives.WriteUInt64LittleEndian(span[8..], fd == 0 ? 0x2UL /* fd_read */ : 0x40UL /* fd_write */);
        return WasiSuccess;
    }

    public int WasiFdPrestatGet(IGuestMemory memory, int fd, int prestatPtr) =>
        Wasi(Syscall.WasiFdPrestatGet) is var e and > 0 ? e : Prestat(memory, fd, prestatPtr);

    public int WasiFdPrestatDirName(IGuestMemory memory, int fd, int pathPtr, int pathLen) =>
        Wasi(Syscall.WasiFdPrestatDirName) is var e and > 0 ? e : PrestatDirName(memory, fd, pathPtr, pathLen);

    public int WasiPollOneoff(IGuestMemory memory, int inPtr, int outPtr, int subscriptionCount, int neventsPtr)
    {
        if (Wasi(Syscall.WasiPollOneoff) is var e and > 0)
        {
            return e;
        }

        const int SubscriptionSize = 48;
        const int EventSize = 32;
        if (subscriptionCount is <= 0 or > MaxWaitHandles)
        {
            return WasiEInval;
        }

        if (!memory.TryGetSpan(inPtr, subscriptionCount * SubscriptionSize, out var subscriptions))
        {
            return WasiEFault;
        }

        // Clock subscriptions sleep until the earliest deadline; fd subscriptions (stdio) are always ready.
        var copy = subscriptions.ToArray();
        var delays = new ulong?[subscriptionCount];
        ulong? shortest = null;
        for (var i = 0; i < subscriptionCount; i++)
        {
            var s = copy.AsSpan(i * SubscriptionSize, SubscriptionSize);
            if (s[8] != 0)
            {
                shortest = 0;
                continue;
            }

            var clock = (int)BinaryPrimitives.ReadUInt32LittleEndian(s[16..]);
            var timeout = BinaryPrimitives.ReadUInt64LittleEndian(s[24..]);
            var absolute = (BinaryPrimitives.ReadUInt16LittleEndian(s[40..]) & 1) != 0;
            if (!TryClock(clock == 3 ? 2 : clock, out var now))
            {
                return WasiEInval;
            }

            var delay = absolute ? (timeout > now ? timeout - now : 0) : timeout;
            delays[i] = delay;
            shortest = shortest is null ? delay : Math.Min(shortest.Value, delay);
        }

        if (shortest is > 0 && process.Shape == AppShape.Command)
        {
            var wait = TimeSpan.FromTicks((long)Math.Min(shortest.Value / 100, (ulong)TimeSpan.FromDays(365).Ticks));
            process.KillToken.WaitHandle.WaitOne(wait);
            process.KillToken.ThrowIfCancellationRequested();
        }

        if (!memory.TryGetSpan(outPtr, subscriptionCount * EventSize, out var events))
        {
            return WasiEFault;
        }

        var count = 0;
        for (var i = 0; i < subscriptionCount; i++)
        {
            if (delays[i] is { } delay && delay > (shortest ?? 0))
            {
                continue; // a later clock: not due yet
            }

            var s = copy.AsSpan(i * SubscriptionSize, SubscriptionSize);
            var ev = events.Slice(count * EventSize, EventSize);
            ev.Clear();
            s[..8].CopyTo(ev); // userdata
            ev[10] = s[8]; // event type = subscription tag
            count++;
        }

        return WriteU32(memory, neventsPtr, (uint)count) ? WasiSuccess : WasiEFault;
    }

    public int WasiSchedYield()
    {
        if (Wasi(Syscall.WasiSchedYield) is var e and > 0)
        {
            return e;
        }

        Thread.Yield();
        return WasiSuccess;
    }

    public void WasiProcExit(int code)
    {
        Wasi(Syscall.WasiProcExit);
        throw new GuestExitException(code);
    }

    public int WasiUnsupported(string name) => Wasi(Syscall.WasiUnsupported) is var e and > 0 ? e : WasiENosys;

    // ---------------------------------------------------------------- helpers

    private int Grey(Syscall syscall) => process.Gate.Enter(syscall) switch
    {
        GateVerdict.Allowed => 0,
        GateVerdict.Denied => GreyErrno.EACCES,
        _ => GreyErrno.EQUOTA,
    };

    private int Wasi(Syscall syscall) => process.Gate.Enter(syscall) switch
    {
        GateVerdict.Allowed => WasiSuccess,
        GateVerdict.Denied => WasiENotCapable,
        _ => WasiEAgain,
    };

    private static int ToErrno(GreyError error) => error.Code switch
    {
        ErrorCodes.ModuleNotFound => GreyErrno.ENOENT,
        ErrorCodes.ProcessQuota => GreyErrno.EQUOTA,
        _ => GreyErrno.EINVAL,
    };

    /// <summary>What <c>proc_wait</c> completes with: the exit code as u32, ECANCELED when killed or lost, EIO when faulted.</summary>
    private static long Status(ProcessInfo info) => info.State switch
    {
        ProcessState.Exited => (uint)(info.ExitCode ?? 0),
        ProcessState.Killed or ProcessState.Lost => GreyErrno.ECANCELED,
        _ => GreyErrno.EIO,
    };

    private void Complete(PendingOperation operation, long result)
    {
        if (process.Handles.Complete(operation, result) && process.Shape == AppShape.Service)
        {
            kernel.Enqueue(process, new ServiceEvent(EventKinds.Completion, operation.Handle, result));
        }
    }

    private int StartTimer(long delayNs, long periodNs, long tag, bool isTimer)
    {
        var operation = process.Handles.Open(periodic: isTimer && periodNs > 0);
        if (operation is null)
        {
            return GreyErrno.EQUOTA;
        }

        var due = TimeSpan.FromTicks(delayNs / 100);
        var period = periodNs > 0 ? TimeSpan.FromTicks(periodNs / 100) : Timeout.InfiniteTimeSpan;
        var deadline = time.GetTimestamp() + (long)(delayNs * (time.TimestampFrequency / 1e9));
        operation.Timer = time.CreateTimer(_ => OnTimer(operation, isTimer, tag, periodNs > 0 ? 0 : deadline), null, due, period);
        return operation.Handle;
    }

    /// <summary>A timer fired: completes a sleep, or counts an expiry (and queues a TIMER event for a service).</summary>
    /// <param name="operation">The handle's operation.</param>
    /// <param name="isTimer">time_timer (true) or time_sleep (false).</param>
    /// <param name="tag">The timer's tag, the value of its TIMER events.</param>
    /// <param name="deadline">For one-shots, the monotonic timestamp before which they must not complete (0: periodic).</param>
    private void OnTimer(PendingOperation operation, bool isTimer, long tag, long deadline)
    {
        // System timers count whole milliseconds and may fire up to one early: a sleep must never be
        // shorter than asked on the guest's monotonic clock, so an early one-shot waits out the rest.
        var early = deadline - time.GetTimestamp();
        if (deadline != 0 && early > 0 && operation.Timer is { } timer)
        {
            timer.Change(TimeSpan.FromSeconds((double)early / time.TimestampFrequency) + TimeSpan.FromMilliseconds(1), Timeout.InfiniteTimeSpan);
            return;
        }

        if (!isTimer)
        {
            Complete(operation, 0); // time_sleep
            return;
        }

        if (process.Handles.Expire(operation) && process.Shape == AppShape.Service && process.Handles.TryQueueTimerEvent(operation))
        {
            kernel.Enqueue(process, new ServiceEvent(EventKinds.Timer, operation.Handle, tag));
        }
    }

    private bool TryOutput(OutputBuffer buffer, ReadOnlySpan<byte> data)
    {
        if (process.OutputTotal + data.Length > process.Limits.OutputBytes)
        {
            // Reaching the output limit ends the process: a flood must not just spin on EDQUOT.
            process.KernelFault = $"output limit of {process.Limits.OutputBytes} bytes reached";
            process.RequestFault();
            return false;
        }

        process.Write(buffer, data);
        return true;
    }

    private bool TryClock(int clock, out ulong nanoseconds)
    {
        if (clock is < 0 or > 2)
        {
            nanoseconds = 0;
            return false;
        }

        nanoseconds = Now(clock);
        return true;
    }

    private ulong Now(int clock) => clock switch
    {
        0 => (ulong)(time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks * 100,
        1 => (ulong)((Stopwatch.GetTimestamp() - StartTimestamp) * (1e9 / Stopwatch.Frequency)),
        _ => (ulong)((process.Instance?.CpuTime.Ticks ?? 0) * 100),
    };

    private static int WriteSizes(IGuestMemory memory, EncodedStrings strings, int countPtr, int sizePtr) =>
        WriteU32(memory, countPtr, (uint)strings.Offsets.Length) && WriteU32(memory, sizePtr, (uint)strings.Blob.Length) ? WasiSuccess : WasiEFault;

    private static int WriteStrings(IGuestMemory memory, EncodedStrings strings, int pointersPtr, int bufferPtr)
    {
        if (!memory.TryGetSpan(bufferPtr, strings.Blob.Length, out var buffer) || !memory.TryGetSpan(pointersPtr, strings.Offsets.Length * 4, out var pointers))
        {
            return WasiEFault;
        }

        strings.Blob.CopyTo(buffer);
        for (var i = 0; i < strings.Offsets.Length; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(pointers[(i * 4)..], (uint)(bufferPtr + strings.Offsets[i]));
        }

        return WasiSuccess;
    }

    private static bool WriteU32(IGuestMemory memory, int ptr, uint value)
    {
        if (!memory.TryGetSpan(ptr, 4, out var span))
        {
            return false;
        }

        BinaryPrimitives.WriteUInt32LittleEndian(span, value);
        return true;
    }

    private static bool WriteU64(IGuestMemory memory, int ptr, ulong value)
    {
        if (!memory.TryGetSpan(ptr, 8, out var span))
        {
            return false;
        }

        BinaryPrimitives.WriteUInt64LittleEndian(span, value);
        return true;
    }
}

/// <summary>Signals of ABI grey v1.</summary>
internal static class Signals
{
    public const int Kill = 9;
    public const int User = 10;
    public const int Term = 15;
}
