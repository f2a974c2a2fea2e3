using System.Text;
using GreyOS.Abstractions.Errors;
using GreyOS.Abstractions.FileSystem;
using GreyOS.Abstractions.Processes;

namespace GreyOS.Kernel.Files;

/// <summary>A WASI file descriptor above stdio: a preopened folder, a folder or a file opened through one.</summary>
internal sealed class Descriptor(VfsPath path, DirectoryGrant grant, OpenFile? file)
{
    public VfsPath Path { get; } = path;

    /// <summary>The granted folder this descriptor was reached through; paths never resolve above it.</summary>
    public DirectoryGrant Grant { get; } = grant;

    public OpenFile? File { get; } = file;

    public bool IsDirectory => File is null;

    /// <summary>The guest name of a preopen (<c>fd_prestat_dir_name</c>); null for other descriptors.</summary>
    public string? PreopenName { get; init; }

    public ulong RightsBase { get; init; }

    public ulong RightsInheriting { get; init; }

    /// <summary>WASI fdflags (APPEND 1, DSYNC 2, NONBLOCK 4, RSYNC 8, SYNC 16).</summary>
    public ushort Flags { get; set; }

    /// <summary>A folder's entries, read when <c>fd_readdir</c> starts at cookie 0.</summary>
    public List<FileEntry>? Listing { get; set; }
}

/// <summary>
/// The files of one process: its granted folders (WASI preopens at fd 3…), its WASI descriptors and
/// grey file handles (one open-files limit for both), the byte budget of its write buffers, and the
/// principal every VFS call is made for. Used from the process's own thread only. At the end of the
/// process, <see cref="CommitAll"/> (normal exit) and <see cref="Dispose"/> (always: discards what is
/// left, releases buffers).
/// </summary>
internal sealed class ProcessFiles : IDisposable
{
    public const int FirstFd = 3;

    private readonly Dictionary<int, Descriptor> _fds = [];
    private readonly HashSet<OpenFile> _files = [];
    private readonly KernelOptions _options;
    private readonly string _tempFolder;
    private int _openDescriptors;

    public ProcessFiles(IFileSystem? files, FilePrincipal? principal, IReadOnlyList<DirectoryGrant> grants, KernelOptions options, string tempFolder, CancellationToken token)
    {
        Files = files!;
        Principal = principal!;
        Grants = grants;
        Token = token;
        _options = options;
        _tempFolder = tempFolder;
        Budget = new BufferBudget(options.MaxBufferedFileBytes);
        for (var i = 0; i < grants.Count; i++)
        {
            _fds[FirstFd + i] = new Descriptor(grants[i].Path, grants[i], null)
            {
                PreopenName = grants[i].GuestPath,
                RightsBase = grants[i].ReadOnly ? WasiRights.DirectoryReadOnly : WasiRights.Directory,
                RightsInheriting = grants[i].ReadOnly ? WasiRights.InheritReadOnly : WasiRights.Inherit,
            };
        }
    }

    public IFileSystem Files { get; }

    public FilePrincipal Principal { get; }

    public IReadOnlyList<DirectoryGrant> Grants { get; }

    public CancellationToken Token { get; }

    public BufferBudget Budget { get; }

    /// <summary>Files and folders open now (preopens not counted).</summary>
    public int OpenCount => _files.Count + _openDescriptors;

    public bool HasGrants => Grants.Count > 0;

    public static T Wait<T>(ValueTask<T> task) => task.IsCompletedSuccessfully ? task.Result : task.AsTask().GetAwaiter().GetResult();

    public SpillBuffer NewBuffer() => new(Budget, _options.FileBufferMemoryBytes, _tempFolder);

    public void Forget(OpenFile file) => _files.Remove(file);

    // ------------------------------------------------------------------ descriptors (WASI)

    public Descriptor? Get(int fd) => _fds.GetValueOrDefault(fd);

    public FileResult<int> Add(Descriptor descriptor)
    {
        // A file was counted when it was opened (Open); a folder is counted here.
        if (descriptor.File is null && OpenCount >= _options.MaxOpenFiles)
        {
            return FileError.TooManyOpen;
        }

        var fd = FirstFd;
        while (_fds.ContainsKey(fd))
        {
            fd++;
        }

        _fds[fd] = descriptor;
        if (descriptor.File is null)
        {
            _openDescriptors++;
        }

        return fd;
    }

    /// <summary>Closes a descriptor: a file is committed first (its error is returned, the descriptor goes anyway).</summary>
    public FileError? Close(int fd)
    {
        if (!_fds.Remove(fd, out var descriptor))
        {
            return FileError.BadDescriptor;
        }

        if (descriptor.File is { } file)
        {
            var error = file.Commit();
            file.Dispose();
            return error;
        }

        if (descriptor.PreopenName is null)
        {
            _openDescriptors--;
        }

        return null;
    }

