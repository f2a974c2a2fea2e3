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

    // --- WASI preview1: file system (an implementation without files answers ENOSYS) ---
    int WasiFdAdvise(int fd, long offset, long length, int advice) => WasiUnsupported("fd_advise");

    int WasiFdAllocate(int fd, long offset, long length) => WasiUnsupported("fd_allocate");

    int WasiFdDatasync(int fd) => WasiUnsupported("fd_datasync");

    int WasiFdSync(int fd) => WasiUnsupported("fd_sync");

    int WasiFdFdstatSetFlags(int fd, int flags) => WasiUnsupported("fd_fdstat_set_flags");

    int WasiFdFilestatGet(IGuestMemory memory, int fd, int bufPtr) => WasiUnsupported("fd_filestat_get");

    int WasiFdFilestatSetSize(int fd, long size) => WasiUnsupported("fd_filestat_set_size");

    int WasiFdFilestatSetTimes(int fd, long accessTime, long modifyTime, int flags) => WasiUnsupported("fd_filestat_set_times");

    int WasiFdPread(IGuestMemory memory, int fd, int iovsPtr, int iovsLen, long offset, int nreadPtr) => WasiUnsupported("fd_pread");

    int WasiFdPwrite(IGuestMemory memory, int fd, int iovsPtr, int iovsLen, long offset, int nwrittenPtr) => WasiUnsupported("fd_pwrite");

    int WasiFdReaddir(IGuestMemory memory, int fd, int bufPtr, int bufLen, long cookie, int bufUsedPtr) => WasiUnsupported("fd_readdir");

    int WasiFdTell(IGuestMemory memory, int fd, int offsetPtr) => WasiUnsupported("fd_tell");

    int WasiPathCreateDirectory(IGuestMemory memory, int fd, int pathPtr, int pathLen) => WasiUnsupported("path_create_directory");

    int WasiPathFilestatGet(IGuestMemory memory, int fd, int flags, int pathPtr, int pathLen, int bufPtr) => WasiUnsupported("path_filestat_get");

    int WasiPathFilestatSetTimes(IGuestMemory memory, int fd, int flags, int pathPtr, int pathLen, long accessTime, long modifyTime, int fstFlags) =>
        WasiUnsupported("path_filestat_set_times");

    int WasiPathOpen(IGuestMemory memory, int fd, int dirFlags, int pathPtr, int pathLen, int oflags, long rightsBase, long rightsInheriting, int fdFlags, int fdPtr) =>
        WasiUnsupported("path_open");

    int WasiPathRemoveDirectory(IGuestMemory memory, int fd, int pathPtr, int pathLen) => WasiUnsupported("path_remove_directory");

    int WasiPathRename(IGuestMemory memory, int fd, int oldPathPtr, int oldPathLen, int newFd, int newPathPtr, int newPathLen) => WasiUnsupported("path_rename");

    int WasiPathUnlinkFile(IGuestMemory memory, int fd, int pathPtr, int pathLen) => WasiUnsupported("path_unlink_file");

    int WasiPathLink(IGuestMemory memory, int oldFd, int oldFlags, int oldPathPtr, int oldPathLen, int newFd, int newPathPtr, int newPathLen) => WasiUnsupported("path_link");

    int WasiPathSymlink(IGuestMemory memory, int oldPathPtr, int oldPathLen, int fd, int newPathPtr, int newPathLen) => WasiUnsupported("path_symlink");

    int WasiPathReadlink(IGuestMemory memory, int fd, int pathPtr, int pathLen, int bufPtr, int bufLen, int bufUsedPtr) => WasiUnsupported("path_readlink");

    // --- grey v1: fs (an implementation without files answers ENOSYS) ---
    int FsOpen(IGuestMemory memory, int pathPtr, int pathLen, int flags) => GreyErrno.ENOSYS;

    int FsRead(IGuestMemory memory, int handle, int bufPtr, int bufLen) => GreyErrno.ENOSYS;

    int FsWrite(IGuestMemory memory, int handle, int bufPtr, int bufLen) => GreyErrno.ENOSYS;

    long FsSeek(int handle, long offset, int whence) => GreyErrno.ENOSYS;

    int FsClose(int handle) => GreyErrno.ENOSYS;

    int FsStat(IGuestMemory memory, int pathPtr, int pathLen, int statPtr) => GreyErrno.ENOSYS;

    int FsList(IGuestMemory memory, int pathPtr, int pathLen, int start, int bufPtr, int bufLen) => GreyErrno.ENOSYS;

    int FsMkdir(IGuestMemory memory, int pathPtr, int pathLen, int flags) => GreyErrno.ENOSYS;

    int FsRemove(IGuestMemory memory, int pathPtr, int pathLen, int flags) => GreyErrno.ENOSYS;

    int FsRename(IGuestMemory memory, int fromPtr, int fromLen, int toPtr, int toLen, int flags) => GreyErrno.ENOSYS;

    // --- grey v1: kv (an implementation without a store answers ENOSYS) ---
    int KvGet(IGuestMemory memory, int keyPtr, int keyLen, int bufPtr, int bufLen) => GreyErrno.ENOSYS;

    int KvSet(IGuestMemory memory, int keyPtr, int keyLen, int valuePtr, int valueLen) => GreyErrno.ENOSYS;

    int KvDelete(IGuestMemory memory, int keyPtr, int keyLen) => GreyErrno.ENOSYS;

    int KvList(IGuestMemory memory, int prefixPtr, int prefixLen, int afterPtr, int afterLen, int bufPtr, int bufLen) => GreyErrno.ENOSYS;
}
