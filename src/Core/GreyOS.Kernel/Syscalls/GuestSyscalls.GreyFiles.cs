using System.Buffers.Binary;
using System.Text;
using GreyOS.Abstractions.FileSystem;
using GreyOS.Abstractions.KeyValue;
using GreyOS.Abstractions.Processes;
using GreyOS.Abstractions.Runtime;
using GreyOS.Kernel.Files;

namespace GreyOS.Kernel.Syscalls;

/// <summary>
/// ABI grey v1 families <c>fs</c> and <c>kv</c>. Both are synchronous: local VFS and SQLite I/O
/// completes in micro- to milliseconds, so the call blocks only the calling guest's own thread (a
/// command's thread, or for a service the dispatcher thread delivering its event) — never the node.
/// </summary>
internal sealed partial class GuestSyscalls
{
    /// <summary><c>fs_open</c> flags.</summary>
    private const int FsFlagRead = 1;
    private const int FsFlagWrite = 2;
    private const int FsFlagCreate = 4;
    private const int FsFlagExclusive = 8;
    private const int FsFlagTruncate = 16;
    private const int FsFlagAppend = 32;
    private const int FsStatSize = 32;
    private const int FsListHeader = 16;
    private const int KvListHeader = 4;
    private const int KvListMaxKeys = 1000;

    public int FsOpen(IGuestMemory memory, int pathPtr, int pathLen, int flags)
    {
        if (Grey(Syscall.FsOpen) is var e and < 0)
        {
            return e;
        }

        if ((flags & ~63) != 0 || (flags & (FsFlagRead | FsFlagWrite | FsFlagAppend)) == 0 || ((flags & FsFlagExclusive) != 0 && (flags & FsFlagCreate) == 0))
        {
            return GreyErrno.EINVAL;
        }

        var target = ResolveGuest(memory, Syscall.FsOpen, pathPtr, pathLen, (flags & (FsFlagWrite | FsFlagCreate | FsFlagTruncate | FsFlagAppend)) != 0);
        if (!target.IsSuccess)
        {
            return target.Error!.Value.Grey;
        }

        var file = process.Files.Open(
            target.Value.Path,
            target.Value.Grant,
            (flags & FsFlagRead) != 0,
            (flags & FsFlagWrite) != 0,
            (flags & FsFlagCreate) != 0,
            (flags & FsFlagExclusive) != 0,
            (flags & FsFlagTruncate) != 0,
            (flags & FsFlagAppend) != 0);
        if (!file.IsSuccess)
        {
            return FileFailure(Syscall.FsOpen, file.Error!.Value).Grey;
        }

        var handle = process.Handles.OpenResource(file.Value);
        if (handle is null)
        {
            file.Value.Dispose();
            return GreyErrno.EQUOTA;
        }

        return handle.Handle;
    }

    public int FsRead(IGuestMemory memory, int handle, int bufPtr, int bufLen)
    {
        if (Grey(Syscall.FsRead) is var e and < 0)
        {
            return e;
        }

        return process.Handles.ResourceOf(handle) is OpenFile file ? ReadFileHandle(memory, file, bufPtr, bufLen) : GreyErrno.EBADF;
    }

    public int FsWrite(IGuestMemory memory, int handle, int bufPtr, int bufLen)
    {
        if (Grey(Syscall.FsWrite) is var e and < 0)
        {
            return e;
        }

        if (process.Handles.ResourceOf(handle) is not OpenFile { Writable: true } file)
        {
            return GreyErrno.EBADF;
        }

        if (bufLen < 0 || !memory.TryGetSpan(bufPtr, bufLen, out var data))
        {
            return GreyErrno.EFAULT;
        }

        var written = file.Write(file.Position, data);
        if (!written.IsSuccess)
        {
            return written.Error!.Value.Grey;
        }

        file.Position = written.Value;
        return bufLen;
    }

    public long FsSeek(int handle, long offset, int whence)
    {
        if (Grey(Syscall.FsSeek) is var e and < 0)
        {
            return e;
        }

        if (process.Handles.ResourceOf(handle) is not OpenFile file)
        {
            return GreyErrno.EBADF;
        }

        var position = Seek(file, offset, whence);
        return position.IsSuccess ? position.Value : position.Error!.Value.Grey;
    }

    public int FsClose(int handle) =>
        Grey(Syscall.FsClose) is var e and < 0 ? e : process.Handles.ResourceOf(handle) is OpenFile ? CloseFileHandle(handle) : GreyErrno.EBADF;