    // ------------------------------------------------------------------ paths

    /// <summary>
    /// Resolves a WASI path relative to a folder descriptor. <c>.</c> and empty segments are skipped;
    /// <c>..</c> climbs, but never above the granted folder the descriptor came from; an absolute path
    /// or a climb above is NOTCAPABLE.
    /// </summary>
    public static FileResult<VfsPath> Resolve(Descriptor folder, string relative)
    {
        if (relative.Length == 0)
        {
            return FileError.NotFound;
        }

        if (relative[0] == '/')
        {
            return FileError.NotCapable;
        }

        if (relative.Contains('\0', StringComparison.Ordinal))
        {
            return FileError.Invalid;
        }

        var stack = new List<string>();
        if (folder.Path.TryGetRelativeTo(folder.Grant.Path, out var below) && below.Length > 0)
        {
            stack.AddRange(below.Split('/', StringSplitOptions.RemoveEmptyEntries));
        }

        foreach (var segment in relative.Split('/'))
        {
            if (segment is "" or ".")
            {
                continue;
            }

            if (segment == "..")
            {
                if (stack.Count == 0)
                {
                    return FileError.NotCapable;
                }

                stack.RemoveAt(stack.Count - 1);
                continue;
            }

            stack.Add(segment);
        }

        var text = folder.Grant.Path.IsRoot ? "/" + string.Join('/', stack) : folder.Grant.Path.Value + (stack.Count > 0 ? "/" + string.Join('/', stack) : "");
        var parsed = VfsPath.Parse(text);
        return parsed.IsSuccess ? parsed.Value : FileError.Invalid;
    }

    /// <summary>
    /// Resolves a grey <c>fs_*</c> path: the process's view, an absolute path under the guest path of
    /// a granted folder (the same names its WASI preopens have). NOTCAPABLE outside every grant.
    /// </summary>
    public FileResult<(VfsPath Path, DirectoryGrant Grant)> ResolveGuest(string guestPath)
    {
        if (guestPath.Length == 0 || guestPath[0] != '/' || guestPath.Contains('\0', StringComparison.Ordinal))
        {
            return FileError.Invalid;
        }

        DirectoryGrant? best = null;
        foreach (var grant in Grants)
        {
            var prefix = grant.GuestPath.TrimEnd('/');
            if ((guestPath == grant.GuestPath || prefix.Length == 0 || guestPath == prefix || guestPath.StartsWith(prefix + "/", StringComparison.Ordinal))
                && (best is null || grant.GuestPath.Length > best.GuestPath.Length))
            {
                best = grant;
            }
        }

        if (best is null)
        {
            return FileError.NotCapable;
        }

        var root = new Descriptor(best.Path, best, null);
        var rest = guestPath[Math.Min(guestPath.Length, best.GuestPath.TrimEnd('/').Length)..].TrimStart('/');
        if (rest.Length == 0)
        {
            return (best.Path, best);
        }

        var resolved = Resolve(root, rest);
        return resolved.IsSuccess ? (resolved.Value, best) : resolved.Error!.Value;
    }

    // ------------------------------------------------------------------ files

    /// <summary>
    /// Opens a file under a grant with POSIX-like flags. A missing file with <paramref name="create"/> is
    /// created (empty) at once, so it exists while open; <paramref name="truncate"/> empties the buffer
    /// (the VFS sees it at commit). Folders are not opened here (EISDIR).
    /// </summary>
    public FileResult<OpenFile> Open(VfsPath path, DirectoryGrant grant, bool read, bool write, bool create, bool exclusive, bool truncate, bool append)
    {
        var writes = write || create || truncate || append;
        if (writes && grant.ReadOnly)
        {
            return FileError.NotCapable;
        }

        if (OpenCount >= _options.MaxOpenFiles)
        {
            return FileError.TooManyOpen;
        }

        var stat = Wait(Files.StatAsync(Principal, path, Token));
        var exists = stat.IsSuccess;
        if (exists)
        {
            if (create && exclusive)
            {
                return FileError.Exists;
            }

            if (stat.Value.Kind == EntryKind.Folder)
            {
                return FileError.IsDirectory;
            }
        }
        else if (stat.Error!.Code != ErrorCodes.FileNotFound)
        {
            return FileError.From(stat.Error);
        }
        else if (!create)
        {
            return FileError.NotFound;
        }
        else
        {
            using var empty = new MemoryStream([], writable: false);
            var created = Wait(Files.WriteAsync(Principal, path, empty, new WriteOptions(CreateOnly: true), Token));
            if (!created.IsSuccess && !(created.Error.Code == ErrorCodes.FileExists && !exclusive))
            {
                return FileError.From(created.Error);
            }
        }

        var file = new OpenFile(this, path, read, write || append, append, truncate && exists);
        if (truncate && exists && stat.Value.Length > 0 && file.SetLength(0) is { } error)
        {
            file.Dispose();
            return error;
        }

        _files.Add(file);
        return file;
    }

