using GreyOS.Abstractions.Runtime;
using GreyOS.Runtime.Wasmtime.Instances;
using GreyOS.Runtime.Wasmtime.Modules;
using Wasmtime;

namespace GreyOS.Runtime.Wasmtime.Binding;

/// <summary>
/// Builds the one <see cref="Linker"/> of the engine: a typed host function for every import in
/// <see cref="KnownImports"/>. Each stub takes the process's <see cref="StoreState"/> from the caller,
/// calls exactly one <see cref="IGreyAbi"/> method with the raw wasm arguments (plus the cached guest
/// memory where the call reads or writes it), then ends the guest at once if it was killed meanwhile.
/// WASI functions outside the kernel's subset answer through <see cref="IGreyAbi.WasiUnsupported"/>.
/// </summary>
internal static class AbiLinker
{
    public static Linker Create(Engine engine)
    {
        var linker = new Linker(engine);
        try
        {
            DefineGrey(linker);
            DefineWasi(linker);
            return linker;
        }
        catch
        {
            linker.Dispose();
            throw;
        }
    }

    private static StoreState State(Caller caller) => (StoreState)caller.GetData()!;

    private static void DefineGrey(Linker linker)
    {
        const string M = KnownImports.Grey;

        // core
        linker.DefineFunction(M, "grey_abi_version", (Caller c) =>
        {
            var s = State(c);
            return s.Return(s.Abi.GreyAbiVersion());
        });
        linker.DefineFunction(M, "grey_poll", (Caller c, int handle) =>
        {
            var s = State(c);
            return s.Return(s.Abi.GreyPoll(handle));
        });
        linker.DefineFunction(M, "grey_wait", (Caller c, int handlesPtr, int count, long timeoutNs) =>
        {
            var s = State(c);
            return s.Return(s.Abi.GreyWait(s.MemoryFor(c), handlesPtr, count, timeoutNs));
        });
        linker.DefineFunction(M, "grey_close", (Caller c, int handle) =>
        {
            var s = State(c);
            return s.Return(s.Abi.GreyClose(handle));
        });
        linker.DefineFunction(M, "grey_read", (Caller c, int handle, int bufPtr, int bufLen) =>
        {
            var s = State(c);
            return s.Return(s.Abi.GreyRead(s.MemoryFor(c), handle, bufPtr, bufLen));
        });

        // proc
        linker.DefineFunction(M, "proc_self", (Caller c, int infoPtr, int infoLen) =>
        {
            var s = State(c);
            return s.Return(s.Abi.ProcSelf(s.MemoryFor(c), infoPtr, infoLen));
        });
        linker.DefineFunction(M, "proc_spawn", (Caller c, int modulePtr, int moduleLen, int argvPtr, int argvLen, int flags) =>
        {
            var s = State(c);
            return s.Return(s.Abi.ProcSpawn(s.MemoryFor(c), modulePtr, moduleLen, argvPtr, argvLen, flags));
        });
        linker.DefineFunction(M, "proc_exit", (Caller c, int code) =>
        {
            State(c).Abi.ProcExit(code);
            throw new GuestExitException(code); // noreturn, even if the implementation returned
        });
        linker.DefineFunction(M, "proc_signal", (Caller c, long pid, int signal) =>
        {
            var s = State(c);
            return s.Return(s.Abi.ProcSignal(pid, signal));
        });
        linker.DefineFunction(M, "proc_wait", (Caller c, long pid) =>
        {
            var s = State(c);
            return s.Return(s.Abi.ProcWait(pid));
        });

        // time, random, log
        linker.DefineFunction(M, "time_now", (Caller c, int clock, int outPtr) =>
        {
            var s = State(c);
            return s.Return(s.Abi.TimeNow(s.MemoryFor(c), clock, outPtr));
        });
        linker.DefineFunction(M, "time_sleep", (Caller c, long nanoseconds) =>
        {
            var s = State(c);
            return s.Return(s.Abi.TimeSleep(nanoseconds));
        });
        linker.DefineFunction(M, "time_timer", (Caller c, long delayNs, long periodNs, long tag) =>
        {
            var s = State(c);
            return s.Return(s.Abi.TimeTimer(delayNs, periodNs, tag));
        });
        linker.DefineFunction(M, "random_fill", (Caller c, int bufPtr, int bufLen) =>
        {
            var s = State(c);
            return s.Return(s.Abi.RandomFill(s.MemoryFor(c), bufPtr, bufLen));
        });
        linker.DefineFunction(M, "log_write", (Caller c, int level, int msgPtr, int msgLen) =>
        {
            var s = State(c);
            return s.Return(s.Abi.LogWrite(s.MemoryFor(c), level, msgPtr, msgLen));
        });

        // fs
        linker.DefineFunction(M, "fs_open", (Caller c, int pathPtr, int pathLen, int flags) =>
        {
            var s = State(c);
            return s.Return(s.Abi.FsOpen(s.MemoryFor(c), pathPtr, pathLen, flags));
        });
        linker.DefineFunction(M, "fs_read", (Caller c, int handle, int bufPtr, int bufLen) =>
        {
            var s = State(c);
            return s.Return(s.Abi.FsRead(s.MemoryFor(c), handle, bufPtr, bufLen));
        });
        linker.DefineFunction(M, "fs_write", (Caller c, int handle, int bufPtr, int bufLen) =>
        {
            var s = State(c);
            return s.Return(s.Abi.FsWrite(s.MemoryFor(c), handle, bufPtr, bufLen));
        });
        linker.DefineFunction(M, "fs_seek", (Caller c, int handle, long offset, int whence) =>
        {
            var s = State(c);
            return s.Return(s.Abi.FsSeek(handle, offset, whence));
        });
        linker.DefineFunction(M, "fs_close", (Caller c, int handle) =>
        {
            var s = State(c);
            return s.Return(s.Abi.FsClose(handle));
        });
        linker.DefineFunction(M, "fs_stat", (Caller c, int pathPtr, int pathLen, int statPtr) =>
        {
            var s = State(c);
            return s.Return(s.Abi.FsStat(s.MemoryFor(c), pathPtr, pathLen, statPtr));
        });
        linker.DefineFunction(M, "fs_list", (Caller c, int pathPtr, int pathLen, int start, int bufPtr, int bufLen) =>
        {
            var s = State(c);
            return s.Return(s.Abi.FsList(s.MemoryFor(c), pathPtr, pathLen, start, bufPtr, bufLen));
        });
        linker.DefineFunction(M, "fs_mkdir", (Caller c, int pathPtr, int pathLen, int flags) =>
        {
            var s = State(c);
            return s.Return(s.Abi.FsMkdir(s.MemoryFor(c), pathPtr, pathLen, flags));
        });
        linker.DefineFunction(M, "fs_remove", (Caller c, int pathPtr, int pathLen, int flags) =>
        {
            var s = State(c);
            return s.Return(s.Abi.FsRemove(s.MemoryFor(c), pathPtr, pathLen, flags));
        });
        linker.DefineFunction(M, "fs_rename", (Caller c, int fromPtr, int fromLen, int toPtr, int toLen, int flags) =>
        {
            var s = State(c);
            return s.Return(s.Abi.FsRename(s.MemoryFor(c), fromPtr, fromLen, toPtr, toLen, flags));
        });

        // kv
        linker.DefineFunction(M, "kv_get", (Caller c, int keyPtr, int keyLen, int bufPtr, int bufLen) =>
        {
            var s = State(c);
            return s.Return(s.Abi.KvGet(s.MemoryFor(c), keyPtr, keyLen, bufPtr, bufLen));
        });
        linker.DefineFunction(M, "kv_set", (Caller c, int keyPtr, int keyLen, int valuePtr, int valueLen) =>
        {
            var s = State(c);
            return s.Return(s.Abi.KvSet(s.MemoryFor(c), keyPtr, keyLen, valuePtr, valueLen));
        });
        linker.DefineFunction(M, "kv_delete", (Caller c, int keyPtr, int keyLen) =>
        {
            var s = State(c);
            return s.Return(s.Abi.KvDelete(s.MemoryFor(c), keyPtr, keyLen));
        });
        linker.DefineFunction(M, "kv_list", (Caller c, int prefixPtr, int prefixLen, int afterPtr, int afterLen, int bufPtr, int bufLen) =>
        {
            var s = State(c);
            return s.Return(s.Abi.KvList(s.MemoryFor(c), prefixPtr, prefixLen, afterPtr, afterLen, bufPtr, bufLen));
        });
    }

