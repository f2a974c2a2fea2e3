using System.Data.Common;
using GreyOS.Abstractions.Errors;
using GreyOS.Abstractions.FileSystem;
using GreyOS.Abstractions.Node;
using GreyOS.Abstractions.Storage;
using GreyOS.FileSystem.Backends;
using GreyOS.FileSystem.Content;
using GreyOS.FileSystem.Vfs;
using Microsoft.Extensions.Options;

namespace GreyOS.FileSystem.Mounts;

/// <summary>Where a VFS path lives: the backend, the path inside it, and the mount point it hangs from.</summary>
internal readonly record struct Located(IStorageBackend Backend, VfsPath Inner, VfsPath MountPoint, MountInfo? Mount)
{
    /// <summary>The VFS path of a path inside this backend.</summary>
    public VfsPath Outer(VfsPath inner) => MountPoint.IsRoot ? inner : inner.IsRoot ? MountPoint : VfsPath.Parse(MountPoint.Value + inner.Value).Value;

    public StorageEntry Outer(StorageEntry entry) => entry with { Path = Outer(entry.Path) };

    /// <summary>A backend's error about <paramref name="path"/>, its paths told as the VFS knows them.</summary>
    public GreyError Outer(GreyError error, VfsPath path) =>
        MountPoint.IsRoot ? error : error with { Message = error.Message.Replace("'/", "'" + MountPoint.Value + "/", StringComparison.Ordinal) };
}

/// <summary>
/// The mount table (design 0004, decision 2): the root backend at <c>/</c> and admin mounts at
/// <c>/mnt/&lt;name&gt;</c> (<c>fs_mounts</c>), loaded once and changed under a lock. A <c>local</c>
/// mount's host folder must be an existing folder inside one of <see cref="FileSystemOptions.MountRoots"/>
/// (none by default), reached without symlinks, and outside the node's data folder.
/// </summary>
internal sealed class MountTable(IStorageBackend root, IDatabase database, ChunkStore chunks, DataDirectory? data, IOptions<FileSystemOptions> options, TimeProvider time) : IDisposable
{
    /// <summary>The most mounts a node holds.</summary>
    public const int MaxMounts = 256;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile Dictionary<string, (MountInfo Info, IStorageBackend Backend)>? _mounts;

    public IStorageBackend Root => root;

    /// <summary>The backend holding <paramref name="path"/>.</summary>
    public async ValueTask<Located> LocateAsync(VfsPath path, CancellationToken cancellationToken)
    {
        var segments = path.Segments;
        if (segments.Count >= 2 && segments[0] == AccessRules.Mounts)
        {
            var mounts = await MountsAsync(cancellationToken).ConfigureAwait(false);
            if (mounts.TryGetValue(segments[1], out var mount))
            {
                var point = AccessRules.Prefix(path, 2);
                var inner = path.Depth == 2 ? VfsPath.Root : VfsPath.Parse(path.Value[point.Value.Length..]).Value;
                return new Located(mount.Backend, inner, point, mount.Info);
            }
        }

        return new Located(root, path, VfsPath.Root, null);
    }

    public async ValueTask<IReadOnlyList<MountInfo>> ListAsync(CancellationToken cancellationToken) =>
        (await MountsAsync(cancellationToken).ConfigureAwait(false)).Values.Select(m => m.Info).OrderBy(m => m.Name, StringComparer.Ordinal).ToList();