    /// <summary>The process exited normally: what it wrote and did not close is committed, as an exit would flush it.</summary>
    public void CommitAll()
    {
        foreach (var file in _files.ToList())
        {
            file.Commit();
        }
    }

    /// <summary>Discards uncommitted writes and releases every buffer and stream.</summary>
    public void Dispose()
    {
        foreach (var file in _files.ToList())
        {
            file.Dispose();
        }

        _fds.Clear();
        _files.Clear();
    }

    /// <summary>The first names of a folder's listing, all pages.</summary>
    public FileResult<List<FileEntry>> ListAll(VfsPath folder)
    {
        var entries = new List<FileEntry>();
        string? cursor = null;
        do
        {
            var page = Wait(Files.ListAsync(Principal, folder, ListOrder.Name, false, 10_000, cursor, Token));
            if (!page.IsSuccess)
            {
                return FileError.From(page.Error);
            }

            entries.AddRange(page.Value.Entries);
            cursor = page.Value.NextCursor;
            if (entries.Count > _options.MaxListedEntries)
            {
                return FileError.Io;
            }
        }
        while (cursor is not null);
        return entries;
    }

    /// <summary>A stable inode number for a path (FNV-1a of its UTF-8).</summary>
    public static ulong Inode(VfsPath path)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(path.Value))
        {
            hash = (hash ^ b) * 1099511628211UL;
        }

        return hash;
    }
}

/// <summary>WASI rights bits (preview1) and the sets descriptors get.</summary>
internal static class WasiRights
{
    public const ulong FdDatasync = 1UL << 0;
    public const ulong FdRead = 1UL << 1;
    public const ulong FdSeek = 1UL << 2;
    public const ulong FdFdstatSetFlags = 1UL << 3;
    public const ulong FdSync = 1UL << 4;
    public const ulong FdTell = 1UL << 5;
    public const ulong FdWrite = 1UL << 6;
    public const ulong FdAdvise = 1UL << 7;
    public const ulong FdAllocate = 1UL << 8;
    public const ulong PathCreateDirectory = 1UL << 9;
    public const ulong PathCreateFile = 1UL << 10;
    public const ulong PathOpen = 1UL << 13;
    public const ulong FdReaddir = 1UL << 14;
    public const ulong PathRenameSource = 1UL << 16;
    public const ulong PathRenameTarget = 1UL << 17;
    public const ulong PathFilestatGet = 1UL << 18;
    public const ulong PathFilestatSetSize = 1UL << 19;
    public const ulong PathFilestatSetTimes = 1UL << 20;
    public const ulong FdFilestatGet = 1UL << 21;
    public const ulong FdFilestatSetSize = 1UL << 22;
    public const ulong FdFilestatSetTimes = 1UL << 23;
    public const ulong PathRemoveDirectory = 1UL << 25;
    public const ulong PathUnlinkFile = 1UL << 26;
    public const ulong PollFdReadwrite = 1UL << 27;

    /// <summary>What a regular file may do (the open narrows it to the rights asked).</summary>
    public const ulong File = FdDatasync | FdRead | FdSeek | FdFdstatSetFlags | FdSync | FdTell | FdWrite | FdAdvise | FdAllocate
        | FdFilestatGet | FdFilestatSetSize | FdFilestatSetTimes | PollFdReadwrite;

    public const ulong FileReadOnly = FdRead | FdSeek | FdFdstatSetFlags | FdTell | FdAdvise | FdFilestatGet | PollFdReadwrite;

    public const ulong Directory = PathCreateDirectory | PathCreateFile | PathOpen | FdReaddir | PathRenameSource | PathRenameTarget
        | PathFilestatGet | PathFilestatSetSize | PathFilestatSetTimes | FdFilestatGet | FdFilestatSetTimes | PathRemoveDirectory | PathUnlinkFile
        | FdFdstatSetFlags | FdSync | FdDatasync;

    public const ulong DirectoryReadOnly = PathOpen | FdReaddir | PathFilestatGet | FdFilestatGet | FdFdstatSetFlags;

    public const ulong Inherit = Directory | File;

    public const ulong InheritReadOnly = DirectoryReadOnly | FileReadOnly;
}
