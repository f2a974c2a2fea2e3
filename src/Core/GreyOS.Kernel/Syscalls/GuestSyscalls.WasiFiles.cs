using System.Buffers.Binary;
using System.Text;
using GreyOS.Abstractions.FileSystem;
using GreyOS.Abstractions.Processes;
using GreyOS.Abstractions.Runtime;
using GreyOS.Kernel.Files;

namespace GreyOS.Kernel.Syscalls;

/// <summary>WASI preview1 file-system calls on the VFS, through the process's preopens (<see cref="ProcessFiles"/>).</summary>
internal sealed partial class GuestSyscalls
{
    private const int FiletypeDirectory = 3;
    private const int FiletypeRegularFile = 4;
    private const int FilestatSize = 64;
    private const int DirentSize = 24;
    private const ushort FdflagAppend = 1;
    private const int OflagCreate = 1;
    private const int OflagDirectory = 2;
    private const int OflagExclusive = 4;
    private const int OflagTruncate = 8;

    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    public int WasiFdAdvise(int fd, long offset, long length, int advice)
    {
        if (Wasi(Syscall.WasiFdAdvise) is var e and > 0)
        {
            return e;
        }

        // Advice only: accepted for files, nothing to do.
        return process.Files.Get(fd) is { File: not null } ? (offset < 0 || length < 0 || advice is < 0 or > 5 ? WasiErrno.Inval : WasiSuccess) : WasiEBadf;
    }

    public int WasiFdAllocate(int fd, long offset, long length)
    {
        if (Wasi(Syscall.WasiFdAllocate) is var e and > 0)
        {
            return e;
        }

        if (process.Files.Get(fd) is not { File: { } file })
        {
            return WasiEBadf;
        }

        if (!file.Writable)
        {
            return WasiEBadf;
        }

        if (offset < 0 || length <= 0 || offset > long.MaxValue - length)
        {
            return WasiEInval;
        }

        // posix_fallocate: the file is at least offset+length long afterwards.
        var current = file.Length();
        if (!current.IsSuccess)
        {
            return current.Error!.Value.Wasi;
        }

        return current.Value >= offset + length ? WasiSuccess : file.SetLength(offset + length) is { } error ? error.Wasi : WasiSuccess;
    }

    public int WasiFdDatasync(int fd) => Wasi(Syscall.WasiFdDatasync) is var e and > 0 ? e : Sync(fd);

    public int WasiFdSync(int fd) => Wasi(Syscall.WasiFdSync) is var e and > 0 ? e : Sync(fd);

    public int WasiFdFdstatSetFlags(int fd, int flags)
    {
        if (Wasi(Syscall.WasiFdFdstatSetFlags) is var e and > 0)
        {
            return e;
        }

        if (process.Files.Get(fd) is not { } descriptor)
        {
            return fd is >= 0 and <= 2 ? WasiErrno.Notsup : WasiEBadf;
        }

        if (flags is < 0 or > 31)
        {
            return WasiEInval;
        }

        // APPEND is decided at open (it selects how the buffer commits); the others are advisory here.
        if (((flags ^ descriptor.Flags) & FdflagAppend) != 0)
        {
            return WasiErrno.Notsup;
        }

        descriptor.Flags = (ushort)flags;
        return WasiSuccess;
    }

    public int WasiFdFilestatGet(IGuestMemory memory, int fd, int bufPtr)
    {
        if (Wasi(Syscall.WasiFdFilestatGet) is var e and > 0)
        {
            return e;
        }

        if (!memory.TryGetSpan(bufPtr, FilestatSize, out _))
        {
            return WasiEFault;
        }

        if (fd is >= 0 and <= 2)
        {
            return WriteFilestat(memory, bufPtr, 2, 0, 0, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);
        }

        if (process.Files.Get(fd) is not { } descriptor)
        {
            return WasiEBadf;
        }

        var stat = ProcessFiles.Wait(process.Files.Files.StatAsync(process.Files.Principal, descriptor.Path, process.KillToken));
        if (descriptor.File is { } file)
        {
            // The length this descriptor sees (its pending writes included); times from the VFS.
            var length = file.Length();
            if (!length.IsSuccess)
            {
                return length.Error!.Value.Wasi;
            }

            var (created, modified) = stat.IsSuccess ? (stat.Value.CreatedAt, stat.Value.ModifiedAt) : (process.StartedAt, process.StartedAt);
            return WriteFilestat(memory, bufPtr, FiletypeRegularFile, ProcessFiles.Inode(descriptor.Path), length.Value, modified, created);
        }

        return stat.IsSuccess ? WriteEntryStat(memory, bufPtr, stat.Value) : FileFailure(Syscall.WasiFdFilestatGet, FileError.From(stat.Error)).Wasi;
    }