    public int FsStat(IGuestMemory memory, int pathPtr, int pathLen, int statPtr)
    {
        if (Grey(Syscall.FsStat) is var e and < 0)
        {
            return e;
        }

        if (!memory.TryGetSpan(statPtr, FsStatSize, out _))
        {
            return GreyErrno.EFAULT;
        }

        var target = ResolveGuest(memory, Syscall.FsStat, pathPtr, pathLen, write: false);
        if (!target.IsSuccess)
        {
            return target.Error!.Value.Grey;
        }

        var stat = ProcessFiles.Wait(process.Files.Files.StatAsync(process.Files.Principal, target.Value.Path, process.KillToken));
        if (!stat.IsSuccess)
        {
            return FileFailure(Syscall.FsStat, FileError.From(stat.Error)).Grey;
        }

        memory.TryGetSpan(statPtr, FsStatSize, out var span);
        span.Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(span, (ulong)stat.Value.Length);
        BinaryPrimitives.WriteUInt64LittleEndian(span[8..], Nanoseconds(stat.Value.ModifiedAt));
        BinaryPrimitives.WriteUInt64LittleEndian(span[16..], Nanoseconds(stat.Value.CreatedAt));
        BinaryPrimitives.WriteUInt32LittleEndian(span[24..], stat.Value.Kind == EntryKind.Folder ? 2u : 1u);
        return 0;
    }

    public int FsList(IGuestMemory memory, int pathPtr, int pathLen, int start, int bufPtr, int bufLen)
    {
        if (Grey(Syscall.FsList) is var e and < 0)
        {
            return e;
        }

        if (start < 0 || bufLen < 0)
        {
            return GreyErrno.EINVAL;
        }

        if (!memory.TryGetSpan(bufPtr, bufLen, out _))
        {
            return GreyErrno.EFAULT;
        }

        var target = ResolveGuest(memory, Syscall.FsList, pathPtr, pathLen, write: false);
        if (!target.IsSuccess)
        {
            return target.Error!.Value.Grey;
        }

        var listing = process.Files.ListAll(target.Value.Path);
        if (!listing.IsSuccess)
        {
            return FileFailure(Syscall.FsList, listing.Error!.Value).Grey;
        }

        // Records: u32 kind (1 file, 2 folder), u32 name_len, u64 size, name bytes; whole records only.
        memory.TryGetSpan(bufPtr, bufLen, out var buffer);
        var used = 0;
        var count = 0;
        for (var i = start; i < listing.Value.Count; i++)
        {
            var entry = listing.Value[i];
            var name = Encoding.UTF8.GetBytes(entry.Name);
            if (used + FsListHeader + name.Length > bufLen)
            {
                return count == 0 ? GreyErrno.ERANGE : count;
            }

            var record = buffer[used..];
            BinaryPrimitives.WriteUInt32LittleEndian(record, entry.Kind == EntryKind.Folder ? 2u : 1u);
            BinaryPrimitives.WriteUInt32LittleEndian(record[4..], (uint)name.Length);
            BinaryPrimitives.WriteUInt64LittleEndian(record[8..], (ulong)entry.Length);
            name.CopyTo(record[FsListHeader..]);
            used += FsListHeader + name.Length;
            count++;
        }

        return count;
    }

    public int FsMkdir(IGuestMemory memory, int pathPtr, int pathLen, int flags)
    {
        if (Grey(Syscall.FsMkdir) is var e and < 0)
        {
            return e;
        }

        if ((flags & ~1) != 0)
        {
            return GreyErrno.EINVAL;
        }

        var target = ResolveGuest(memory, Syscall.FsMkdir, pathPtr, pathLen, write: true);
        if (!target.IsSuccess)
        {
            return target.Error!.Value.Grey;
        }

        var created = ProcessFiles.Wait(process.Files.Files.CreateFolderAsync(process.Files.Principal, target.Value.Path, (flags & 1) != 0, process.KillToken));
        return created.IsSuccess ? 0 : FileFailure(Syscall.FsMkdir, FileError.From(created.Error)).Grey;
    }

