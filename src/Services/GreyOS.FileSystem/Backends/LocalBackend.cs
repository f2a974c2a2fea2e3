using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using GreyOS.Abstractions.Errors;
using GreyOS.Abstractions.FileSystem;
using GreyOS.FileSystem.Content;
using Microsoft.Win32.SafeHandles;

namespace GreyOS.FileSystem.Backends;

/// <summary>
/// A host folder mounted into the VFS (design 0004, decision 3): an admin mounts, say,
/// <c>/srv/projects</c> for a group. A <see cref="VfsPath"/> maps to the host path by joining its
/// segments under the root (<see cref="VfsPath"/> has already refused <c>..</c>, <c>.</c>, <c>\</c>,
/// NUL and control characters; names a Windows host cannot hold, such as <c>a:b</c>, are refused too).
/// </summary>
/// <remarks>
/// <para>
/// <b>Symbolic links are never followed.</b> Every component under the root is checked with
/// <c>lstat</c> (<see cref="FileSystemInfo.Attributes"/>: <see cref="FileAttributes.ReparsePoint"/>)
/// before it is used; a symbolic link (or any reparse point) as a parent or as the entry itself is
/// refused with <c>invalid_path</c> (<see cref="StatAsync"/>, which has no error channel, answers
/// null). Listings and folder copies skip links; a recursive delete unlinks them without touching
/// what they point to. The root's own ancestors are the admin's business and may be links.
/// The check and the use are separate system calls (.NET has no <c>openat(O_NOFOLLOW)</c> walk): a
/// local user who can write inside the mounted folder could swap a checked folder for a link in
/// between. An admin-mounted folder is trusted not to be changed under the node by other local users;
/// mount only folders that only the node's account (and the admin) can write.
/// </para>
/// <para>
/// <b>Writes are atomic.</b> Content streams into a hidden temp file in the destination folder
/// (<see cref="TempPrefix"/> + a GUID; such names are refused for users and never listed), is
/// flushed to disk, renamed onto the target in one <c>rename(2)</c> and the folder is flushed
/// (<see cref="DirectorySync"/>). A refused or failed write (too long, wrong length, input stream
/// failure, cancellation) deletes the temp file and leaves the old content; a crash leaves the old
/// content plus, at worst, an invisible temp file. A reader keeps the version it opened (the rename
/// swaps inodes; open handles keep the old one). A replaced file keeps its Unix permissions.
/// <c>CreateOnly</c> (like a move or copy onto a name that is free) renames with
/// <c>renameat2(RENAME_NOREPLACE)</c> on Linux, so it never replaces what any process created
/// meanwhile; where that is unavailable (other systems, file systems without it) the existence check
/// and the rename run under a process-wide lock (race-free within the node).
/// </para>
/// <para>
/// <b>ETags</b> are <c>"&lt;length&gt;-&lt;mtime ticks&gt;"</c> (hex) for files and
/// <c>"d&lt;birth time ticks&gt;"</c> for folders. Every file this backend writes or copies gets an
/// explicit modification time that is strictly later than any other it stamped in this process and
/// than the file it replaces (on file systems with coarse timestamps, bumped by whole seconds past the
/// replaced file's), so the ETag changes whenever content changes through this backend; equal bytes
/// do not share an ETag.
/// (.NET exposes no inode number, so it is not part of the ETag.) Changes made on the host behind the
/// node's back change the ETag only as far as they change the length or the modification time.
/// <c>IfMatch</c> (and the base of an <c>Append</c>) is checked before the content is read and again,
/// under the process-wide lock, right before the final rename: no writer of this process can slip
/// in between; a host process could, in the instant between that check and the rename.
/// </para>
/// <para>
/// <b>Moves</b> are one <c>rename(2)</c> (atomic; within one host file system: a file system mounted
/// inside the root cannot be moved across). Replacing a file by a file is one rename too; replacing an
/// empty folder, or a file by a folder and back, renames the old entry aside first (two renames: a
/// crash in between leaves the destination missing and the old entry hidden). <b>Copies</b> build the
/// new file or subtree under a hidden temp name in the destination folder, flushed to disk, and rename
/// it into place, so the copy appears whole or not at all; a failed copy removes what it created. The
/// copy is not a snapshot: a source changed on the host during the copy may be copied half old, half
/// new. Copied files get fresh modification times (and so their own ETags). <b>Recursive deletes</b>
/// rename the folder aside (it disappears atomically), then delete the hidden tree; a crash in between
/// leaves a hidden <c>.greyos-tmp-*</c> folder for the admin to remove.
/// </para>
/// <para>
/// "Empty" means no host entry at all: a folder holding only links or temp files (of a write in
/// flight, or left by a crash) is not empty for a non-recursive delete or an overwrite, although a
/// listing shows nothing. Listings also skip names the VFS cannot address (not NFC, ending in a dot,
/// and so on). Names are case-sensitive only where the host file system is. Special files (FIFOs,
/// sockets, devices) are not told apart from files by .NET and must not be placed in the folder.
/// Linux is the tested host; on Windows, reserved device names (<c>CON</c>, <c>NUL</c> …) are not refused.
/// </para>
/// <para>
/// Errors: access denied by the host (<see cref="UnauthorizedAccessException"/>) is a
/// <see cref="ErrorKind.Forbidden"/> error (<see cref="ErrorCodes.Forbidden"/>); a full disk or an
/// exhausted disk quota is <see cref="ErrorKind.InsufficientStorage"/>
/// (<see cref="ErrorCodes.ContentTooLarge"/>); an entry that vanished during the operation is
/// <c>file_not_found</c>; a path too long for the host is <c>invalid_path</c>; other
/// <see cref="IOException"/>s are faults and propagate, as do all exceptions thrown by the content
/// stream of a write. <see cref="StatAsync"/> cannot return an error and lets them propagate. Messages
/// name VFS paths, never host paths.
/// </para>
/// </remarks>
internal sealed class LocalBackend : IStorageBackend
{
    /// <summary>The name prefix of hidden temp entries (writes, copies, deletes in flight); refused for users (any case).</summary>
    public const string TempPrefix = ".greyos-tmp-";