    public int WasiFdFilestatSetSize(int fd, long size)
    {
        if (Wasi(Syscall.WasiFdFilestatSetSize) is var e and > 0)
        {
            return e;
        }

        if (process.Files.Get(fd) is not { } descriptor)
        {
            return WasiEBadf;
        }

        if (descriptor.File is not { Writable: true } file)
        {
            return descriptor.IsDirectory ? WasiErrno.Isdir : WasiEBadf;
        }

        return size < 0 ? WasiEInval : file.SetLength(size) is { } error ? error.Wasi : WasiSuccess;
    }

    public int WasiFdFilestatSetTimes(int fd, long accessTime, long modifyTime, int flags) =>
        Wasi(Syscall.WasiFdFilestatSetTimes) is var e and > 0 ? e : process.Files.Get(fd) is null ? WasiEBadf : WasiENosys; // the VFS keeps its own times

    public int WasiFdPread(IGuestMemory memory, int fd, int iovsPtr, int iovsLen, long offset, int nreadPtr) =>
        Wasi(Syscall.WasiFdPread) is var e and > 0 ? e
        : fd is >= 0 and <= 2 ? WasiESpipe
        : offset < 0 ? WasiEInval
        : FileRead(memory, fd, iovsPtr, iovsLen, offset, nreadPtr);

    public int WasiFdPwrite(IGuestMemory memory, int fd, int iovsPtr, int iovsLen, long offset, int nwrittenPtr) =>
        Wasi(Syscall.WasiFdPwrite) is var e and > 0 ? e
        : fd is >= 0 and <= 2 ? WasiESpipe
        : offset < 0 ? WasiEInval
        : FileWrite(memory, fd, iovsPtr, iovsLen, offset, nwrittenPtr);

