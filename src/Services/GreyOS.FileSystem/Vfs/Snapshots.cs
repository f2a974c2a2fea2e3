using GreyOS.Abstractions.Errors;
using GreyOS.Abstractions.FileSystem;
using GreyOS.FileSystem.Backends;
using GreyOS.FileSystem.Content;

namespace GreyOS.FileSystem.Vfs;

/// <summary>
/// Versions for every backend: by reference on a <see cref="IContentAwareBackend"/>, otherwise by
/// copying the old content into the content store (inline up to 64 KiB) before it is replaced.
/// Also measures folders (one query, or a walk).
/// </summary>
internal sealed class Snapshots(ChunkStore chunks)
{
    public const int InlineLimit = SqliteBackend.InlineLimit;

    /// <summary>The file's current content kept aside, or null (no file, or too big to copy).</summary>
    public async ValueTask<ContentSnapshot?> TakeAsync(IStorageBackend backend, VfsPath path, StorageEntry existing, long copyLimit, CancellationToken cancellationToken)
    {
        if (backend is IContentAwareBackend aware)
        {
            return await aware.SnapshotAsync(path, cancellationToken).ConfigureAwait(false);
        }

        if (existing.Kind != EntryKind.File || existing.Length > copyLimit)
        {
            return null;
        }

        var opened = await backend.OpenReadAsync(path, 0, null, cancellationToken).ConfigureAwait(false);
        if (!opened.IsSuccess)
        {
            return null;
        }

        await using var content = opened.Value;
        try
        {
            if (existing.Length <= InlineLimit)
            {
                var bytes = new byte[existing.Length];
                await content.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
                return new ContentSnapshot(existing.Length, existing.ETag, existing.ModifiedAt, bytes, null);
            }

            var stored = await chunks.WriteAsync(content, existing.Length, existing.Length, cancellationToken).ConfigureAwait(false);
            return stored.IsSuccess ? new ContentSnapshot(existing.Length, existing.ETag, existing.ModifiedAt, null, ChunkList.Encode(stored.Value.Chunks)) : null;
        }
        catch (EndOfStreamException)
        {
            return null; // the file changed under us (a host folder): the write goes on without a version
        }
    }

    /// <summary>Makes a kept content the file's content again.</summary>
    public async ValueTask<Result<StorageEntry>> RestoreAsync(IStorageBackend backend, VfsPath path, ContentSnapshot snapshot, string? ifMatch, CancellationToken cancellationToken)
    {
        if (backend is IContentAwareBackend aware)
        {
            return await aware.RestoreAsync(path, snapshot, ifMatch, cancellationToken).ConfigureAwait(false);
        }

        await using var content = Open(snapshot);
        return await backend.WriteAsync(path, content, new WriteOptions(IfMatch: ifMatch, ExpectedLength: snapshot.Length), cancellationToken).ConfigureAwait(false);
    }

    public Stream Open(ContentSnapshot snapshot) => snapshot.Chunks is { } list
        ? chunks.OpenRead(ChunkList.Decode(list), 0, null)
        : new MemoryStream(snapshot.Inline ?? [], writable: false);

    /// <summary>The bytes of every file at or under <paramref name="path"/>.</summary>
    public static async ValueTask<long> MeasureAsync(IStorageBackend backend, VfsPath path, CancellationToken cancellationToken)
    {
        if (backend is IContentAwareBackend aware)
        {
            return await aware.MeasureAsync(path, cancellationToken).ConfigureAwait(false);
        }

        if (await backend.StatAsync(path, cancellationToken).ConfigureAwait(false) is not { } entry)
        {
            return 0;
        }

        if (entry.Kind == EntryKind.File)
        {
            return entry.Length;
        }

        long total = 0;
        var pending = new Stack<VfsPath>();
        pending.Push(path);
        while (pending.TryPop(out var folder))
        {
            var children = await backend.ListAsync(folder, cancellationToken).ConfigureAwait(false);
            if (!children.IsSuccess)
            {
                continue;
            }

            foreach (var child in children.Value)
            {
                if (child.Kind == EntryKind.File)
                {
                    total += child.Length;
                }
                else
                {
                    pending.Push(child.Path);
                }
            }
        }

        return total;
    }
}