    public async ValueTask<Result<MountInfo>> AddAsync(string name, string backend, string? source, bool readOnly, string createdBy, CancellationToken cancellationToken)
    {
        if (VfsPath.Parse("/mnt/" + name) is not { IsSuccess: true } point || point.Value.Depth != 2 || name.StartsWith('.') || name.Length > 64)
        {
            return GreyError.Invalid(ErrorCodes.InvalidRequest, "a mount name is one path segment of at most 64 characters, not starting with '.'");
        }

        string hostFolder;
        switch (backend)
        {
            case "local":
                var checkedFolder = CheckHostFolder(source);
                if (!checkedFolder.IsSuccess)
                {
                    return checkedFolder.Error;
                }

                hostFolder = checkedFolder.Value;
                break;
            case "sqlite":
                if (!string.IsNullOrEmpty(source))
                {
                    return GreyError.Invalid(ErrorCodes.InvalidRequest, "a sqlite mount has no source");
                }

                hostFolder = "";
                break;
            default:
                return GreyError.Invalid(ErrorCodes.InvalidRequest, "the backend is 'local' (a host folder) or 'sqlite' (in the node's store)");
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var mounts = await LoadedAsync(cancellationToken).ConfigureAwait(false);
            if (mounts.ContainsKey(name))
            {
                return GreyError.Conflict(ErrorCodes.MountExists, $"a mount named '{name}' exists");
            }

            if (mounts.Count >= MaxMounts)
            {
                return GreyError.Conflict(ErrorCodes.InvalidRequest, $"a node holds at most {MaxMounts} mounts");
            }

            var info = new MountInfo(name, backend, hostFolder, readOnly, createdBy, time.GetUtcNow());
            var opened = Open(info);

            // The mount point shows in listings of /mnt as a folder of the root backend.
            var placeholder = await root.CreateFolderAsync(point.Value, cancellationToken).ConfigureAwait(false);
            if (!placeholder.IsSuccess && placeholder.Error.Code != ErrorCodes.FileExists)
            {
                return placeholder.Error;
            }

            await using (var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
            await using (var insert = connection.CreateCommand(
                "INSERT INTO fs_mounts (name, backend, source, read_only, created_by, created_at) VALUES ($name, $backend, $source, $ro, $by, $at);")
                .With("$name", name).With("$backend", backend).With("$source", hostFolder).With("$ro", readOnly ? 1 : 0)
                .With("$by", createdBy).With("$at", info.CreatedAt.ToUnixTimeMilliseconds()))
            {
                await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            _mounts = new Dictionary<string, (MountInfo, IStorageBackend)>(mounts, StringComparer.Ordinal) { [name] = (info, opened) };
            return info;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask<Result<MountInfo>> RemoveAsync(string name, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var mounts = await LoadedAsync(cancellationToken).ConfigureAwait(false);
            if (!mounts.TryGetValue(name, out var mount))
            {
                return GreyError.NotFound(ErrorCodes.MountNotFound, $"no mount named '{name}'");
            }

            await using (var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
            await using (var delete = connection.CreateCommand("DELETE FROM fs_mounts WHERE name = $name;").With("$name", name))
            {
                await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            var next = new Dictionary<string, (MountInfo, IStorageBackend)>(mounts, StringComparer.Ordinal);
            next.Remove(name);
            _mounts = next;
            await root.DeleteAsync(VfsPath.Parse("/mnt/" + name).Value, recursive: false, null, cancellationToken).ConfigureAwait(false);
            return mount.Info;
        }
        finally
        {
            _gate.Release();
        }
    }

    private Result<string> CheckHostFolder(string? source)
    {
        if (string.IsNullOrWhiteSpace(source) || !Path.IsPathFullyQualified(source))
        {
            return GreyError.Invalid(ErrorCodes.InvalidRequest, "a local mount needs the absolute path of a host folder");
        }

        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(source));
        var allowed = options.Value.MountRoots
            .Select(r => Path.TrimEndingDirectorySeparator(Path.GetFullPath(r)))
            .Any(r => full == r || full.StartsWith(r + Path.DirectorySeparatorChar, StringComparison.Ordinal));
        if (!allowed)
        {
            return GreyError.Forbidden(ErrorCodes.Forbidden, "the folder is not inside a mount root the node allows (FileSystem:MountRoots)");
        }

        if (data is not null)
        {
            var dataFolder = Path.TrimEndingDirectorySeparator(Path.GetFullPath(data.Path));
            if (full == dataFolder || full.StartsWith(dataFolder + Path.DirectorySeparatorChar, StringComparison.Ordinal)
                || dataFolder.StartsWith(full + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            {
                return GreyError.Forbidden(ErrorCodes.Forbidden, "the node's data folder cannot be mounted (nor a folder holding it)");
            }
        }

        // Every part of the path must be a real folder: a symlink could lead anywhere.
        for (var at = full; !string.IsNullOrEmpty(at) && at != Path.GetPathRoot(at); at = Path.GetDirectoryName(at)!)
        {
            var info = new DirectoryInfo(at);
            if (!info.Exists)
            {
                return GreyError.Invalid(ErrorCodes.InvalidRequest, $"'{at}' is not an existing folder");
            }

            if (info.LinkTarget is not null)
            {
                return GreyError.Forbidden(ErrorCodes.Forbidden, $"'{at}' is a symbolic link");
            }
        }

        return full;
    }

    private IStorageBackend Open(MountInfo info) => info.Backend == "local"
        ? new LocalBackend(info.Source, time)
        : new SqliteBackend(database, chunks, "mnt:" + info.Name, time);

    private async ValueTask<Dictionary<string, (MountInfo Info, IStorageBackend Backend)>> MountsAsync(CancellationToken cancellationToken)
    {
        if (_mounts is { } mounts)
        {
            return mounts;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await LoadedAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The table, loaded on first use (call holding the gate).</summary>
    private async ValueTask<Dictionary<string, (MountInfo Info, IStorageBackend Backend)>> LoadedAsync(CancellationToken cancellationToken)
    {
        if (_mounts is { } known)
        {
            return known;
        }

        var loaded = new Dictionary<string, (MountInfo, IStorageBackend)>(StringComparer.Ordinal);
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand("SELECT name, backend, source, read_only, created_by, created_at FROM fs_mounts;");
        await using DbDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var info = new MountInfo(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3) == 1, reader.GetString(4), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)));
            try
            {
                loaded[info.Name] = (info, Open(info));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
            {
                // A host folder that went away: the mount point shows as an empty folder until it is back (next start).
            }
        }

        _mounts = loaded;
        return loaded;
    }

    public void Dispose() => _gate.Dispose();
}