    public int FsRemove(IGuestMemory memory, int pathPtr, int pathLen, int flags)
    {
        if (Grey(Syscall.FsRemove) is var e and < 0)
        {
            return e;
        }

        if ((flags & ~1) != 0)
        {
            return GreyErrno.EINVAL;
        }

        var target = ResolveGuest(memory, Syscall.FsRemove, pathPtr, pathLen, write: true);
        if (!target.IsSuccess)
        {
            return target.Error!.Value.Grey;
        }

        if (target.Value.Path == target.Value.Grant.Path)
        {
            return GreyErrno.EINVAL; // the granted folder itself stays
        }

        var deleted = ProcessFiles.Wait(process.Files.Files.DeleteAsync(process.Files.Principal, target.Value.Path, (flags & 1) != 0, null, process.KillToken));
        return deleted.IsSuccess ? 0 : FileFailure(Syscall.FsRemove, FileError.From(deleted.Error)).Grey;
    }

    public int FsRename(IGuestMemory memory, int fromPtr, int fromLen, int toPtr, int toLen, int flags)
    {
        if (Grey(Syscall.FsRename) is var e and < 0)
        {
            return e;
        }

        if ((flags & ~1) != 0)
        {
            return GreyErrno.EINVAL;
        }

        var source = ResolveGuest(memory, Syscall.FsRename, fromPtr, fromLen, write: true);
        if (!source.IsSuccess)
        {
            return source.Error!.Value.Grey;
        }

        var destination = ResolveGuest(memory, Syscall.FsRename, toPtr, toLen, write: true);
        if (!destination.IsSuccess)
        {
            return destination.Error!.Value.Grey;
        }

        if (source.Value.Path == source.Value.Grant.Path || destination.Value.Path == destination.Value.Grant.Path)
        {
            return GreyErrno.EINVAL;
        }

        var moved = ProcessFiles.Wait(process.Files.Files.MoveAsync(process.Files.Principal, source.Value.Path, destination.Value.Path, (flags & 1) != 0, process.KillToken));
        return moved.IsSuccess ? 0 : FileFailure(Syscall.FsRename, FileError.From(moved.Error)).Grey;
    }

    // ---------------------------------------------------------------- kv

    public int KvGet(IGuestMemory memory, int keyPtr, int keyLen, int bufPtr, int bufLen)
    {
        if (Grey(Syscall.KvGet) is var e and < 0)
        {
            return e;
        }

        if (keyValues is null)
        {
            return GreyErrno.ENOSYS;
        }

        if (CheckKey(keyLen) is { } invalid)
        {
            return invalid;
        }

        if (bufLen < 0 || !memory.TryGetSpan(keyPtr, keyLen, out var key) || !memory.TryGetSpan(bufPtr, bufLen, out _))
        {
            return GreyErrno.EFAULT;
        }

        var value = ProcessFiles.Wait(keyValues.GetAsync(KvScope, key.ToArray(), process.KillToken));
        if (!value.IsSuccess)
        {
            return KvError(value.Error);
        }

        if (value.Value is null)
        {
            return GreyErrno.ENOENT;
        }

        memory.TryGetSpan(bufPtr, bufLen, out var destination);
        value.Value.AsSpan(0, Math.Min(bufLen, value.Value.Length)).CopyTo(destination);
        return value.Value.Length;
    }

    public int KvSet(IGuestMemory memory, int keyPtr, int keyLen, int valuePtr, int valueLen)
    {
        if (Grey(Syscall.KvSet) is var e and < 0)
        {
            return e;
        }

        if (keyValues is null)
        {
            return GreyErrno.ENOSYS;
        }

        if (CheckKey(keyLen) is { } invalid)
        {
            return invalid;
        }

        if (valueLen is < 0 or > IKeyValueStore.MaxValueBytes)
        {
            return GreyErrno.ERANGE;
        }

        if (!memory.TryGetSpan(keyPtr, keyLen, out var key) || !memory.TryGetSpan(valuePtr, valueLen, out var value))
        {
            return GreyErrno.EFAULT;
        }

        var stored = ProcessFiles.Wait(keyValues.SetAsync(KvScope, key.ToArray(), value.ToArray(), process.KillToken));
        return stored.IsSuccess ? 0 : KvError(stored.Error);
    }

    public int KvDelete(IGuestMemory memory, int keyPtr, int keyLen)
    {
        if (Grey(Syscall.KvDelete) is var e and < 0)
        {
            return e;
        }

        if (keyValues is null)
        {
            return GreyErrno.ENOSYS;
        }

        if (CheckKey(keyLen) is { } invalid)
        {
            return invalid;
        }

        if (!memory.TryGetSpan(keyPtr, keyLen, out var key))
        {
            return GreyErrno.EFAULT;
        }

        var deleted = ProcessFiles.Wait(keyValues.DeleteAsync(KvScope, key.ToArray(), process.KillToken));
        return !deleted.IsSuccess ? KvError(deleted.Error) : deleted.Value ? 0 : GreyErrno.ENOENT;
    }

