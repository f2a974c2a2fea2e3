using System.Buffers;
using System.Security.Cryptography;
using GreyOS.Abstractions.Errors;
using GreyOS.Abstractions.FileSystem;

namespace GreyOS.FileSystem.Backends;

/// <summary>
/// A backend in memory (tests, scratch mounts): a tree of nodes under one lock. Writes read the
/// whole input first, then switch the content in one step, so a failed write changes nothing.
/// Nothing survives the process.
/// </summary>
internal sealed class MemoryBackend(TimeProvider time) : IStorageBackend
{
    private readonly Lock _lock = new();
    private readonly Node _root = Node.Folder(time.GetUtcNow());

    public string Kind => "memory";

    public ValueTask<StorageEntry?> StatAsync(VfsPath path, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(Find(path) is { } node ? node.Entry(path) : null);
        }
    }

    public ValueTask<Result<IReadOnlyList<StorageEntry>>> ListAsync(VfsPath folder, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            Result<IReadOnlyList<StorageEntry>> result = FindFolder(folder) is { IsSuccess: true } found
                ? found.Value.Children!.Select(c => c.Value.Entry(Child(folder, c.Key))).ToList()
                : FindFolder(folder).Error!;
            return ValueTask.FromResult(result);
        }
    }

    public ValueTask<Result<Stream>> OpenReadAsync(VfsPath path, long offset, long? length, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        lock (_lock)
        {
            if (Find(path) is not { } node)
            {
                return ValueTask.FromResult<Result<Stream>>(NotFound(path));
            }

            if (node.Content is not { } content)
            {
                return ValueTask.FromResult<Result<Stream>>(GreyError.Invalid(ErrorCodes.NotAFile, $"'{path}' is a folder"));
            }

            var start = (int)Math.Min(offset, content.Length);
            var count = (int)Math.Min(length ?? long.MaxValue, content.Length - start);
            return ValueTask.FromResult<Result<Stream>>(new MemoryStream(content, start, count, writable: false));
        }
    }

    public async ValueTask<Result<StorageEntry>> WriteAsync(VfsPath path, Stream content, WriteOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(options);
        if (path.IsRoot)
        {
            return GreyError.Invalid(ErrorCodes.NotAFile, "the root is a folder");
        }

        // Read everything before touching the tree: a short, long or oversized upload changes nothing.
        var bytes = await ReadAllAsync(content, options, cancellationToken).ConfigureAwait(false);
        if (!bytes.IsSuccess)
        {
            return bytes.Error;
        }

        lock (_lock)
        {
            var parent = FindFolder(path.Parent);
            if (!parent.IsSuccess)
            {
                return parent.Error;
            }

            var now = time.GetUtcNow();
            var existing = parent.Value.Children!.GetValueOrDefault(path.Name);
            if (existing is not null && (options.CreateOnly || existing.Content is null))
            {
                return existing.Content is null
                    ? GreyError.Invalid(ErrorCodes.NotAFile, $"'{path}' is a folder")
                    : GreyError.Conflict(ErrorCodes.FileExists, $"'{path}' already exists");
            }

            if (options.IfMatch is { } etag && (existing is null || existing.ETag != etag))
            {
                return GreyError.PreconditionFailed(ErrorCodes.EtagMismatch, $"'{path}' changed since it was read (ETag differs)");
            }

            var data = options.Append && existing?.Content is { } old ? [.. old, .. bytes.Value] : bytes.Value;
            if (data.Length > options.MaxLength)
            {
                return TooLarge(options.MaxLength);
            }

            var node = Node.File(data, existing?.CreatedAt ?? now, now);
            parent.Value.Children![path.Name] = node;
            return node.Entry(path);
        }
    }

    public ValueTask<Result<StorageEntry>> CreateFolderAsync(VfsPath path, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (path.IsRoot)
            {
                return ValueTask.FromResult<Result<StorageEntry>>(GreyError.Conflict(ErrorCodes.FileExists, "the root exists"));
            }

            var parent = FindFolder(path.Parent);
            if (!parent.IsSuccess)
            {
                return ValueTask.FromResult<Result<StorageEntry>>(parent.Error);
            }

            if (parent.Value.Children!.ContainsKey(path.Name))
            {
                return ValueTask.FromResult<Result<StorageEntry>>(GreyError.Conflict(ErrorCodes.FileExists, $"'{path}' already exists"));
            }

            var node = Node.Folder(time.GetUtcNow());
            parent.Value.Children[path.Name] = node;
            return ValueTask.FromResult<Result<StorageEntry>>(node.Entry(path));
        }
    }

    public ValueTask<Result<StorageEntry>> MoveAsync(VfsPath source, VfsPath destination, bool overwrite, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Transfer(source, destination, overwrite, move: true));

    public ValueTask<Result<StorageEntry>> CopyAsync(VfsPath source, VfsPath destination, bool overwrite, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Transfer(source, destination, overwrite, move: false));

    public ValueTask<Result<StorageEntry>> DeleteAsync(VfsPath path, bool recursive, string? ifMatch, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (path.IsRoot)
            {
                return ValueTask.FromResult<Result<StorageEntry>>(GreyError.Invalid(ErrorCodes.InvalidRequest, "the root cannot be deleted"));
            }

            var parent = FindFolder(path.Parent);
            if (!parent.IsSuccess || !parent.Value.Children!.TryGetValue(path.Name, out var node))
            {
                return ValueTask.FromResult<Result<StorageEntry>>(NotFound(path));
            }

            if (ifMatch is not null && node.ETag != ifMatch)
            {
                return ValueTask.FromResult<Result<StorageEntry>>(GreyError.PreconditionFailed(ErrorCodes.EtagMismatch, $"'{path}' changed since it was read (ETag differs)"));
            }

            if (node.Children is { Count: > 0 } && !recursive)
            {
                return ValueTask.FromResult<Result<StorageEntry>>(GreyError.Conflict(ErrorCodes.FolderNotEmpty, $"'{path}' is not empty"));
            }

            parent.Value.Children.Remove(path.Name);
            return ValueTask.FromResult<Result<StorageEntry>>(node.Entry(path));
        }
    }

    private Result<StorageEntry> Transfer(VfsPath from, VfsPath to, bool overwrite, bool move)
    {
        lock (_lock)
        {
            if (from.IsRoot || to.IsRoot)
            {
                return GreyError.Invalid(ErrorCodes.InvalidRequest, "the root cannot be moved, copied or replaced");
            }

            if (to.IsSameOrUnder(from))
            {
                return GreyError.Invalid(ErrorCodes.InvalidPath, $"'{to}' is inside '{from}'");
            }

            var sourceParent = FindFolder(from.Parent);
            if (!sourceParent.IsSuccess || !sourceParent.Value.Children!.TryGetValue(from.Name, out var source))
            {
                return NotFound(from);
            }

            var targetParent = FindFolder(to.Parent);
            if (!targetParent.IsSuccess)
            {
                return targetParent.Error;
            }

            if (targetParent.Value.Children!.TryGetValue(to.Name, out var existing))
            {
                if (!overwrite)
                {
                    return GreyError.Conflict(ErrorCodes.FileExists, $"'{to}' already exists");
                }

                if (existing.Children is { Count: > 0 })
                {
                    return GreyError.Conflict(ErrorCodes.FolderNotEmpty, $"'{to}' is a folder that is not empty");
                }
            }

            var node = move ? source : source.Clone(time.GetUtcNow());
            if (move)
            {
                sourceParent.Value.Children.Remove(from.Name);
            }

            targetParent.Value.Children[to.Name] = node;
            return node.Entry(to);
        }
    }

    private Node? Find(VfsPath path)
    {
        var node = _root;
        foreach (var segment in path.Segments)
        {
            if (node.Children is null || !node.Children.TryGetValue(segment, out var child))
            {
                return null;
            }

            node = child;
        }

        return node;
    }

    private Result<Node> FindFolder(VfsPath path)
    {
        var node = _root;
        foreach (var segment in path.Segments)
        {
            if (node.Children is null)
            {
                return GreyError.Invalid(ErrorCodes.NotAFolder, $"a parent of '{path}' is a file");
            }

            if (!node.Children.TryGetValue(segment, out var child))
            {
                return NotFound(path);
            }

            node = child;
        }

        return node.Children is null ? GreyError.Invalid(ErrorCodes.NotAFolder, $"'{path}' is a file") : node;
    }

    private static VfsPath Child(VfsPath folder, string name) => folder.Combine(name).Value;

    private static async Task<Result<byte[]>> ReadAllAsync(Stream content, WriteOptions options, CancellationToken cancellationToken)
    {
        var limit = Math.Min(options.MaxLength, options.ExpectedLength ?? long.MaxValue);
        using var buffer = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            int read;
            while ((read = await content.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > limit)
                {
                    return buffer.Length + read > options.MaxLength
                        ? TooLarge(options.MaxLength)
                        : GreyError.Invalid(ErrorCodes.ContentLengthMismatch, $"more than the declared {options.ExpectedLength} bytes arrived");
                }

                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        if (options.ExpectedLength is { } expected && buffer.Length != expected)
        {
            return GreyError.Invalid(ErrorCodes.ContentLengthMismatch, $"{buffer.Length} of the declared {expected} bytes arrived");
        }

        return buffer.ToArray();
    }

    private static GreyError TooLarge(long max) => GreyError.TooLarge(ErrorCodes.ContentTooLarge, $"more than {max} bytes");

    private static GreyError NotFound(VfsPath path) => GreyError.NotFound(ErrorCodes.FileNotFound, $"no '{path}'");

    private sealed class Node
    {
        private Node(byte[]? content, Dictionary<string, Node>? children, string etag, DateTimeOffset created, DateTimeOffset modified)
        {
            Content = content;
            Children = children;
            ETag = etag;
            CreatedAt = created;
            ModifiedAt = modified;
        }

        public byte[]? Content { get; }

        public Dictionary<string, Node>? Children { get; }

        public string ETag { get; }

        public DateTimeOffset CreatedAt { get; }

        public DateTimeOffset ModifiedAt { get; }

        public static Node File(byte[] content, DateTimeOffset created, DateTimeOffset modified) =>
            new(content, null, Convert.ToHexStringLower(SHA256.HashData(content)), created, modified);

        public static Node Folder(DateTimeOffset now) =>
            new(null, new Dictionary<string, Node>(StringComparer.Ordinal), "d" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)), now, now);

        public Node Clone(DateTimeOffset now)
        {
            if (Content is not null)
            {
                return new Node(Content, null, ETag, now, now);
            }

            var copy = Folder(now);
            foreach (var (name, child) in Children!)
            {
                copy.Children![name] = child.Clone(now);
            }

            return copy;
        }

        public StorageEntry Entry(VfsPath path) =>
            new(path, Content is null ? EntryKind.Folder : EntryKind.File, Content?.LongLength ?? 0, ETag, CreatedAt, ModifiedAt);
    }
}