    private const int CopyBufferSize = 81920;

    /// <summary>Linux errno values (asm-generic; the same on x86, arm and arm64).</summary>
    private const int EPerm = 1;
    private const int ENoEnt = 2;
    private const int EAcces = 13;
    private const int EExist = 17;
    private const int EInval = 22;
    private const int ENoSpc = 28;
    private const int ENoSys = 38;
    private const int EOpNotSupp = 95;
    private const int EDQuot = 122;
    private const int MacEDQuot = 69;
    private const int WindowsDiskFull = unchecked((int)0x80070070);
    private const int WindowsHandleDiskFull = unchecked((int)0x80070027);
    private const int AtFdCwd = -100;
    private const uint RenameNoReplaceFlag = 1;

    /// <summary>Serializes every check-then-switch of every local backend in the process (short: probes and renames only).</summary>
    private static readonly Lock SwitchLock = new();

    private static readonly SearchValues<char> InvalidHostNameChars = SearchValues.Create(Path.GetInvalidFileNameChars());

    /// <summary>Lists everything, hidden and system entries included (dot files are "hidden" on Unix).</summary>
    private static readonly EnumerationOptions AllEntries = new()
    {
        AttributesToSkip = 0,
        IgnoreInaccessible = false,
        RecurseSubdirectories = false,
        ReturnSpecialDirectories = false,
    };

    /// <summary>The last modification time (ticks) this process stamped on a file; strictly increasing.</summary>
    private static long _lastStamp;

    /// <summary>Set when <c>renameat2</c> is missing from the C library or the kernel.</summary>
    private static volatile bool _noRenameAt2;

    private readonly string _root;
    private readonly TimeProvider _time;

    /// <summary>Mounts <paramref name="rootFolder"/>, which must exist and be a real folder (not a symbolic link).</summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist (or is a file).</exception>
    /// <exception cref="ArgumentException">The folder is a symbolic link or another reparse point.</exception>
    public LocalBackend(string rootFolder, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrEmpty(rootFolder);
        ArgumentNullException.ThrowIfNull(time);
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(rootFolder));
        switch (ProbeKind(root))
        {
            case HostKind.Folder:
                break;
            case HostKind.Link:
                throw new ArgumentException($"The folder to mount, {root}, is a symbolic link; mount the folder it points to.", nameof(rootFolder));
            default:
                throw new DirectoryNotFoundException($"The folder to mount, {root}, does not exist or is not a folder.");
        }

