using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Text;
using GreyOS.Abstractions.Runtime;

namespace GreyOS.Runtime.Wasmtime.Tests;

/// <summary>
/// A test <see cref="IGreyAbi"/>: counts every call by import name, captures stdout/stderr written
/// with <c>fd_write</c> and messages of <c>log_write</c>, ends the guest on <c>proc_exit</c>, and
/// answers everything else with 0 (grey) or ENOSYS (WASI). <see cref="OnCall"/> runs first on every
/// call (to throw or block like a failing or slow syscall).
/// </summary>
internal sealed class RecordingAbi : IGreyAbi
{
    public const int WasiEnosys = 52;
    private const int WasiEfault = 21;

    public ConcurrentDictionary<string, int> Calls { get; } = new(StringComparer.Ordinal);

    public StringBuilder Stdout { get; } = new();

    public StringBuilder Stderr { get; } = new();

    public List<string> Logs { get; } = [];

    public List<string> Unsupported { get; } = [];

    public Action<string>? OnCall { get; set; }

    /// <summary>False: proc_exit returns like a buggy implementation would (the runtime must still end the guest).</summary>
    public bool ProcExitThrows { get; set; } = true;

    public int CallCount(string name) => Calls.GetValueOrDefault(name);

    public int GreyAbiVersion() => Record("grey_abi_version", 1);

    public long GreyPoll(int handle)
    {
        Record("grey_poll");
        return (handle * 1000L) + 7; // a recognisable i64 for plumbing tests
    }

    public int GreyWait(IGuestMemory memory, int handlesPtr, int count, long timeoutNs) => Record("grey_wait", GreyErrno.ETIMEDOUT);

    public int GreyClose(int handle) => Record("grey_close", 0);

    public int GreyRead(IGuestMemory memory, int handle, int bufPtr, int bufLen) => Record("grey_read", 0);

    public int ProcSelf(IGuestMemory memory, int infoPtr, int infoLen) => Record("proc_self", 0);

    public int ProcSpawn(IGuestMemory memory, int modulePtr, int moduleLen, int argvPtr, int argvLen, int flags) => Record("proc_spawn", GreyErrno.EACCES);

    public void ProcExit(int code)
    {
        Record("proc_exit");
        if (ProcExitThrows)
        {
            throw new GuestExitException(code);
        }
    }

    public int ProcSignal(long pid, int signal) => Record("proc_signal", GreyErrno.ESRCH);

    public int ProcWait(long pid) => Record("proc_wait", GreyErrno.ESRCH);

    public int TimeNow(IGuestMemory memory, int clock, int outPtr) => Record("time_now", 0);

    public int TimeSleep(long nanoseconds) => Record("time_sleep", 0);

    public int TimeTimer(long delayNs, long periodNs, long tag) => Record("time_timer", 1);

    public int RandomFill(IGuestMemory memory, int bufPtr, int bufLen) => Record("random_fill", 0);

    public int LogWrite(IGuestMemory memory, int level, int msgPtr, int msgLen)
    {
        Record("log_write");
        if (!memory.TryGetSpan(msgPtr, msgLen, out var message))
        {
            return GreyErrno.EFAULT;
        }

        Logs.Add($"{level}:{Encoding.UTF8.GetString(message)}");
        return 0;
    }

    public int WasiArgsGet(IGuestMemory memory, int argvPtr, int argvBufPtr) => Record("args_get", 0);

    public int WasiArgsSizesGet(IGuestMemory memory, int argcPtr, int argvBufSizePtr) => Record("args_sizes_get", 0);

    public int WasiEnvironGet(IGuestMemory memory, int environPtr, int environBufPtr) => Record("environ_get", 0);

    public int WasiEnvironSizesGet(IGuestMemory memory, int countPtr, int bufSizePtr) => Record("environ_sizes_get", 0);

    public int WasiClockResGet(IGuestMemory memory, int clockId, int resolutionPtr) => Record("clock_res_get", 0);

    public int WasiClockTimeGet(IGuestMemory memory, int clockId, long precision, int timePtr) => Record("clock_time_get", 0);

    public int WasiRandomGet(IGuestMemory memory, int bufPtr, int bufLen) => Record("random_get", 0);

    public int WasiFdWrite(IGuestMemory memory, int fd, int iovsPtr, int iovsLen, int nwrittenPtr)
    {
        Record("fd_write");
        var target = fd switch
        {
            1 => Stdout,
            2 => Stderr,
            _ => null,
        };
        if (target is null)
        {
            return 8; // EBADF
        }

        var written = 0;
        for (var i = 0; i < iovsLen; i++)
        {
            if (!memory.TryGetSpan(iovsPtr + (8L * i), 8, out var iov))
            {
                return WasiEfault;
            }

            var ptr = BinaryPrimitives.ReadInt32LittleEndian(iov);
            var len = BinaryPrimitives.ReadInt32LittleEndian(iov[4..]);
            if (!memory.TryGetSpan(ptr, len, out var bytes))
            {
                return WasiEfault;
            }

            target.Append(Encoding.UTF8.GetString(bytes));
            written += len;
        }

        if (!memory.TryGetSpan(nwrittenPtr, 4, out var nwritten))
        {
            return WasiEfault;
        }

        BinaryPrimitives.WriteInt32LittleEndian(nwritten, written);
        return 0;
    }

    public int WasiFdRead(IGuestMemory memory, int fd, int iovsPtr, int iovsLen, int nreadPtr) => Record("fd_read", 0);

    public int WasiFdClose(int fd) => Record("fd_close", 0);

    public int WasiFdSeek(IGuestMemory memory, int fd, long offset, int whence, int newOffsetPtr) => Record("fd_seek", 70);

    public int WasiFdFdstatGet(IGuestMemory memory, int fd, int statPtr) => Record("fd_fdstat_get", 0);

    public int WasiFdPrestatGet(IGuestMemory memory, int fd, int prestatPtr) => Record("fd_prestat_get", 8);

    public int WasiFdPrestatDirName(IGuestMemory memory, int fd, int pathPtr, int pathLen) => Record("fd_prestat_dir_name", 8);

    public int WasiPollOneoff(IGuestMemory memory, int inPtr, int outPtr, int subscriptionCount, int neventsPtr) => Record("poll_oneoff", 0);

    public int WasiSchedYield() => Record("sched_yield", 0);

    public void WasiProcExit(int code)
    {
        Record("proc_exit");
        if (ProcExitThrows)
        {
            throw new GuestExitException(code);
        }
    }

    public int WasiUnsupported(string name)
    {
        Record(name);
        Unsupported.Add(name);
        return WasiEnosys;
    }

    private int Record(string name, int result = 0)
    {
        Calls.AddOrUpdate(name, 1, (_, n) => n + 1);
        OnCall?.Invoke(name);
        return result;
    }
}