    public int KvList(IGuestMemory memory, int prefixPtr, int prefixLen, int afterPtr, int afterLen, int bufPtr, int bufLen)
    {
        if (Grey(Syscall.KvList) is var e and < 0)
        {
            return e;
        }

        if (keyValues is null)
        {
            return GreyErrno.ENOSYS;
        }

        if (prefixLen is < 0 or > IKeyValueStore.MaxKeyBytes || afterLen is < 0 or > IKeyValueStore.MaxKeyBytes)
        {
            return GreyErrno.ERANGE;
        }

        if (bufLen < 0 || !memory.TryGetSpan(prefixPtr, prefixLen, out var prefix) || !memory.TryGetSpan(afterPtr, afterLen, out var after) || !memory.TryGetSpan(bufPtr, bufLen, out _))
        {
            return GreyErrno.EFAULT;
        }

        var page = ProcessFiles.Wait(keyValues.ListAsync(KvScope, prefix.ToArray(), after.ToArray(), Math.Min(KvListMaxKeys, (bufLen / KvListHeader) + 1), process.KillToken));
        if (!page.IsSuccess)
        {
            return KvError(page.Error);
        }

        // Records: u32 key_len, key bytes; whole records only. The next page starts after the last key returned.
        memory.TryGetSpan(bufPtr, bufLen, out var buffer);
        var used = 0;
        var count = 0;
        foreach (var key in page.Value.Keys)
        {
            if (used + KvListHeader + key.Length > bufLen)
            {
                return count == 0 ? GreyErrno.ERANGE : count;
            }

            BinaryPrimitives.WriteUInt32LittleEndian(buffer[used..], (uint)key.Length);
            key.CopyTo(buffer[(used + KvListHeader)..]);
            used += KvListHeader + key.Length;
            count++;
        }

        return count;
    }

    // ---------------------------------------------------------------- helpers

    private KeyValueScope KvScope => new(process.Owner, process.KvAppId);

    private static int? CheckKey(int keyLen) => keyLen switch
    {
        0 => GreyErrno.EINVAL,
        < 0 or > IKeyValueStore.MaxKeyBytes => GreyErrno.ERANGE,
        _ => null,
    };

    private static int KvError(Abstractions.Errors.GreyError error) => error.Code switch
    {
        "quota_exceeded" => GreyErrno.EQUOTA,
        Abstractions.Errors.ErrorCodes.InvalidRequest => GreyErrno.EINVAL,
        _ => GreyErrno.EIO,
    };

    private static int ReadFileHandle(IGuestMemory memory, OpenFile file, int bufPtr, int bufLen)
    {
        if (!file.Readable)
        {
            return GreyErrno.EBADF;
        }

        if (bufLen < 0 || !memory.TryGetSpan(bufPtr, bufLen, out var destination))
        {
            return GreyErrno.EFAULT;
        }

        var read = file.Read(file.Position, destination);
        if (!read.IsSuccess)
        {
            return read.Error!.Value.Grey;
        }

        file.Position += read.Value;
        return read.Value;
    }

    /// <summary>fs_close / grey_close of a file handle: commits, frees the handle either way, returns the commit's error.</summary>
    private int CloseFileHandle(int handle)
    {
        var file = (OpenFile)process.Handles.ResourceOf(handle)!;
        var error = file.Commit();
        file.Dispose();
        process.Handles.Close(handle);
        return error is { } failed ? FileFailure(Syscall.FsClose, failed).Grey : 0;
    }

    private FileResult<(VfsPath Path, DirectoryGrant Grant)> ResolveGuest(IGuestMemory memory, Syscall syscall, int pathPtr, int pathLen, bool write)
    {
        var text = ReadGuestString(memory, pathPtr, pathLen);
        if (!text.IsSuccess)
        {
            return text.Error!.Value;
        }

        var resolved = process.Files.ResolveGuest(text.Value);
        if (!resolved.IsSuccess)
        {
            return FileFailure(syscall, resolved.Error!.Value);
        }

        return write && resolved.Value.Grant.ReadOnly ? FileFailure(syscall, FileError.NotCapable) : resolved;
    }
}