    public int WasiFdReaddir(IGuestMemory memory, int fd, int bufPtr, int bufLen, long cookie, int bufUsedPtr)
    {
        if (Wasi(Syscall.WasiFdReaddir) is var e and > 0)
        {
            return e;
        }

        if (process.Files.Get(fd) is not { } descriptor)
        {
            return WasiEBadf;
        }

        if (!descriptor.IsDirectory)
        {
            return WasiErrno.Notdir;
        }

        if (bufLen < 0 || !memory.TryGetSpan(bufPtr, bufLen, out _) || !memory.TryGetSpan(bufUsedPtr, 4, out _))
        {
            return WasiEFault;
        }

        if (cookie < 0)
        {
            return WasiEInval;
        }

        if (cookie == 0 || descriptor.Listing is null)
        {
            var listing = process.Files.ListAll(descriptor.Path);
            if (!listing.IsSuccess)
            {
                return FileFailure(Syscall.WasiFdReaddir, listing.Error!.Value).Wasi;
            }

            descriptor.Listing = listing.Value;
        }

        // Cookie = index of the next entry: 0 ".", 1 "..", then the folder's entries by name.
        var entries = descriptor.Listing;
        var output = new MemoryStream();
        Span<byte> header = stackalloc byte[DirentSize];
        for (var i = cookie; i < entries.Count + 2 && output.Length < bufLen; i++)
        {
            var (name, type, inode) = i switch
            {
                0 => (".", FiletypeDirectory, ProcessFiles.Inode(descriptor.Path)),
                1 => ("..", FiletypeDirectory, ProcessFiles.Inode(descriptor.Path.Parent)),
                _ => (entries[(int)i - 2].Name, entries[(int)i - 2].Kind == EntryKind.Folder ? FiletypeDirectory : FiletypeRegularFile, ProcessFiles.Inode(entries[(int)i - 2].Path)),
            };
            var nameBytes = Encoding.UTF8.GetBytes(name);
            header.Clear();
            BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)(i + 1));
            BinaryPrimitives.WriteUInt64LittleEndian(header[8..], inode);
            BinaryPrimitives.WriteUInt32LittleEndian(header[16..], (uint)nameBytes.Length);
            header[20] = (byte)type;
            output.Write(header);
            output.Write(nameBytes);
        }

        // A full buffer (bufused == buf_len) tells the caller to come back with the last whole entry's cookie.
        var used = (int)Math.Min(output.Length, bufLen);
        memory.TryGetSpan(bufPtr, used, out var destination);
        output.GetBuffer().AsSpan(0, used).CopyTo(destination);
        return WriteU32(memory, bufUsedPtr, (uint)used) ? WasiSuccess : WasiEFault;
    }

    public int WasiFdTell(IGuestMemory memory, int fd, int offsetPtr)
    {
        if (Wasi(Syscall.WasiFdTell) is var e and > 0)
        {
            return e;
        }

        if (fd is >= 0 and <= 2)
        {
            return WasiESpipe;
        }

        return process.Files.Get(fd) is not { File: { } file } ? WasiEBadf
            : WriteU64(memory, offsetPtr, (ulong)file.Position) ? WasiSuccess : WasiEFault;
    }

    public int WasiPathCreateDirectory(IGuestMemory memory, int fd, int pathPtr, int pathLen)
    {
        if (Wasi(Syscall.WasiPathCreateDirectory) is var e and > 0)
        {
            return e;
        }

        var target = ResolveAt(memory, Syscall.WasiPathCreateDirectory, fd, pathPtr, pathLen, write: true);
        if (!target.IsSuccess)
        {
            return target.Error!.Value.Wasi;
        }

        var created = ProcessFiles.Wait(process.Files.Files.CreateFolderAsync(process.Files.Principal, target.Value.Path, false, process.KillToken));
        return created.IsSuccess ? WasiSuccess : FileFailure(Syscall.WasiPathCreateDirectory, FileError.From(created.Error)).Wasi;
    }

    public int WasiPathFilestatGet(IGuestMemory memory, int fd, int flags, int pathPtr, int pathLen, int bufPtr)
    {
        if (Wasi(Syscall.WasiPathFilestatGet) is var e and > 0)
        {
            return e;
        }

        if (!memory.TryGetSpan(bufPtr, FilestatSize, out _))
        {
            return WasiEFault;
        }

        var target = ResolveAt(memory, Syscall.WasiPathFilestatGet, fd, pathPtr, pathLen, write: false);
        if (!target.IsSuccess)
        {
            return target.Error!.Value.Wasi;
        }

        var stat = ProcessFiles.Wait(process.Files.Files.StatAsync(process.Files.Principal, target.Value.Path, process.KillToken));
        return stat.IsSuccess ? WriteEntryStat(memory, bufPtr, stat.Value) : FileFailure(Syscall.WasiPathFilestatGet, FileError.From(stat.Error)).Wasi;
    }

    public int WasiPathFilestatSetTimes(IGuestMemory memory, int fd, int flags, int pathPtr, int pathLen, long accessTime, long modifyTime, int fstFlags) =>
        Wasi(Syscall.WasiPathFilestatSetTimes) is var e and > 0 ? e : WasiENosys; // the VFS keeps its own times

    public int WasiPathOpen(IGuestMemory memory, int fd, int dirFlags, int pathPtr, int pathLen, int oflags, long rightsBase, long rightsInheriting, int fdFlags, int fdPtr)
    {
        if (Wasi(Syscall.WasiPathOpen) is var e and > 0)
        {
            return e;
        }

        if (!memory.TryGetSpan(fdPtr, 4, out _))
        {
            return WasiEFault;
        }

        if (oflags is < 0 or > 15 || fdFlags is < 0 or > 31)
        {
            return WasiEInval;
        }

        var rights = (ulong)rightsBase;
        var append = (fdFlags & FdflagAppend) != 0;
        var create = (oflags & OflagCreate) != 0;
        var truncate = (oflags & OflagTruncate) != 0;
        var write = (rights & (WasiRights.FdWrite | WasiRights.FdFilestatSetSize | WasiRights.FdAllocate)) != 0;
        var read = (rights & (WasiRights.FdRead | WasiRights.FdReaddir)) != 0;
        var wantsDirectory = (oflags & OflagDirectory) != 0;
        if (wantsDirectory && (create || truncate))
        {
            return WasiEInval;
        }

        var target = ResolveAt(memory, Syscall.WasiPathOpen, fd, pathPtr, pathLen, write: create || truncate || append || (write && !wantsDirectory));
        if (!target.IsSuccess)
        {
            return target.Error!.Value.Wasi;
        }

        var (path, grant) = target.Value;
        int opened;
        if (wantsDirectory || (!create && !truncate && !append && !write))
        {
            // Possibly a folder: folders open without write rights only.
            var stat = ProcessFiles.Wait(process.Files.Files.StatAsync(process.Files.Principal, path, process.KillToken));
            if (!stat.IsSuccess)
            {
                return FileFailure(Syscall.WasiPathOpen, FileError.From(stat.Error)).Wasi;
            }

            if (stat.Value.Kind == EntryKind.Folder)
            {
                var inherit = grant.ReadOnly ? WasiRights.InheritReadOnly : WasiRights.Inherit;
                var folder = process.Files.Add(new Descriptor(path, grant, null)
                {
                    RightsBase = rights & (grant.ReadOnly ? WasiRights.DirectoryReadOnly : WasiRights.Directory),
                    RightsInheriting = (ulong)rightsInheriting & inherit,
                    Flags = (ushort)fdFlags,
                });
                if (!folder.IsSuccess)
                {
                    return folder.Error!.Value.Wasi;
                }

                return WriteU32(memory, fdPtr, (uint)folder.Value) ? WasiSuccess : WasiEFault;
            }

            if (wantsDirectory)
            {
                return WasiErrno.Notdir;
            }
        }

        var file = process.Files.Open(path, grant, read || !write, write, create, (oflags & OflagExclusive) != 0, truncate, append);
        if (!file.IsSuccess)
        {
            return FileFailure(Syscall.WasiPathOpen, file.Error!.Value).Wasi;
        }

        var added = process.Files.Add(new Descriptor(path, grant, file.Value)
        {
            RightsBase = rights & (grant.ReadOnly ? WasiRights.FileReadOnly : WasiRights.File),
            RightsInheriting = 0,
            Flags = (ushort)fdFlags,
        });
        if (!added.IsSuccess)
        {
            file.Value.Dispose();
            return added.Error!.Value.Wasi;
        }

        opened = added.Value;
        return WriteU32(memory, fdPtr, (uint)opened) ? WasiSuccess : WasiEFault;
    }

    public int WasiPathRemoveDirectory(IGuestMemory memory, int fd, int pathPtr, int pathLen)
    {
        if (Wasi(Syscall.WasiPathRemoveDirectory) is var e and > 0)
        {
            return e;
        }

        var target = ResolveAt(memory, Syscall.WasiPathRemoveDirectory, fd, pathPtr, pathLen, write: true);
        if (!target.IsSuccess)
        {
            return target.Error!.Value.Wasi;
        }

        if (target.Value.Path == target.Value.Grant.Path)
        {
            return WasiEInval; // rmdir of the granted folder itself, like rmdir(".")
        }

        var stat = ProcessFiles.Wait(process.Files.Files.StatAsync(process.Files.Principal, target.Value.Path, process.KillToken));
        if (!stat.IsSuccess)
        {
            return FileFailure(Syscall.WasiPathRemoveDirectory, FileError.From(stat.Error)).Wasi;
        }

        if (stat.Value.Kind != EntryKind.Folder)
        {
            return WasiErrno.Notdir;
        }

        var deleted = ProcessFiles.Wait(process.Files.Files.DeleteAsync(process.Files.Principal, target.Value.Path, false, null, process.KillToken));
        return deleted.IsSuccess ? WasiSuccess : FileFailure(Syscall.WasiPathRemoveDirectory, FileError.From(deleted.Error)).Wasi;
    }

    public int WasiPathRename(IGuestMemory memory, int fd, int oldPathPtr, int oldPathLen, int newFd, int newPathPtr, int newPathLen)
    {
        if (Wasi(Syscall.WasiPathRename) is var e and > 0)
        {
            return e;
        }

        var source = ResolveAt(memory, Syscall.WasiPathRename, fd, oldPathPtr, oldPathLen, write: true);
        if (!source.IsSuccess)
        {
            return source.Error!.Value.Wasi;
        }

        var destination = ResolveAt(memory, Syscall.WasiPathRename, newFd, newPathPtr, newPathLen, write: true);
        if (!destination.IsSuccess)
        {
            return destination.Error!.Value.Wasi;
        }

        if (source.Value.Path == source.Value.Grant.Path || destination.Value.Path == destination.Value.Grant.Path)
        {
            return WasiErrno.Perm; // a granted folder itself stays where it is
        }

        var moved = ProcessFiles.Wait(process.Files.Files.MoveAsync(process.Files.Principal, source.Value.Path, destination.Value.Path, true, process.KillToken));
        return moved.IsSuccess ? WasiSuccess : FileFailure(Syscall.WasiPathRename, FileError.From(moved.Error)).Wasi;
    }

    public int WasiPathUnlinkFile(IGuestMemory memory, int fd, int pathPtr, int pathLen)
    {
        if (Wasi(Syscall.WasiPathUnlinkFile) is var e and > 0)
        {
            return e;
        }

        var target = ResolveAt(memory, Syscall.WasiPathUnlinkFile, fd, pathPtr, pathLen, write: true);
        if (!target.IsSuccess)
        {
            return target.Error!.Value.Wasi;
        }

        var stat = ProcessFiles.Wait(process.Files.Files.StatAsync(process.Files.Principal, target.Value.Path, process.KillToken));
        if (!stat.IsSuccess)
        {
            return FileFailure(Syscall.WasiPathUnlinkFile, FileError.From(stat.Error)).Wasi;
        }

        if (stat.Value.Kind == EntryKind.Folder)
        {
            return WasiErrno.Isdir;
        }

        var deleted = ProcessFiles.Wait(process.Files.Files.DeleteAsync(process.Files.Principal, target.Value.Path, false, null, process.KillToken));
        return deleted.IsSuccess ? WasiSuccess : FileFailure(Syscall.WasiPathUnlinkFile, FileError.From(deleted.Error)).Wasi;
    }

    public int WasiPathLink(IGuestMemory memory, int oldFd, int oldFlags, int oldPathPtr, int oldPathLen, int newFd, int newPathPtr, int newPathLen) =>
        Wasi(Syscall.WasiPathLink) is var e and > 0 ? e : WasiErrno.Notsup; // the VFS has no hard links

    public int WasiPathSymlink(IGuestMemory memory, int oldPathPtr, int oldPathLen, int fd, int newPathPtr, int newPathLen) =>
        Wasi(Syscall.WasiPathSymlink) is var e and > 0 ? e : WasiErrno.Notsup; // nor symbolic links

    public int WasiPathReadlink(IGuestMemory memory, int fd, int pathPtr, int pathLen, int bufPtr, int bufLen, int bufUsedPtr)
    {
        if (Wasi(Syscall.WasiPathReadlink) is var e and > 0)
        {
            return e;
        }

        var target = ResolveAt(memory, Syscall.WasiPathReadlink, fd, pathPtr, pathLen, write: false);
        if (!target.IsSuccess)
        {
            return target.Error!.Value.Wasi;
        }

        // Nothing in the VFS is a symbolic link: an existing entry is EINVAL (as readlink on a regular file).
        var stat = ProcessFiles.Wait(process.Files.Files.StatAsync(process.Files.Principal, target.Value.Path, process.KillToken));
        return stat.IsSuccess ? WasiEInval : FileFailure(Syscall.WasiPathReadlink, FileError.From(stat.Error)).Wasi;
    }

    // ---------------------------------------------------------------- helpers used by the stdio calls too

    private int Prestat(IGuestMemory memory, int fd, int prestatPtr)
    {
        if (process.Files.Get(fd) is not { PreopenName: { } name })
        {
            return WasiEBadf;
        }

        if (!memory.TryGetSpan(prestatPtr, 8, out var span))
        {
            return WasiEFault;
        }

        span.Clear(); // tag 0 = directory
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], (uint)Encoding.UTF8.GetByteCount(name));
        return WasiSuccess;
    }

    private int PrestatDirName(IGuestMemory memory, int fd, int pathPtr, int pathLen)
    {
        if (process.Files.Get(fd) is not { PreopenName: { } name })
        {
            return WasiEBadf;
        }

        var bytes = Encoding.UTF8.GetBytes(name);
        if (pathLen < bytes.Length)
        {
            return WasiEInval;
        }

        if (!memory.TryGetSpan(pathPtr, bytes.Length, out var span))
        {
            return WasiEFault;
        }

        bytes.CopyTo(span);
        return WasiSuccess;
    }

    private int FileFdstat(IGuestMemory memory, int fd, int statPtr)
    {
        if (process.Files.Get(fd) is not { } descriptor)
        {
            return WasiEBadf;
        }

        if (!memory.TryGetSpan(statPtr, 24, out var span))
        {
            return WasiEFault;
        }

        span.Clear();
        span[0] = (byte)(descriptor.IsDirectory ? FiletypeDirectory : FiletypeRegularFile);
        BinaryPrimitives.WriteUInt16LittleEndian(span[2..], descriptor.Flags);
        BinaryPrimitives.WriteUInt64LittleEndian(span[8..], descriptor.RightsBase);
        BinaryPrimitives.WriteUInt64LittleEndian(span[16..], descriptor.RightsInheriting);
        return WasiSuccess;
    }

    private int FileSeek(IGuestMemory memory, int fd, long offset, int whence, int newOffsetPtr)
    {
        if (process.Files.Get(fd) is not { } descriptor)
        {
            return WasiEBadf;
        }

        if (descriptor.File is not { } file)
        {
            return WasiEBadf;
        }

        if (!memory.TryGetSpan(newOffsetPtr, 8, out _))
        {
            return WasiEFault;
        }

        var position = Seek(file, offset, whence);
        if (!position.IsSuccess)
        {
            return position.Error!.Value.Wasi;
        }

        return WriteU64(memory, newOffsetPtr, (ulong)position.Value) ? WasiSuccess : WasiEFault;
    }

    /// <summary>Moves a file's position (SET 0, CUR 1, END 2); a negative result is EINVAL.</summary>
    private static FileResult<long> Seek(OpenFile file, long offset, int whence)
    {
        long origin;
        switch (whence)
        {
            case 0:
                origin = 0;
                break;
            case 1:
                origin = file.Position;
                break;
            case 2:
                var length = file.Length();
                if (!length.IsSuccess)
                {
                    return length.Error!.Value;
                }

                origin = length.Value;
                break;
            default:
                return FileError.Invalid;
        }

        if ((offset > 0 && origin > long.MaxValue - offset) || origin + offset < 0)
        {
            return FileError.Invalid;
        }

        file.Position = origin + offset;
        return file.Position;
    }

    private int FileRead(IGuestMemory memory, int fd, int iovsPtr, int iovsLen, long? at, int nreadPtr) =>
        FileTransfer(memory, fd, iovsPtr, iovsLen, at, nreadPtr, write: false);

    private int FileWrite(IGuestMemory memory, int fd, int iovsPtr, int iovsLen, long? at, int nwrittenPtr) =>
        FileTransfer(memory, fd, iovsPtr, iovsLen, at, nwrittenPtr, write: true);

    /// <summary>
    /// fd_read / fd_write and their positioned forms: one iovec after the other, from the file's
    /// position (or from <paramref name="at"/>, which leaves the position alone). A read stops at the
    /// first short iovec; a write that fails after some bytes were accepted reports the short count.
    /// </summary>
    private int FileTransfer(IGuestMemory memory, int fd, int iovsPtr, int iovsLen, long? at, int countPtr, bool write)
    {
        if (process.Files.Get(fd) is not { } descriptor)
        {
            return WasiEBadf;
        }

        if (descriptor.File is not { } file)
        {
            return WasiErrno.Isdir;
        }

        if (!(write ? file.Writable : file.Readable))
        {
            return WasiEBadf;
        }

        if (iovsLen is < 0 or > MaxIovecs)
        {
            return WasiEInval;
        }

        if (!memory.TryGetSpan(iovsPtr, iovsLen * 8, out var iovs) || !memory.TryGetSpan(countPtr, 4, out _))
        {
            return WasiEFault;
        }

        var iovecs = iovs.ToArray();
        var position = at ?? file.Position;
        long total = 0;
        for (var i = 0; i < iovsLen; i++)
        {
            var ptr = BinaryPrimitives.ReadUInt32LittleEndian(iovecs.AsSpan(i * 8));
            var len = BinaryPrimitives.ReadUInt32LittleEndian(iovecs.AsSpan((i * 8) + 4));
            if (len > int.MaxValue || !memory.TryGetSpan(ptr, (int)len, out var buffer))
            {
                return WasiEFault;
            }

            if (write)
            {
                var written = file.Write(position, buffer);
                if (!written.IsSuccess)
                {
                    if (total > 0)
                    {
                        break; // a short write: report what was accepted
                    }

                    return written.Error!.Value.Wasi;
                }

                position = written.Value;
                total += len;
                continue;
            }

            var read = file.Read(position, buffer);
            if (!read.IsSuccess)
            {
                return FileFailure(Syscall.WasiFdRead, read.Error!.Value).Wasi;
            }

            position += read.Value;
            total += read.Value;
            if (read.Value < len)
            {
                break;
            }
        }

        if (at is null)
        {
            file.Position = position;
        }

        return WriteU32(memory, countPtr, (uint)total) ? WasiSuccess : WasiEFault;
    }

    private int Sync(int fd)
    {
        if (fd is >= 0 and <= 2)
        {
            return WasiSuccess;
        }

        if (process.Files.Get(fd) is not { } descriptor)
        {
            return WasiEBadf;
        }

        return descriptor.File?.Commit() is { } error ? FileFailure(Syscall.WasiFdSync, error).Wasi : WasiSuccess;
    }

    /// <summary>Reads a guest path (strict UTF-8) and resolves it against a folder descriptor, checking the grant.</summary>
    private FileResult<(VfsPath Path, DirectoryGrant Grant)> ResolveAt(IGuestMemory memory, Syscall syscall, int fd, int pathPtr, int pathLen, bool write)
    {
        if (process.Files.Get(fd) is not { } folder)
        {
            return FileError.BadDescriptor;
        }

        if (!folder.IsDirectory)
        {
            return FileError.NotDirectory;
        }

        var text = ReadGuestString(memory, pathPtr, pathLen);
        if (!text.IsSuccess)
        {
            return text.Error!.Value;
        }

        var resolved = ProcessFiles.Resolve(folder, text.Value);
        if (!resolved.IsSuccess)
        {
            return FileFailure(syscall, resolved.Error!.Value);
        }

        if (write && folder.Grant.ReadOnly)
        {
            return FileFailure(syscall, FileError.NotCapable);
        }

        return (resolved.Value, folder.Grant);
    }

    /// <summary>A guest string of at most one VFS path's length; EFAULT out of bounds, EINVAL when not UTF-8.</summary>
    private static FileResult<string> ReadGuestString(IGuestMemory memory, int ptr, int len)
    {
        if (len < 0 || len > VfsPath.MaxTextLength)
        {
            return FileError.Invalid;
        }

        if (!memory.TryGetSpan(ptr, len, out var span))
        {
            return new FileError(WasiEFault, GreyErrno.EFAULT);
        }

        try
        {
            return StrictUtf8.GetString(span);
        }
        catch (DecoderFallbackException)
        {
            return FileError.Invalid;
        }
    }

    /// <summary>Counts and audits a refusal by the grants (NOTCAPABLE) or the VFS (forbidden), then returns it.</summary>
    private FileError FileFailure(Syscall syscall, FileError error)
    {
        if (error == FileError.NotCapable || error == FileError.Forbidden)
        {
            process.Gate.DenyResource(syscall);
        }

        return error;
    }

    private static int WriteEntryStat(IGuestMemory memory, int ptr, FileEntry entry) =>
        WriteFilestat(memory, ptr, entry.Kind == EntryKind.Folder ? FiletypeDirectory : FiletypeRegularFile, ProcessFiles.Inode(entry.Path), entry.Length, entry.ModifiedAt, entry.CreatedAt);

    private static int WriteFilestat(IGuestMemory memory, int ptr, int filetype, ulong inode, long size, DateTimeOffset modified, DateTimeOffset created)
    {
        if (!memory.TryGetSpan(ptr, FilestatSize, out var span))
        {
            return WasiEFault;
        }

        // filestat: dev u64, ino u64, filetype u8 (+7), nlink u64, size u64, atim u64, mtim u64, ctim u64.
        span.Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(span[8..], inode);
        span[16] = (byte)filetype;
        BinaryPrimitives.WriteUInt64LittleEndian(span[24..], 1);
        BinaryPrimitives.WriteUInt64LittleEndian(span[32..], (ulong)size);
        BinaryPrimitives.WriteUInt64LittleEndian(span[40..], Nanoseconds(modified));
        BinaryPrimitives.WriteUInt64LittleEndian(span[48..], Nanoseconds(modified));
        BinaryPrimitives.WriteUInt64LittleEndian(span[56..], Nanoseconds(created));
        return WasiSuccess;
    }

    private static ulong Nanoseconds(DateTimeOffset time) => time <= DateTimeOffset.UnixEpoch ? 0 : (ulong)(time - DateTimeOffset.UnixEpoch).Ticks * 100;
}
