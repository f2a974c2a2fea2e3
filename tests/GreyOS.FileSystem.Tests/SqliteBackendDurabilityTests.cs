using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using GreyOS.Abstractions.Errors;
using GreyOS.Abstractions.FileSystem;
using GreyOS.Abstractions.Storage;
using GreyOS.FileSystem.Backends;
using GreyOS.FileSystem.Content;
using GreyOS.FileSystem.Tests.Conformance;
using GreyOS.Testing;

namespace GreyOS.FileSystem.Tests;

/// <summary>
/// The <c>sqlite</c> backend beyond the conformance suite: metadata-only copies of big files, mounts
/// sharing one database, refused and failed writes, restarts, appends, deletes of whole subtrees.
/// </summary>
public sealed class SqliteBackendDurabilityTests : IAsyncDisposable
{
    private const int MiB = 1024 * 1024;
    private const int Chunk = ChunkStore.ChunkSize;

    private readonly TempDirectory _data = new("greyos-fs-durability");
    private SqliteStorageHarness? _storage;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask DisposeAsync()
    {
        if (_storage is not null)
        {
            await _storage.DisposeAsync();
        }

        _data.Dispose();
    }

    [Fact]
    public async Task Copy_OneGibFile_IsMetadataOnly()
    {
        const long size = 1L << 30;
        var storage = await StorageAsync();
        var fs = storage.Backend("home");
        var watch = Stopwatch.StartNew();
        var written = await fs.WriteAsync(P("/big.bin"), new PseudoRandomStream(size, seed: 1), new WriteOptions(ExpectedLength: size), Ct);
        var writeTime = watch.Elapsed;
        Assert.True(written.IsSuccess, written.Error?.Message);
        var filesBefore = ChunkFiles(storage);

        watch.Restart();
        var copied = await fs.CopyAsync(P("/big.bin"), P("/copy.bin"), overwrite: false, Ct);
        var copyTime = watch.Elapsed;
        watch.Restart();
        var again = await fs.CopyAsync(P("/big.bin"), P("/copy2.bin"), overwrite: false, Ct);
        var secondCopyTime = watch.Elapsed;

        Assert.True(copied.IsSuccess, copied.Error?.Message);
        Assert.True(again.IsSuccess, again.Error?.Message);
        Assert.Equal(size / Chunk, storage.Chunks.EnumerateHashes().Count());
        Assert.Equal(filesBefore, ChunkFiles(storage)); // metadata only: not one chunk written (its speed: bench/, VfsBenchmarks)
        Assert.Equal((size, written.Value.ETag), (copied.Value.Length, copied.Value.ETag));

        // The copy reads the original's bytes, across a chunk boundary near the end.
        var offset = size - Chunk - 100;
        var opened = await fs.OpenReadAsync(P("/copy.bin"), offset, 200, Ct);
        await using var stream = opened.Value;
        Assert.Equal(PseudoRandomStream.Expected(1, offset, 200), await ReadAllAsync(stream));
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"1 GiB: write {writeTime.TotalSeconds:F2} s, copy {copyTime.TotalMilliseconds:F2} ms, second copy {secondCopyTime.TotalMilliseconds:F2} ms");
    }

    /// <summary>Every entry of a 10,000-entry folder in one listing (how fast: bench/, the VFS listing benchmark).</summary>
    [Fact]
    public async Task List_TenThousandEntries_ReturnsEveryEntryWithItsKind()
    {
        var storage = await StorageAsync();
        var fs = storage.Backend("home");
        await fs.CreateFolderAsync(P("/many"), Ct);
        for (var i = 0; i < 10_000; i++)
        {
            var path = P($"/many/f{i:D5}.txt");
            var created = i % 2 == 0
                ? (await fs.WriteAsync(path, new MemoryStream(Encoding.UTF8.GetBytes($"file {i}")), new WriteOptions(), Ct)).IsSuccess
                : (await fs.CreateFolderAsync(path, Ct)).IsSuccess;
            Assert.True(created);
        }

        var listing = (await fs.ListAsync(P("/many"), Ct)).Value;

        Assert.Equal(10_000, listing.Count);
        Assert.Equal(10_000, listing.Select(e => e.Name).Distinct(StringComparer.Ordinal).Count());
        Assert.All(listing, e => Assert.Equal(int.Parse(e.Name[1..6], CultureInfo.InvariantCulture) % 2 == 0 ? EntryKind.File : EntryKind.Folder, e.Kind));
    }

    [Fact]
    public async Task TwoMounts_ShareOneDatabase_StaySeparate()
    {
        var storage = await StorageAsync();
        var alice = storage.Backend("alice");
        var bob = storage.Backend("bob");

        await WriteAsync(alice, "/notes.txt", "alice's notes");
        await WriteAsync(bob, "/notes.txt", "bob's notes");
        await alice.CreateFolderAsync(P("/only-alice"), Ct);
        var aliceSame = await WriteAsync(alice, "/same.txt", "same bytes");
        var bobSame = await WriteAsync(bob, "/same.txt", "same bytes");

        Assert.Equal("alice's notes", await ReadAsync(alice, "/notes.txt"));
        Assert.Equal("bob's notes", await ReadAsync(bob, "/notes.txt"));
        Assert.Null(await bob.StatAsync(P("/only-alice"), Ct));
        Assert.Equal(ErrorCodes.FileNotFound, (await bob.ListAsync(P("/only-alice"), Ct)).Error?.Code);
        Assert.Equal(["notes.txt", "only-alice", "same.txt"], await NamesAsync(alice, "/"));
        Assert.Equal(["notes.txt", "same.txt"], await NamesAsync(bob, "/"));
        Assert.Equal(aliceSame.ETag, bobSame.ETag);

        Assert.True((await alice.DeleteAsync(P("/notes.txt"), recursive: false, null, Ct)).IsSuccess);
        Assert.True((await bob.MoveAsync(P("/notes.txt"), P("/moved.txt"), overwrite: false, Ct)).IsSuccess);
        Assert.True((await alice.DeleteAsync(P("/"), recursive: true, null, Ct)).Error is { Code: ErrorCodes.InvalidRequest });

        Assert.Equal(["only-alice", "same.txt"], await NamesAsync(alice, "/"));
        Assert.Equal(["moved.txt", "same.txt"], await NamesAsync(bob, "/"));
        Assert.Equal("bob's notes", await ReadAsync(bob, "/moved.txt"));

        // The mount id is the tree: another backend object on "alice" sees alice's files.
        Assert.Equal(["only-alice", "same.txt"], await NamesAsync(storage.Backend("alice"), "/"));
    }

    [Fact]
    public async Task Write_RefusedOrFailedMidStream_LeavesTheOldContent()
    {
        var storage = await StorageAsync();
        var fs = storage.Backend("home");
        var oldBig = (await fs.WriteAsync(P("/big"), new PseudoRandomStream((5 * MiB) + 3, seed: 7), new WriteOptions(), Ct)).Value;
        var oldSmall = await WriteAsync(fs, "/small", "small and inline");

        foreach (var path in new[] { "/big", "/small" })
        {
            // More than allowed: refused after two chunks were already stored.
            var tooLarge = await fs.WriteAsync(P(path), new PseudoRandomStream(12 * MiB, seed: 8), new WriteOptions(MaxLength: 9 * MiB), Ct);

            // A truncated upload: fewer bytes than declared.
            var truncated = await fs.WriteAsync(P(path), new PseudoRandomStream(10 * MiB, seed: 9), new WriteOptions(ExpectedLength: 12 * MiB), Ct);

            // The client goes away mid-upload: the stream fails.
            await Assert.ThrowsAsync<IOException>(async () =>
                await fs.WriteAsync(P(path), new PseudoRandomStream(12 * MiB, seed: 10, failAt: 6 * MiB), new WriteOptions(), Ct));

            // An append that would grow the file past the limit.
            var limit = (path == "/big" ? oldBig.Length : oldSmall.Length) + 10;
            var appendTooLarge = await fs.WriteAsync(P(path), new PseudoRandomStream(MiB, seed: 11), new WriteOptions(MaxLength: limit, Append: true), Ct);

            Assert.Equal(ErrorCodes.ContentTooLarge, tooLarge.Error?.Code);
            Assert.Equal(ErrorCodes.ContentLengthMismatch, truncated.Error?.Code);
            Assert.Equal(ErrorCodes.ContentTooLarge, appendTooLarge.Error?.Code);
        }

        Assert.Equal(oldBig, await fs.StatAsync(P("/big"), Ct));
        Assert.Equal(oldSmall, await fs.StatAsync(P("/small"), Ct));
        Assert.Equal("small and inline", await ReadAsync(fs, "/small"));
        var opened = await fs.OpenReadAsync(P("/big"), 0, null, Ct);
        await using var stream = opened.Value;
        Assert.Equal(PseudoRandomStream.Expected(7, 0, (5 * MiB) + 3), await ReadAllAsync(stream));
    }

    [Fact]
    public async Task Restart_KeepsEverything()
    {
        var storage = await StorageAsync();
        var fs = storage.Backend("home");
        await fs.CreateFolderAsync(P("/docs"), Ct);
        await fs.CreateFolderAsync(P("/docs/deep"), Ct);
        await WriteAsync(fs, "/docs/a.txt", "inline text");
        await fs.WriteAsync(P("/docs/deep/big.bin"), new PseudoRandomStream((5 * MiB) + 1, seed: 3), new WriteOptions(), Ct);
        await WriteAsync(fs, "/log", "one\n");
        await WriteAsync(fs, "/log", "two\n", new WriteOptions(Append: true));
        Assert.True((await fs.CopyAsync(P("/docs"), P("/backup"), overwrite: false, Ct)).IsSuccess);
        Assert.True((await fs.MoveAsync(P("/docs/a.txt"), P("/docs/deep/a.txt"), overwrite: false, Ct)).IsSuccess);
        var before = await TreeAsync(fs);

        await RestartAsync();
        var reopened = _storage!.Backend("home");

        Assert.Equal(before, await TreeAsync(reopened));
        Assert.Equal(1L, await ScalarAsync(_storage.Database, "SELECT COUNT(*) FROM fs_entries WHERE mount = 'home' AND parent_id IS NULL;"));
        Assert.Equal("inline text", await ReadAsync(reopened, "/docs/deep/a.txt"));
        Assert.Equal("inline text", await ReadAsync(reopened, "/backup/a.txt"));
        Assert.Equal("one\ntwo\n", await ReadAsync(reopened, "/log"));
        var opened = await reopened.OpenReadAsync(P("/backup/deep/big.bin"), 0, null, Ct);
        await using (var stream = opened.Value)
        {
            Assert.Equal(PseudoRandomStream.Expected(3, 0, (5 * MiB) + 1), await ReadAllAsync(stream));
        }

        await WriteAsync(reopened, "/log", "three\n", new WriteOptions(Append: true));
        Assert.Equal("one\ntwo\nthree\n", await ReadAsync(reopened, "/log"));
    }

    [Fact]
    public async Task Append_InPieces_SameContentAndETagAsOneWrite()
    {
        var storage = await StorageAsync();
        var fs = storage.Backend("home");
        var bytes = PseudoRandomStream.Expected(5, 0, (9 * MiB) + 5);
        var whole = (await fs.WriteAsync(P("/whole"), new MemoryStream(bytes), new WriteOptions(), Ct)).Value;

        // Inline, still inline, past the inline limit, past a chunk boundary, then the rest.
        int[] cuts = [0, 100, 60 * 1024, 70 * 1024, Chunk + 7, bytes.Length];
        StorageEntry appended = null!;
        for (var i = 1; i < cuts.Length; i++)
        {
            var piece = new MemoryStream(bytes, cuts[i - 1], cuts[i] - cuts[i - 1]);
            var result = await fs.WriteAsync(P("/pieces"), piece, new WriteOptions(ExpectedLength: piece.Length, Append: true), Ct);
            Assert.True(result.IsSuccess, result.Error?.Message);
            appended = result.Value;
        }

        Assert.Equal((whole.Length, whole.ETag), (appended.Length, appended.ETag));
        var opened = await fs.OpenReadAsync(P("/pieces"), 0, null, Ct);
        await using var stream = opened.Value;
        Assert.Equal(bytes, await ReadAllAsync(stream));
    }

    [Fact]
    public async Task Append_Concurrent_EveryAppendLands()
    {
        var storage = await StorageAsync();
        var fs = storage.Backend("home");
        await WriteAsync(fs, "/log", "");

        await Task.WhenAll(Enumerable.Range(0, 24).Select(i => Task.Run(async () =>
        {
            var line = Encoding.UTF8.GetBytes($"line {i:D2}\n");
            var result = await fs.WriteAsync(P("/log"), new MemoryStream(line), new WriteOptions(Append: true), Ct);
            Assert.True(result.IsSuccess, result.Error?.Message);
        })));

        var lines = (await ReadAsync(fs, "/log")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Enumerable.Range(0, 24).Select(i => $"line {i:D2}"), lines.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task InlineETag_IsTheContentStoreIdentityOfTheSameBytes()
    {
        var storage = await StorageAsync();
        var fs = storage.Backend("home");
        var bytes = PseudoRandomStream.Expected(6, 0, 1000);

        var entry = (await fs.WriteAsync(P("/inline"), new MemoryStream(bytes), new WriteOptions(), Ct)).Value;
        var empty = await WriteAsync(fs, "/empty", "");
        var stored = (await storage.Chunks.WriteAsync(new MemoryStream(bytes), null, long.MaxValue, Ct)).Value;

        Assert.Equal($"\"{stored.Id}\"", entry.ETag);
        Assert.Equal($"\"{ContentRef.Empty.Id}\"", empty.ETag);
        Assert.Equal(0, empty.Length);
        Assert.Equal(string.Empty, await ReadAsync(fs, "/empty"));
    }

    [Fact]
    public async Task Delete_Recursive_RemovesTheWholeSubtreeButNoChunks()
    {
        var storage = await StorageAsync();
        var fs = storage.Backend("home");
        var path = "";
        for (var depth = 0; depth < 20; depth++)
        {
            path += $"/d{depth}";
            await fs.CreateFolderAsync(P(path), Ct);
            await WriteAsync(fs, path + "/f", $"file at depth {depth}");
        }

        await fs.WriteAsync(P(path + "/big"), new PseudoRandomStream(Chunk + 1, seed: 4), new WriteOptions(), Ct);
        await WriteAsync(fs, "/keep", "kept");
        var chunks = storage.Chunks.EnumerateHashes().Count();

        var deleted = await fs.DeleteAsync(P("/d0"), recursive: true, null, Ct);

        Assert.True(deleted.IsSuccess, deleted.Error?.Message);
        Assert.Equal(2L, await ScalarAsync(storage.Database, "SELECT COUNT(*) FROM fs_entries WHERE mount = 'home';"));
        Assert.Equal(["keep"], await NamesAsync(fs, "/"));
        Assert.Equal(chunks, storage.Chunks.EnumerateHashes().Count());
    }

    [Fact]
    public async Task Move_FolderOntoEmptyFolder_ReplacesItAndKeepsETags()
    {
        var storage = await StorageAsync();
        var fs = storage.Backend("home");
        var folder = (await fs.CreateFolderAsync(P("/a"), Ct)).Value;
        var file = await WriteAsync(fs, "/a/f", "x");
        await fs.CreateFolderAsync(P("/b"), Ct);

        var moved = await fs.MoveAsync(P("/a"), P("/b"), overwrite: true, Ct);
        var copied = await fs.CopyAsync(P("/b"), P("/c"), overwrite: false, Ct);

        Assert.Equal(folder.ETag, moved.Value.ETag);
        Assert.Equal(file.ETag, (await fs.StatAsync(P("/b/f"), Ct))!.ETag);
        Assert.NotEqual(folder.ETag, copied.Value.ETag);
        Assert.Equal(file.ETag, (await fs.StatAsync(P("/c/f"), Ct))!.ETag);
        Assert.Equal(["b", "c"], await NamesAsync(fs, "/"));
    }

    private async Task<SqliteStorageHarness> StorageAsync() => _storage ??= await SqliteStorageHarness.StartAsync(_data.Path);

    /// <summary>Stops the storage like a node stop (providers disposed, pools cleared) and starts it again on the same folder.</summary>
    private async Task RestartAsync()
    {
        await _storage!.DisposeAsync();
        _storage = await SqliteStorageHarness.StartAsync(_data.Path);
    }

    private static VfsPath P(string path) => VfsPath.Parse(path).Value;

    private static int ChunkFiles(SqliteStorageHarness storage) =>
        Directory.EnumerateFiles(storage.Chunks.Root, "*", SearchOption.AllDirectories).Count();

    private static async Task<StorageEntry> WriteAsync(SqliteBackend backend, string path, string text, WriteOptions? options = null)
    {
        var written = await backend.WriteAsync(P(path), new MemoryStream(Encoding.UTF8.GetBytes(text)), options ?? new WriteOptions(), Ct);
        Assert.True(written.IsSuccess, written.Error?.Message);
        return written.Value;
    }

    private static async Task<string> ReadAsync(SqliteBackend backend, string path)
    {
        var opened = await backend.OpenReadAsync(P(path), 0, null, Ct);
        Assert.True(opened.IsSuccess, opened.Error?.Message);
        await using var stream = opened.Value;
        return Encoding.UTF8.GetString(await ReadAllAsync(stream));
    }

    private static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy, Ct);
        return copy.ToArray();
    }

    private static async Task<string[]> NamesAsync(SqliteBackend backend, string folder) =>
        [.. (await backend.ListAsync(P(folder), Ct)).Value.Select(e => e.Name).Order(StringComparer.Ordinal)];

    /// <summary>Every entry below the root, depth first, in name order.</summary>
    private static async Task<List<StorageEntry>> TreeAsync(SqliteBackend backend)
    {
        var entries = new List<StorageEntry> { (await backend.StatAsync(VfsPath.Root, Ct))! };
        var pending = new Stack<VfsPath>([VfsPath.Root]);
        while (pending.TryPop(out var folder))
        {
            foreach (var entry in (await backend.ListAsync(folder, Ct)).Value.OrderBy(e => e.Name, StringComparer.Ordinal))
            {
                entries.Add(entry);
                if (entry.Kind == EntryKind.Folder)
                {
                    pending.Push(entry.Path);
                }
            }
        }

        return entries;
    }

    private static async Task<long> ScalarAsync(IDatabase database, string sql)
    {
        await using var connection = await database.OpenConnectionAsync(Ct);
        await using var command = connection.CreateCommand(sql);
        return (long)(await command.ExecuteScalarAsync(Ct))!;
    }

    /// <summary>
    /// <paramref name="length"/> bytes of deterministic pseudo-random data, generated as read (nothing
    /// is allocated up front): the 8 bytes at word <c>i</c> are SplitMix64 of <c>seed</c> and <c>i</c>,
    /// so any range can be recomputed with <see cref="Expected"/>. With <paramref name="failAt"/>, a
    /// read at or past that position throws <see cref="IOException"/> (a client going away mid-upload).
    /// </summary>
    private sealed class PseudoRandomStream(long length, ulong seed, long failAt = long.MaxValue) : Stream
    {
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public static byte[] Expected(ulong seed, long offset, int count)
        {
            var bytes = new byte[count];
            Fill(seed, offset, bytes);
            return bytes;
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_position >= failAt)
            {
                throw new IOException("the client went away");
            }

            var count = (int)Math.Min(buffer.Length, length - _position);
            Fill(seed, _position, buffer[..count]);
            _position += count;
            return count;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.FromResult(Read(buffer.AsSpan(offset, count)));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private static void Fill(ulong seed, long position, Span<byte> destination)
        {
            Span<byte> word = stackalloc byte[8];
            var at = 0;
            while (at < destination.Length)
            {
                var index = (position + at) / 8;
                var skip = (int)((position + at) % 8);
                if (skip == 0 && destination.Length - at >= 8)
                {
                    BinaryPrimitives.WriteUInt64LittleEndian(destination[at..], SplitMix64(seed, (ulong)index));
                    at += 8;
                    continue;
                }

                BinaryPrimitives.WriteUInt64LittleEndian(word, SplitMix64(seed, (ulong)index));
                var take = Math.Min(8 - skip, destination.Length - at);
                word.Slice(skip, take).CopyTo(destination[at..]);
                at += take;
            }
        }

        private static ulong SplitMix64(ulong seed, ulong index)
        {
            var z = (seed * 0x9E3779B97F4A7C15UL) + ((index + 1) * 0x9E3779B97F4A7C15UL);
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }
}