        _root = root;
        _time = time;
    }

    private enum HostKind
    {
        Missing,
        File,
        Folder,
        Link,
    }

    public string Kind => "local";

    /// <summary>The mounted host folder (absolute, no trailing separator).</summary>
    public string RootFolder => _root;

    /// <inheritdoc/>
    /// <remarks>Null also for symbolic links and reserved temp names; host faults (access denied …) throw.</remarks>
    public ValueTask<StorageEntry?> StatAsync(VfsPath path, CancellationToken cancellationToken)
    {
        var located = Locate(path);
        return ValueTask.FromResult(located is { IsSuccess: true, Value.Kind: HostKind.File or HostKind.Folder } ? EntryOf(path, located.Value) : null);
    }

    /// <inheritdoc/>
    /// <remarks>Skips symbolic links, temp entries and names the VFS cannot address.</remarks>
    public ValueTask<Result<IReadOnlyList<StorageEntry>>> ListAsync(VfsPath folder, CancellationToken cancellationToken) =>
        Guard<IReadOnlyList<StorageEntry>>(folder.Value, () =>
        {
            var located = Locate(folder);
            if (!located.IsSuccess)
            {
                return located.Error;
            }

            switch (located.Value.Kind)
            {
                case HostKind.Link:
                    return LinkRefused(folder);
                case HostKind.Missing:
                    return NotFound(folder);
                case HostKind.File:
                    return GreyError.Invalid(ErrorCodes.NotAFolder, $"'{folder}' is a file");
            }

            var entries = new List<StorageEntry>();
            foreach (var child in new DirectoryInfo(located.Value.HostPath).EnumerateFileSystemInfos("*", AllEntries))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (IsVisible(child) && folder.Combine(child.Name) is { IsSuccess: true } childPath)
                {
                    entries.Add(EntryOf(childPath.Value, child));
                }
            }

            return entries;
        });

    /// <inheritdoc/>
    /// <remarks>The stream reads the file as it was when opened, even if it is replaced meanwhile.</remarks>
    public ValueTask<Result<Stream>> OpenReadAsync(VfsPath path, long offset, long? length, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (length is { } requested)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(requested, nameof(length));
        }

        return Guard<Stream>(path.Value, () =>
        {
            var located = Locate(path);
            if (!located.IsSuccess)
            {
                return located.Error.Code == ErrorCodes.InvalidPath ? located.Error : NotFound(path);
            }

            switch (located.Value.Kind)
            {
                case HostKind.Link:
                    return LinkRefused(path);
                case HostKind.Missing:
                    return NotFound(path);
                case HostKind.Folder:
                    return GreyError.Invalid(ErrorCodes.NotAFile, $"'{path}' is a folder");
            }

            var handle = File.OpenHandle(located.Value.HostPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.SequentialScan);
            try
            {
                var size = RandomAccess.GetLength(handle);
                var start = Math.Min(offset, size);
                return new RangeReadStream(handle, start, Math.Min(length ?? long.MaxValue, size - start));
            }
            catch
            {
                handle.Dispose();
                throw;
            }
        });
    }

    /// <inheritdoc/>
    public async ValueTask<Result<StorageEntry>> WriteAsync(VfsPath path, Stream content, WriteOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(options);
        if (path.IsRoot)
        {
            return GreyError.Invalid(ErrorCodes.NotAFile, "the root is a folder");
        }

        var input = new InputState();
        try
        {
            return await WriteCoreAsync(path, content, options, input, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!input.Reading && MapFailure(ex, path.Value) is { } error)
        {
            return error;
        }
    }

    /// <inheritdoc/>
    public ValueTask<Result<StorageEntry>> CreateFolderAsync(VfsPath path, CancellationToken cancellationToken) =>
        Guard<StorageEntry>(path.Value, () =>
        {
            if (path.IsRoot)
            {
                return GreyError.Conflict(ErrorCodes.FileExists, "the root exists");
            }

            var located = Locate(path);
            if (!located.IsSuccess)
            {
                return located.Error;
            }

            var host = located.Value.HostPath;
            lock (SwitchLock)
            {
                var current = Probe(host);
                if (current.Kind != HostKind.Missing)
                {
                    return current.Kind == HostKind.Link ? LinkRefused(path) : Exists(path);
                }

                Directory.CreateDirectory(host);
            }

            DirectorySync.Flush(ParentOf(host));
            return EntryOf(path, Probe(host));
        });

    /// <inheritdoc/>
    public ValueTask<Result<StorageEntry>> MoveAsync(VfsPath source, VfsPath destination, bool overwrite, CancellationToken cancellationToken) =>
        Guard<StorageEntry>(Describe(source, destination), () =>
        {
            var checkedPaths = CheckTransfer(source, destination, overwrite);
            if (!checkedPaths.IsSuccess)
            {
                return checkedPaths.Error;
            }

            var (origin, target) = checkedPaths.Value;
            StorageEntry moved;
            lock (SwitchLock)
            {
                var current = Probe(origin.HostPath);
                if (current.Kind is HostKind.Link or HostKind.Missing)
                {
                    return current.Kind == HostKind.Link ? LinkRefused(source) : NotFound(source);
                }

                if (Place(current.HostPath, current.Kind == HostKind.Folder, Probe(target.HostPath), destination, overwrite) is { } refused)
                {
                    return refused;
                }

                moved = EntryOf(destination, Probe(target.HostPath));
            }

            var targetFolder = ParentOf(target.HostPath);
            var originFolder = ParentOf(origin.HostPath);
            DirectorySync.Flush(targetFolder);
            if (!string.Equals(originFolder, targetFolder, StringComparison.Ordinal))
            {
                DirectorySync.Flush(originFolder);
            }

            return moved;
        });

    /// <inheritdoc/>
    public async ValueTask<Result<StorageEntry>> CopyAsync(VfsPath source, VfsPath destination, bool overwrite, CancellationToken cancellationToken)
    {
        try
        {
            return await CopyCoreAsync(source, destination, overwrite, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (MapFailure(ex, Describe(source, destination)) is { } error)
        {
            return error;
        }
    }

    /// <inheritdoc/>
    public ValueTask<Result<StorageEntry>> DeleteAsync(VfsPath path, bool recursive, string? ifMatch, CancellationToken cancellationToken) =>
        Guard<StorageEntry>(path.Value, () =>
        {
            if (path.IsRoot)
            {
                return GreyError.Invalid(ErrorCodes.InvalidRequest, "the root cannot be deleted");
            }

            var located = Locate(path);
            if (!located.IsSuccess)
            {
                return located.Error.Code == ErrorCodes.InvalidPath ? located.Error : NotFound(path);
            }

            var host = located.Value.HostPath;
            var folder = ParentOf(host);
            string? aside = null;
            StorageEntry deleted;
            lock (SwitchLock)
            {
                var current = Probe(host);
                switch (current.Kind)
                {
                    case HostKind.Link:
                        return LinkRefused(path);
                    case HostKind.Missing:
                        return NotFound(path);
                }

                deleted = EntryOf(path, current);
                if (ifMatch is not null && deleted.ETag != ifMatch)
                {
                    return EtagMismatch(path);
                }

                if (current.Kind == HostKind.File)
                {
                    File.Delete(host);
                }
                else if (!HasEntries(host))
                {
                    Directory.Delete(host);
                }
                else if (!recursive)
                {
                    return GreyError.Conflict(ErrorCodes.FolderNotEmpty, $"'{path}' is not empty");
                }
                else
                {
                    // One rename makes the whole subtree disappear; the hidden tree is deleted below.
                    aside = Path.Join(folder, TempName());
                    Directory.Move(host, aside);
                }
            }

            DirectorySync.Flush(folder);
            if (aside is not null)
            {
                DeleteTree(aside);
            }

            return deleted;
        });

    /// <summary>
    /// The failure an exception stands for, or null when it is a fault that must propagate:
    /// access denied, a full disk, an entry that vanished, a host path that is too long.
    /// </summary>
    internal static GreyError? MapFailure(Exception exception, string subject) => exception switch
    {
        UnauthorizedAccessException => GreyError.Forbidden(ErrorCodes.Forbidden, $"the host file system denied access to {Quote(subject)} (the mounted folder's permissions do not allow it)"),
        PathTooLongException => GreyError.Invalid(ErrorCodes.InvalidPath, $"{Quote(subject)} is too long for the host file system"),
        FileNotFoundException or DirectoryNotFoundException => GreyError.NotFound(ErrorCodes.FileNotFound, $"{Quote(subject)} vanished on the host while it was being used"),
        IOException io when IsDiskFull(io) => GreyError.InsufficientStorage(ErrorCodes.ContentTooLarge, "the host file system is full"),
        _ => null,
    };

    private static string Quote(string subject) => subject.StartsWith('\'') ? subject : $"'{subject}'";

    private static string Describe(VfsPath source, VfsPath destination) => $"'{source}' → '{destination}'";

    private static bool IsDiskFull(IOException exception)
    {
        // .NET keeps the raw errno (Unix) or HRESULT (Windows) of an unmapped I/O error as HResult.
        var code = exception.HResult;
        if (OperatingSystem.IsWindows())
        {
            return code is WindowsDiskFull or WindowsHandleDiskFull;
        }

        return code == ENoSpc || code == (OperatingSystem.IsLinux() ? EDQuot : MacEDQuot);
    }

    private static ValueTask<Result<T>> Guard<T>(string subject, Func<Result<T>> action)
    {
        try
        {
            return ValueTask.FromResult(action());
        }
        catch (Exception ex) when (MapFailure(ex, subject) is { } error)
        {
            return ValueTask.FromResult<Result<T>>(error);
        }
    }

    private async Task<Result<StorageEntry>> WriteCoreAsync(VfsPath path, Stream content, WriteOptions options, InputState input, CancellationToken cancellationToken)
    {
        var located = Locate(path);
        if (!located.IsSuccess)
        {
            return located.Error;
        }

        var target = located.Value;
        var existing = target.Kind == HostKind.File ? EntryOf(path, target) : null;
        if (Refusal(target.Kind, existing, path, options) is { } early)
        {
            return early;
        }

        // Append: the current content is the base; the write is refused if it changes before the switch.
        var baseEntry = options.Append ? existing : null;
        var room = options.MaxLength - (baseEntry?.Length ?? 0);
        if (room < 0 || options.ExpectedLength > room)
        {
            return TooLarge(options.MaxLength);
        }

        var folder = ParentOf(target.HostPath);
        var temp = Path.Join(folder, TempName());
        var switched = false;
        try
        {
            var stream = new FileStream(temp, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 0 });
            await using (stream.ConfigureAwait(false))
            {
                if (existing is not null && !OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(stream.SafeFileHandle, target.Info!.UnixFileMode);
                }

                if (baseEntry is not null)
                {
                    var old = new FileStream(target.HostPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
                    await using (old.ConfigureAwait(false))
                    {
                        await old.CopyToAsync(stream, CopyBufferSize, cancellationToken).ConfigureAwait(false);
                    }
                }

                if (await CopyLimitedAsync(content, stream, options.ExpectedLength, room, options.MaxLength, input, cancellationToken).ConfigureAwait(false) is { } refused)
                {
                    return refused;
                }

                Stamp(stream.SafeFileHandle, existing?.ModifiedAt.UtcTicks);
                stream.Flush(flushToDisk: true);
            }

            // Rename keeps the inode's length and times: this is the entry the target will have.
            var written = EntryOf(path, new FileInfo(temp));
            lock (SwitchLock)
            {
                var current = Probe(target.HostPath);
                var currentEntry = current.Kind == HostKind.File ? EntryOf(path, current) : null;
                if (Refusal(current.Kind, currentEntry, path, options) is { } late)
                {
                    return late;
                }

                if (options.Append && currentEntry?.ETag != baseEntry?.ETag)
                {
                    return GreyError.PreconditionFailed(ErrorCodes.EtagMismatch, $"'{path}' changed while the append was in progress");
                }

                if (options.CreateOnly || (options.Append && baseEntry is null))
                {
                    if (!RenameNoReplace(temp, target.HostPath, isFolder: false))
                    {
                        return options.CreateOnly
                            ? Exists(path)
                            : GreyError.PreconditionFailed(ErrorCodes.EtagMismatch, $"'{path}' changed while the append was in progress");
                    }
                }
                else
                {
                    File.Move(temp, target.HostPath, overwrite: true);
                }

                switched = true;
            }

            DirectorySync.Flush(folder);
            return written;
        }
        finally
        {
            if (!switched)
            {
                // Refused, failed or canceled: the half-written temp file goes; the old content stays.
                TryDelete(temp, isFolder: false);
            }
        }
    }

    /// <summary>Why a write may not proceed onto <paramref name="kind"/> (checked before streaming and again before the switch), or null.</summary>
    private static GreyError? Refusal(HostKind kind, StorageEntry? existing, VfsPath path, WriteOptions options) => kind switch
    {
        HostKind.Link => LinkRefused(path),
        HostKind.Folder => GreyError.Invalid(ErrorCodes.NotAFile, $"'{path}' is a folder"),
        HostKind.File when options.CreateOnly => Exists(path),
        _ when options.IfMatch is { } etag && existing?.ETag != etag => EtagMismatch(path),
        _ => null,
    };

    /// <summary>
    /// Streams <paramref name="content"/> into <paramref name="target"/>: never reads more than one
    /// byte past the limit; refuses more than <paramref name="room"/> bytes (<c>content_too_large</c>)
    /// or a length other than <paramref name="expectedLength"/> (<c>content_length_mismatch</c>).
    /// </summary>
    private static async Task<GreyError?> CopyLimitedAsync(Stream content, FileStream target, long? expectedLength, long room, long maxLength, InputState input, CancellationToken cancellationToken)
    {
        var limit = Math.Min(room, expectedLength ?? long.MaxValue);
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferSize);
        try
        {
            long total = 0;
            while (true)
            {
                var remaining = limit - total;
                var want = remaining >= buffer.Length ? buffer.Length : (int)remaining + 1;
                input.Reading = true;
                var read = await content.ReadAsync(buffer.AsMemory(0, want), cancellationToken).ConfigureAwait(false);
                input.Reading = false;
                if (read == 0)
                {
                    break;
                }

                total += read;
                if (total > limit)
                {
                    return total > room
                        ? TooLarge(maxLength)
                        : GreyError.Invalid(ErrorCodes.ContentLengthMismatch, $"more than the declared {expectedLength} bytes arrived");
                }

                await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            }

            if (expectedLength is { } expected && total != expected)
            {
                return GreyError.Invalid(ErrorCodes.ContentLengthMismatch, $"{total} of the declared {expected} bytes arrived");
            }

            return null;
        }
        finally
        {
            // The buffer held user content and the pool is shared by the whole process.
            ArrayPool<byte>.Shared.Return(buffer, clearArray: true);
        }
    }

    private async Task<Result<StorageEntry>> CopyCoreAsync(VfsPath source, VfsPath destination, bool overwrite, CancellationToken cancellationToken)
    {
        var checkedPaths = CheckTransfer(source, destination, overwrite);
        if (!checkedPaths.IsSuccess)
        {
            return checkedPaths.Error;
        }

        var (origin, target) = checkedPaths.Value;
        var isFolder = origin.Kind == HostKind.Folder;
        var folder = ParentOf(target.HostPath);
        var staged = Path.Join(folder, TempName());
        var switched = false;
        try
        {
            if (isFolder)
            {
                Directory.CreateDirectory(staged);
                await CopyTreeAsync(origin.HostPath, staged, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var replaced = target.Kind == HostKind.File ? target.Info!.LastWriteTimeUtc.Ticks : (long?)null;
                await CopyFileAsync(origin.HostPath, staged, replaced, cancellationToken).ConfigureAwait(false);
            }

            StorageEntry copied;
            lock (SwitchLock)
            {
                if (Place(staged, isFolder, Probe(target.HostPath), destination, overwrite) is { } refused)
                {
                    return refused;
                }

                switched = true;
                copied = EntryOf(destination, Probe(target.HostPath));
            }

            DirectorySync.Flush(folder);
            return copied;
        }
        finally
        {
            if (!switched)
            {
                // Refused, failed or canceled: everything the copy created goes.
                TryDelete(staged, isFolder);
            }
        }
    }

    /// <summary>Copies the visible entries of <paramref name="source"/> into the existing folder <paramref name="target"/>, recursively, flushed to disk.</summary>
    private async Task CopyTreeAsync(string source, string target, CancellationToken cancellationToken)
    {
        foreach (var child in new DirectoryInfo(source).EnumerateFileSystemInfos("*", AllEntries))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!IsVisible(child))
            {
                continue;
            }

            var copy = Path.Join(target, child.Name);
            if (child is DirectoryInfo)
            {
                Directory.CreateDirectory(copy);
                await CopyTreeAsync(child.FullName, copy, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await CopyFileAsync(child.FullName, copy, replacedTicks: null, cancellationToken).ConfigureAwait(false);
            }
        }

        DirectorySync.Flush(target);
    }

    /// <summary>Copies one file to a new file (same permissions, a fresh modification time), flushed to disk.</summary>
    private async Task CopyFileAsync(string source, string copy, long? replacedTicks, CancellationToken cancellationToken)
    {
        var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        await using (input.ConfigureAwait(false))
        {
            var output = new FileStream(copy, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 0 });
            await using (output.ConfigureAwait(false))
            {
                if (!OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(output.SafeFileHandle, File.GetUnixFileMode(input.SafeFileHandle));
                }

                await input.CopyToAsync(output, CopyBufferSize, cancellationToken).ConfigureAwait(false);
                Stamp(output.SafeFileHandle, replacedTicks);
                output.Flush(flushToDisk: true);
            }
        }
    }

    /// <summary>The checks a move or copy shares: roots, a folder into itself, the source, the destination's parent, and the early overwrite rules.</summary>
    private Result<(HostEntry Origin, HostEntry Target)> CheckTransfer(VfsPath source, VfsPath destination, bool overwrite)
    {
        if (source.IsRoot || destination.IsRoot)
        {
            return GreyError.Invalid(ErrorCodes.InvalidRequest, "the root cannot be moved, copied or replaced");
        }

        if (destination.IsSameOrUnder(source))
        {
            return GreyError.Invalid(ErrorCodes.InvalidPath, $"'{destination}' is inside '{source}'");
        }

        var origin = Locate(source);
        if (!origin.IsSuccess)
        {
            return origin.Error.Code == ErrorCodes.InvalidPath ? origin.Error : NotFound(source);
        }

        switch (origin.Value.Kind)
        {
            case HostKind.Link:
                return LinkRefused(source);
            case HostKind.Missing:
                return NotFound(source);
        }

        var target = Locate(destination);
        if (!target.IsSuccess)
        {
            return target.Error;
        }

        if (target.Value.Kind == HostKind.Link)
        {
            return LinkRefused(destination);
        }

        if (target.Value.Kind != HostKind.Missing && !overwrite)
        {
            return Exists(destination);
        }

        if (target.Value.Kind == HostKind.Folder && HasEntries(target.Value.HostPath))
        {
            return NotEmpty(destination);
        }

        return (origin.Value, target.Value);
    }

    /// <summary>
    /// Puts <paramref name="staged"/> (a host file or folder) at <paramref name="current"/>'s path, by
    /// rename. Under <see cref="SwitchLock"/>, with <paramref name="current"/> probed under it.
    /// </summary>
    private static GreyError? Place(string staged, bool stagedIsFolder, HostEntry current, VfsPath destination, bool overwrite)
    {
        if (current.Kind == HostKind.Link)
        {
            return LinkRefused(destination);
        }

        if (current.Kind == HostKind.Missing)
        {
            return RenameNoReplace(staged, current.HostPath, stagedIsFolder) ? null : Exists(destination);
        }

        if (!overwrite)
        {
            return Exists(destination);
        }

        if (current.Kind == HostKind.Folder && HasEntries(current.HostPath))
        {
            return NotEmpty(destination);
        }

        if (current.Kind == HostKind.File && !stagedIsFolder)
        {
            File.Move(staged, current.HostPath, overwrite: true);
            return null;
        }

        // An empty folder, or a file replaced by a folder: rename(2) cannot do these in one step.
        var oldIsFolder = current.Kind == HostKind.Folder;
        var aside = Path.Join(ParentOf(current.HostPath), TempName());
        Rename(current.HostPath, aside, oldIsFolder);
        var placed = false;
        try
        {
            placed = RenameNoReplace(staged, current.HostPath, stagedIsFolder);
        }
        finally
        {
            if (!placed)
            {
                Rename(aside, current.HostPath, oldIsFolder);
            }
        }

        if (!placed)
        {
            return Exists(destination);
        }

        TryDelete(aside, oldIsFolder);
        return null;
    }

    /// <summary>
    /// Renames unless something exists at <paramref name="destination"/> (then false). Linux:
    /// <c>renameat2(RENAME_NOREPLACE)</c>, atomic against every process; elsewhere, or where the file
    /// system does not support it, a check and a rename (race-free only under <see cref="SwitchLock"/>).
    /// </summary>
    private static bool RenameNoReplace(string source, string destination, bool isFolder)
    {
        if (OperatingSystem.IsLinux() && !_noRenameAt2)
        {
            try
            {
                if (RenameAt2(AtFdCwd, NullTerminatedUtf8(source), AtFdCwd, NullTerminatedUtf8(destination), RenameNoReplaceFlag) == 0)
                {
                    return true;
                }

                var errno = Marshal.GetLastPInvokeError();
                switch (errno)
                {
                    case EExist:
                        return false;
                    case ENoSys:
                        _noRenameAt2 = true;
                        break;
                    case EInval or EOpNotSupp:
                        break; // this file system cannot; fall back
                    default:
                        throw ErrnoFailure(errno);
                }
            }
            catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
            {
                _noRenameAt2 = true;
            }
        }

        if (ProbeKind(destination) != HostKind.Missing)
        {
            return false;
        }

        Rename(source, destination, isFolder);
        return true;
    }

    private static void Rename(string source, string destination, bool isFolder)
    {
        if (isFolder)
        {
            Directory.Move(source, destination);
        }
        else
        {
            File.Move(source, destination, overwrite: false);
        }
    }

    private static Exception ErrnoFailure(int errno)
    {
        var message = $"rename failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})";
        return errno switch
        {
            EAcces or EPerm => new UnauthorizedAccessException(message),
            ENoEnt => new FileNotFoundException(message),
            _ => new IOException(message, errno),
        };
    }

    private static byte[] NullTerminatedUtf8(string value)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(value) + 1];
        Encoding.UTF8.GetBytes(value, bytes);
        return bytes;
    }

    /// <summary>
    /// Gives a file this backend wrote a modification time strictly later than any other it stamped in
    /// this process and than <paramref name="replacedTicks"/> (the file it replaces), so its ETag is new.
    /// </summary>
    private void Stamp(SafeFileHandle handle, long? replacedTicks)
    {
        var now = _time.GetUtcNow().UtcTicks;
        long last, next;
        do
        {
            last = Volatile.Read(ref _lastStamp);
            next = Math.Max(now, last + 1);
        }
        while (Interlocked.CompareExchange(ref _lastStamp, next, last) != last);

        // A replaced file stamped in the future (host clock, touch) still gets a later time.
        File.SetLastWriteTimeUtc(handle, new DateTime(replacedTicks is { } replaced ? Math.Max(next, replaced + 1) : next, DateTimeKind.Utc));
        if (replacedTicks is not { } floor)
        {
            return;
        }

        // Coarse timestamps (1 s, 2 s) truncate the stamp: bump by whole seconds until it is later.
        var actual = File.GetLastWriteTimeUtc(handle).Ticks;
        for (var step = TimeSpan.TicksPerSecond; actual <= floor && step <= 4 * TimeSpan.TicksPerSecond; step *= 2)
        {
            File.SetLastWriteTimeUtc(handle, new DateTime(floor + step, DateTimeKind.Utc));
            actual = File.GetLastWriteTimeUtc(handle).Ticks;
        }
    }

    /// <summary>
    /// The host entry for <paramref name="path"/>, every parent checked to be a real folder:
    /// <c>file_not_found</c> when one is missing, <c>not_a_folder</c> when one is a file,
    /// <c>invalid_path</c> when one is a link, or a name is reserved or impossible on the host.
    /// </summary>
    private Result<HostEntry> Locate(VfsPath path)
    {
        var segments = path.Segments;
        foreach (var name in segments)
        {
            if (name.StartsWith(TempPrefix, StringComparison.OrdinalIgnoreCase))
            {
                return GreyError.Invalid(ErrorCodes.InvalidPath, $"names starting with '{TempPrefix}' are reserved on this mount ('{path}')");
            }

            if (name.AsSpan().ContainsAny(InvalidHostNameChars))
            {
                return GreyError.Invalid(ErrorCodes.InvalidPath, $"'{path}' contains a character the host file system does not allow in names");
            }
        }

        var host = _root;
        for (var i = 0; i < segments.Count - 1; i++)
        {
            host = Path.Join(host, segments[i]);
            switch (ProbeKind(host))
            {
                case HostKind.Missing:
                    return NotFound(path);
                case HostKind.File:
                    return GreyError.Invalid(ErrorCodes.NotAFolder, $"a parent of '{path}' is a file");
                case HostKind.Link:
                    return LinkRefused(path);
            }
        }

        return Probe(path.IsRoot ? _root : Path.Join(host, segments[^1]));
    }

    /// <summary>What is at a host path, without following a link (<c>lstat</c>).</summary>
    private static HostKind ProbeKind(string host) => Classify(new FileInfo(host).Attributes);

    private static HostKind Classify(FileAttributes attributes) =>
        (int)attributes == -1 ? HostKind.Missing
        : (attributes & FileAttributes.ReparsePoint) != 0 ? HostKind.Link
        : (attributes & FileAttributes.Directory) != 0 ? HostKind.Folder
        : HostKind.File;

    private static HostEntry Probe(string host)
    {
        var file = new FileInfo(host);
        var kind = Classify(file.Attributes);
        return new HostEntry(host, kind, kind == HostKind.Folder ? new DirectoryInfo(host) : file);
    }

    /// <summary>True for entries a listing shows: no links, no temp entries, names the VFS can address.</summary>
    private static bool IsVisible(FileSystemInfo entry)
    {
        var name = entry.Name;
        return !name.StartsWith(TempPrefix, StringComparison.OrdinalIgnoreCase)
            && (entry.Attributes & FileAttributes.ReparsePoint) == 0
            && !name.AsSpan().ContainsAny(InvalidHostNameChars)
            && VfsPath.ValidateName(name) is { IsSuccess: true } valid
            && string.Equals(valid.Value, name, StringComparison.Ordinal);
    }

    private static bool HasEntries(string folder) => Directory.EnumerateFileSystemEntries(folder, "*", AllEntries).Any();

    private static StorageEntry EntryOf(VfsPath path, HostEntry entry) => EntryOf(path, entry.Info!);

    private static StorageEntry EntryOf(VfsPath path, FileSystemInfo info)
    {
        if (info is FileInfo file)
        {
            var length = file.Length;
            var modified = file.LastWriteTimeUtc;
            return new StorageEntry(path, EntryKind.File, length, FileETag(length, modified.Ticks), file.CreationTimeUtc, modified);
        }

        var created = info.CreationTimeUtc;
        return new StorageEntry(path, EntryKind.Folder, 0, string.Create(CultureInfo.InvariantCulture, $"\"d{created.Ticks:x}\""), created, info.LastWriteTimeUtc);
    }

    private static string FileETag(long length, long modifiedTicks) =>
        string.Create(CultureInfo.InvariantCulture, $"\"{length:x}-{modifiedTicks:x}\"");

    private static string TempName() => $"{TempPrefix}{Guid.NewGuid():N}";

    private static string ParentOf(string host) => Path.GetDirectoryName(host)!;

    /// <summary>Deletes a hidden tree (links inside are unlinked, never followed); leftovers stay hidden.</summary>
    private static void DeleteTree(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The delete already happened for every reader; what remains is an invisible temp folder.
        }
    }

    private static void TryDelete(string host, bool isFolder)
    {
        try
        {
            if (isFolder)
            {
                if (ProbeKind(host) == HostKind.Folder)
                {
                    Directory.Delete(host, recursive: true);
                }
            }
            else
            {
                File.Delete(host);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort: a leftover temp entry is invisible and harmless.
        }
    }

    private static GreyError LinkRefused(VfsPath path) =>
        GreyError.Invalid(ErrorCodes.InvalidPath, $"'{path}' is or passes through a symbolic link on the host; this mount does not follow links");

    private static GreyError NotFound(VfsPath path) => GreyError.NotFound(ErrorCodes.FileNotFound, $"no '{path}'");

    private static GreyError Exists(VfsPath path) => GreyError.Conflict(ErrorCodes.FileExists, $"'{path}' already exists");

    private static GreyError NotEmpty(VfsPath path) => GreyError.Conflict(ErrorCodes.FolderNotEmpty, $"'{path}' is a folder that is not empty");

    private static GreyError EtagMismatch(VfsPath path) => GreyError.PreconditionFailed(ErrorCodes.EtagMismatch, $"'{path}' changed since it was read (ETag differs)");

    private static GreyError TooLarge(long max) => GreyError.TooLarge(ErrorCodes.ContentTooLarge, $"more than {max} bytes");

    [DllImport("libc", EntryPoint = "renameat2", SetLastError = true, ExactSpelling = true)]
    private static extern int RenameAt2(int oldDirFd, byte[] oldPath, int newDirFd, byte[] newPath, uint flags);

    /// <summary>A host path, what is there, and its (cached) <c>lstat</c> data when it exists.</summary>
    private readonly record struct HostEntry(string HostPath, HostKind Kind, FileSystemInfo? Info);

    /// <summary>Tells the write's exception filter whether the content stream (not the host) threw.</summary>
    private sealed class InputState
    {
        public bool Reading { get; set; }
    }

    /// <summary>A read-only, seekable view of <c>[start, start + length)</c> of an open file (positional reads).</summary>
    private sealed class RangeReadStream(SafeFileHandle handle, long start, long length) : PositionalReadStream(length)
    {
        protected override int ReadAt(long position, Span<byte> buffer) =>
            Counted(RandomAccess.Read(handle, buffer, start + position), position);

        protected override async ValueTask<int> ReadAtAsync(long position, Memory<byte> buffer, CancellationToken cancellationToken) =>
            Counted(await RandomAccess.ReadAsync(handle, buffer, start + position, cancellationToken).ConfigureAwait(false), position);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                handle.Dispose();
            }

            base.Dispose(disposing);
        }

        /// <summary>The end of the file before the end of the range means it was truncated on the host.</summary>
        private int Counted(int read, long position) =>
            read > 0 ? read : throw new IOException($"The file shrank on the host while it was being read ({start + position} of {start + Length} bytes).");
    }
}
