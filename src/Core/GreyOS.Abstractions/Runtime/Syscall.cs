namespace GreyOS.Abstractions.Runtime;

/// <summary>
/// Every host function a guest can import, as one dense id space: the syscall gate indexes its
/// capability bitmap and counters by it. Values are internal (not part of the ABI) and may be
/// renumbered; the ABI is named by import names (<c>abi/grey-v1.json</c>).
/// </summary>
public enum Syscall
{
    // grey v1: core
    GreyAbiVersion,
    GreyPoll,
    GreyWait,
    GreyClose,
    GreyRead,

    // grey v1: proc
    ProcSelf,
    ProcSpawn,
    ProcExit,
    ProcSignal,
    ProcWait,

    // grey v1: time, random, log
    TimeNow,
    TimeSleep,
    TimeTimer,
    RandomFill,
    LogWrite,

    // WASI preview1 (the implemented subset)
    WasiArgsGet,
    WasiArgsSizesGet,
    WasiEnvironGet,
    WasiEnvironSizesGet,
    WasiClockResGet,
    WasiClockTimeGet,
    WasiRandomGet,
    WasiFdWrite,
    WasiFdRead,
    WasiFdClose,
    WasiFdSeek,
    WasiFdFdstatGet,
    WasiFdPrestatGet,
    WasiFdPrestatDirName,
    WasiPollOneoff,
    WasiSchedYield,
    WasiProcExit,

    /// <summary>Any other WASI preview1 function: answered ENOSYS (52) until its family exists.</summary>
    WasiUnsupported,

    // WASI preview1: the file system (on the VFS, through the process's preopens)
    WasiFdAdvise,
    WasiFdAllocate,
    WasiFdDatasync,
    WasiFdSync,
    WasiFdFdstatSetFlags,
    WasiFdFilestatGet,
    WasiFdFilestatSetSize,
    WasiFdFilestatSetTimes,
    WasiFdPread,
    WasiFdPwrite,
    WasiFdReaddir,
    WasiFdTell,
    WasiPathCreateDirectory,
    WasiPathFilestatGet,
    WasiPathFilestatSetTimes,
    WasiPathOpen,
    WasiPathRemoveDirectory,
    WasiPathRename,
    WasiPathUnlinkFile,
    WasiPathLink,
    WasiPathSymlink,
    WasiPathReadlink,

    // grey v1: fs
    FsOpen,
    FsRead,
    FsWrite,
    FsSeek,
    FsClose,
    FsStat,
    FsList,
    FsMkdir,
    FsRemove,
    FsRename,

    // grey v1: kv
    KvGet,
    KvSet,
    KvDelete,
    KvList,
}