    private static void DefineWasi(Linker linker)
    {
        const string M = KnownImports.WasiPreview1;

        // The kernel's subset.
        linker.DefineFunction(M, "args_get", (Caller c, int argvPtr, int argvBufPtr) =>
        {
            var s = State(c);
            return s.Return(s.Abi.WasiArgsGet(s.MemoryFor(c), argvPtr, argvBufPtr));
        });
        linker.DefineFunction(M, "args_sizes_get", (Caller c, int argcPtr, int argvBufSizePtr) =>
        {
            var s = State(c);
            return s.Return(s.Abi.WasiArgsSizesGet(s.MemoryFor(c), argcPtr, argvBufSizePtr));
        });
        linker.DefineFunction(M, "environ_get", (Caller c, int environPtr, int environBufPtr) =>
        {
            var s = State(c);
            return s.Return(s.Abi.WasiEnvironGet(s.MemoryFor(c), environPtr, environBufPtr));
        });
        linker.DefineFunction(M, "environ_sizes_get", (Caller c, int countPtr, int bufSizePtr) =>
        {
            var s = State(c);
            return s.Return(s.Abi.WasiEnvironSizesGet(s.MemoryFor(c), countPtr, bufSizePtr));
        });
        linker.DefineFunction(M, "clock_res_get", (Caller c, int clockId, int resolutionPtr) =>
        {
            var s = State(c);
            return s.Return(s.Abi.WasiClockResGet(s.MemoryFor(c), clockId, resolutionPtr));
        });
        linker.DefineFunction(M, "clock_time_get", (Caller c, int clockId, long precision, int timePtr) =>
        {
            var s = State(c);
            return s.Return(s.Abi.WasiClockTimeGet(s.MemoryFor(c), clockId, precision, timePtr));
        });
        linker.DefineFunction(M, "random_get", (Caller c, int bufPtr, int bufLen) =>
        {
            var s = State(c);
            return s.Return(s.Abi.WasiRandomGet(s.MemoryFor(c), bufPtr, bufLen));
        });
        linker.DefineFunction(M, "fd_write", (Caller c, int fd, int iovsPtr, int iovsLen, int nwrittenPtr) =>
        {
            var s = State(c);
            return s.Return(s.Abi.WasiFdWrite(s.MemoryFor(c), fd, iovsPtr, iovsLen, nwrittenPtr));
        });
        linker.DefineFunction(M, "fd_read", (Caller c, int fd, int iovsPtr, int iovsLen, int nreadPtr) =>
        {
            var s = State(c);
            return s.Return(s.Abi.WasiFdRead(s.MemoryFor(c), fd, iovsPtr, iovsLen, nreadPtr));
        });
        linker.DefineFunction(M, "fd_close", (Caller c, int fd) =>
        {
            var s = State(c);
            return s.Return(s.Abi.WasiFdClose(fd));
        });
        linker.DefineFunction(M, "fd_seek", (Caller c, int fd, long offset, int whence, int newOffsetPtr) =>
        {
            var s = State(c);
            return s.Return(s.Abi.WasiFdSeek(s.MemoryFor(c), fd, offset, whence, newOffsetPtr));
        });
        linker.DefineFunction(M, "fd_fdstat_get", (Caller c, int fd, int statPtr) =>
        {
            var s = State(c);
            return s.Return(s.Abi.WasiFdFdstatGet(s.MemoryFor(c), fd, statPtr));
        });
        linker.DefineFunction(M, "fd_prestat_get", (Caller c, int fd, int prestatPtr) =>
        {
            var s = State(c);
            return s.Return(s.Abi.WasiFdPrestatGet(s.MemoryFor(c), fd, prestatPtr));
        });
        linker.DefineFunction(M, "fd_prestat_dir_name", (Caller c, int fd, int pathPtr, int pathLen) =>
        {
            var s = State(c);
            return s.Return(s.Abi.WasiFdPrestatDirName(s.MemoryFor(c), fd, pathPtr, pathLen));
        });
        linker.DefineFunction(M, "poll_oneoff", (Caller c, int inPtr, int outPtr, int subscriptionCount, int neventsPtr) =>
        {
            var s = State(c);
            return s.Return(s.Abi.WasiPollOneoff(s.MemoryFor(c), inPtr, outPtr, subscriptionCount, neventsPtr));
        });
        linker.DefineFunction(M, "sched_yield", (Caller c) =>
        {
            var s = State(c);
            return s.Return(s.Abi.WasiSchedYield());
        });
        linker.DefineFunction(M, "proc_exit", (Caller c, int code) =>
        {
            State(c).Abi.WasiProcExit(code);
            throw new GuestExitException(code); // noreturn, even if the implementation returned
        });

        // The file system (the kernel maps it onto the VFS through the process's preopens).
        linker.DefineFunction(M, "fd_advise", (Caller c, int fd, long offset, long len, int advice) =>
        {
            var s = State(c);
            return s.Return(s.Abi.WasiFdAdvise(fd, offset, len, advice));
        });
        linker.DefineFunction(M, "fd_allocate", (Caller c, int fd, long offset, long len) =>
        {
            var s = State(c);
            return s.Return(s.Abi.WasiFdAllocate(fd, offset, len));
        });
        linker.DefineFunction(M, "fd_datasync", (Caller c, int fd) =>
        {
            var s = State(c);
            return s.Return(s.Abi.WasiFdDatasync(fd));
        });
        linker.DefineFunction(M, "fd_sync", (Caller c, int fd) =>
        {
            var s = State(c);
            return s.Return(s.Abi.WasiFdSync(fd));
        });
        linker.DefineFunction(M, "fd_fdstat_set_flags", (Caller c, int fd, int flags) =>
        {
            var s = State(c);
            return s.Return(s.Abi.WasiFdFdstatSetFlags(fd, flags));
        });
        linker.DefineFunction(M, "fd_filestat_get", (Caller c, int fd, int bufPtr) =>
        {
            var s = State(c);
            return s.Return(s.Abi.WasiFdFilestatGet(s.MemoryFor(c), fd, bufPtr));
        });
        linker.DefineFunction(M, "fd_filestat_set_size", (Caller c, int fd, long size) =>
        {
            var s = State(c);
            return s.Return(s.Abi.WasiFdFilestatSetSize(fd, size));
        });
        linker.DefineFunction(M, "fd_filestat_set_times", (Caller c, int fd, long atim, long mtim, int flags) =>
        {
            var s = State(c);
            return s.Return(s.Abi.WasiFdFilestatSetTimes(fd, atim, mtim, flags));
        });
        linker.DefineFunction(M, "fd_pread", (Caller c, int fd, int iovsPtr, int iovsLen, long offset, int nreadPtr) =>
        {
            var s = State(c);
            return s.Return(s.Abi.WasiFdPread(s.MemoryFor(c), fd, iovsPtr, iovsLen, offset, nreadPtr));
        });
        linker.DefineFunction(M, "fd_pwrite", (Caller c, int fd, int iovsPtr, int iovsLen, long offset, int nwrittenPtr) =>
        {
            var s = State(c);
            return s.Return(s.Abi.WasiFdPwrite(s.MemoryFor(c), fd, iovsPtr, iovsLen, offset, nwrittenPtr));
        });
        linker.DefineFunction(M, "fd_readdir", (Caller c, int fd, int bufPtr, int bufLen, long cookie, int bufUsedPtr) =>
        {
            var s = State(c);
            return s.Return(s.Abi.WasiFdReaddir(s.MemoryFor(c), fd, bufPtr, bufLen, cookie, bufUsedPtr));
        });
        linker.DefineFunction(M, "fd_tell", (Caller c, int fd, int offsetPtr) =>
        {
            var s = State(c);
            return s.Return(s.Abi.WasiFdTell(s.MemoryFor(c), fd, offsetPtr));
        });
        linker.DefineFunction(M, "path_create_directory", (Caller c, int fd, int pathPtr, int pathLen) =>
        {
            var s = State(c);
            return s.Return(s.Abi.WasiPathCreateDirectory(s.MemoryFor(c), fd, pathPtr, pathLen));
        });
        linker.DefineFunction(M, "path_filestat_get", (Caller c, int fd, int flags, int pathPtr, int pathLen, int bufPtr) =>
        {
            var s = State(c);
            return s.Return(s.Abi.WasiPathFilestatGet(s.MemoryFor(c), fd, flags, pathPtr, pathLen, bufPtr));
        });
        linker.DefineFunction(
            M,
            "path_filestat_set_times",
            (Caller c, int fd, int flags, int pathPtr, int pathLen, long atim, long mtim, int fstFlags) =>
            {
                var s = State(c);
                return s.Return(s.Abi.WasiPathFilestatSetTimes(s.MemoryFor(c), fd, flags, pathPtr, pathLen, atim, mtim, fstFlags));
            });
        linker.DefineFunction(
            M,
            "path_link",
            (Caller c, int oldFd, int oldFlags, int oldPathPtr, int oldPathLen, int newFd, int newPathPtr, int newPathLen) =>
            {
                var s = State(c);
                return s.Return(s.Abi.WasiPathLink(s.MemoryFor(c), oldFd, oldFlags, oldPathPtr, oldPathLen, newFd, newPathPtr, newPathLen));
            });
        linker.DefineFunction(
            M,
            "path_open",
            (Caller c, int fd, int dirFlags, int pathPtr, int pathLen, int oflags, long rightsBase, long rightsInheriting, int fdFlags, int fdPtr) =>
            {
                var s = State(c);
                return s.Return(s.Abi.WasiPathOpen(s.MemoryFor(c), fd, dirFlags, pathPtr, pathLen, oflags, rightsBase, rightsInheriting, fdFlags, fdPtr));
            });
        linker.DefineFunction(
            M,
            "path_readlink",
            (Caller c, int fd, int pathPtr, int pathLen, int bufPtr, int bufLen, int bufUsedPtr) =>
            {
                var s = State(c);
                return s.Return(s.Abi.WasiPathReadlink(s.MemoryFor(c), fd, pathPtr, pathLen, bufPtr, bufLen, bufUsedPtr));
            });
        linker.DefineFunction(M, "path_remove_directory", (Caller c, int fd, int pathPtr, int pathLen) =>
        {
            var s = State(c);
            return s.Return(s.Abi.WasiPathRemoveDirectory(s.MemoryFor(c), fd, pathPtr, pathLen));
        });
        linker.DefineFunction(
            M,
            "path_rename",
            (Caller c, int fd, int oldPathPtr, int oldPathLen, int newFd, int newPathPtr, int newPathLen) =>
            {
                var s = State(c);
                return s.Return(s.Abi.WasiPathRename(s.MemoryFor(c), fd, oldPathPtr, oldPathLen, newFd, newPathPtr, newPathLen));
            });
        linker.DefineFunction(
            M,
            "path_symlink",
            (Caller c, int oldPathPtr, int oldPathLen, int fd, int newPathPtr, int newPathLen) =>
            {
                var s = State(c);
                return s.Return(s.Abi.WasiPathSymlink(s.MemoryFor(c), oldPathPtr, oldPathLen, fd, newPathPtr, newPathLen));
            });
        linker.DefineFunction(M, "path_unlink_file", (Caller c, int fd, int pathPtr, int pathLen) =>
        {
            var s = State(c);
            return s.Return(s.Abi.WasiPathUnlinkFile(s.MemoryFor(c), fd, pathPtr, pathLen));
        });

        // Everything else in preview1: answered by the kernel's WasiUnsupported (ENOSYS until its family exists).
        linker.DefineFunction(M, "fd_fdstat_set_rights", (Caller c, int fd, long rightsBase, long rightsInheriting) => Unsupported(c, "fd_fdstat_set_rights"));
        linker.DefineFunction(M, "fd_renumber", (Caller c, int fd, int to) => Unsupported(c, "fd_renumber"));
        linker.DefineFunction(M, "proc_raise", (Caller c, int signal) => Unsupported(c, "proc_raise"));
        linker.DefineFunction(M, "sock_accept", (Caller c, int fd, int flags, int fdPtr) => Unsupported(c, "sock_accept"));
        linker.DefineFunction(
            M,
            "sock_recv",
            (Caller c, int fd, int riDataPtr, int riDataLen, int riFlags, int roDataLenPtr, int roFlagsPtr) => Unsupported(c, "sock_recv"));
        linker.DefineFunction(
            M,
            "sock_send",
            (Caller c, int fd, int siDataPtr, int siDataLen, int siFlags, int soDataLenPtr) => Unsupported(c, "sock_send"));
        linker.DefineFunction(M, "sock_shutdown", (Caller c, int fd, int how) => Unsupported(c, "sock_shutdown"));
    }

    private static int Unsupported(Caller caller, string name)
    {
        var s = State(caller);
        return s.Return(s.Abi.WasiUnsupported(name));
    }
}
