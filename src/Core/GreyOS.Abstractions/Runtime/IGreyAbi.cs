namespace GreyOS.Abstractions.Runtime;

/// <summary>
/// The host side of ABI <c>grey</c> v1 and of the supported WASI preview1 functions, for one
/// process. The runtime binds each guest import to one method here, passing the raw wasm arguments;
/// the implementation (the kernel) runs the syscall gate first — capability, quota, rate, count —
/// and returns the error value on denial. Results follow the ABI: <c>grey</c> functions return ≥ 0
/// or a <see cref="GreyErrno"/> value; WASI functions return a WASI errno (0 = success).
/// Implementations may throw <see cref="GuestExitException"/> to end the guest with an exit code;
/// any other exception ends the process with a syscall fault.
/// </summary>
public interface IGreyAbi
{
    // --- grey v1: core ---
    int GreyAbiVersion();

    long GreyPoll(int handle);

    int GreyWait(IGuestMemory memory, int handlesPtr, int count, long timeoutNs);

    int GreyClose(int handle);

    int GreyRead(IGuestMemory memory, int handle, int bufPtr, int bufLen);

    // --- grey v1: proc ---
    int ProcSelf(IGuestMemory memory, int infoPtr, int infoLen);

    int ProcSpawn(IGuestMemory memory, int modulePtr, int moduleLen, int argvPtr, int argvLen, int flags);

    void ProcExit(int code);

    int ProcSignal(long pid, int signal);

    int ProcWait(long pid);

    // --- grey v1: time, random, log ---
    int TimeNow(IGuestMemory memory, int clock, int outPtr);

    int TimeSleep(long nanoseconds);

    int TimeTimer(long delayNs, long periodNs, long tag);

    int RandomFill(IGuestMemory memory, int bufPtr, int bufLen);

    int LogWrite(IGuestMemory memory, int level, int msgPtr, int msgLen);

    // --- WASI preview1 ---
    int WasiArgsGet(IGuestMemory memory, int argvPtr, int argvBufPtr);

    int WasiArgsSizesGet(IGuestMemory memory, int argcPtr, int argvBufSizePtr);

    int WasiEnvironGet(IGuestMemory memory, int environPtr, int environBufPtr);

    int WasiEnvironSizesGet(IGuestMemory memory, int countPtr, int bufSizePtr);

    int WasiClockResGet(IGuestMemory memory, int clockId, int resolutionPtr);

    int WasiClockTimeGet(IGuestMemory memory, int clockId, long precision, int timePtr);

    int WasiRandomGet(IGuestMemory memory, int bufPtr, int bufLen);

    int WasiFdWrite(IGuestMemory memory, int fd, int iovsPtr, int iovsLen, int nwrittenPtr);

    int WasiFdRead(IGuestMemory memory, int fd, int iovsPtr, int iovsLen, int nreadPtr);

    int WasiFdClose(int fd);

    int WasiFdSeek(IGuestMemory memory, int fd, long offset, int whence, int newOffsetPtr);

    int WasiFdFdstatGet(IGuestMemory memory, int fd, int statPtr);

    int WasiFdPrestatGet(IGuestMemory memory, int fd, int prestatPtr);

    int WasiFdPrestatDirName(IGuestMemory memory, int fd, int pathPtr, int pathLen);

    int WasiPollOneoff(IGuestMemory memory, int inPtr, int outPtr, int subscriptionCount, int neventsPtr);

    int WasiSchedYield();

    void WasiProcExit(int code);

    /// <summary>Any WASI preview1 function outside the supported subset: counted, then ENOSYS (52).</summary>
    int WasiUnsupported(string name);
}
