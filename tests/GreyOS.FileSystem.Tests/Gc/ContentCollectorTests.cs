using System.Buffers.Binary;
using System.Security.Cryptography;
using GreyOS.Abstractions.FileSystem;
using GreyOS.Abstractions.Storage;
using GreyOS.FileSystem.Backends;
using GreyOS.FileSystem.Content;
using GreyOS.FileSystem.Tests.Conformance;
using GreyOS.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace GreyOS.FileSystem.Tests.Gc;

/// <summary>
/// The content store's garbage collector (design 0004, decision 4) on a real database and store:
/// what it sweeps, what it keeps (references, the grace period, writes in flight), and the race
/// between a deduplicating write and the sweep.
/// </summary>
[Collection(GcSerialTests.Name)]
public sealed class ContentCollectorTests : IAsyncDisposable
{
    private static readonly TimeSpan Grace = TimeSpan.FromHours(1);
    private static readonly DateTimeOffset LongAgo = DateTimeOffset.UtcNow.AddDays(-2);

    private readonly TempDirectory _data = new("greyos-fs-gc");
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
    public async Task Collect_UnreferencedOldChunk_Swept()
    {
        var storage = await StorageAsync();
        var orphan = await StoreOrphanAsync(storage, Bytes(1000, seed: 1));
        Age(storage, orphan);

        var report = await Collector(storage).CollectAsync(Ct);

        Assert.False(storage.Chunks.Exists(orphan));
        Assert.Equal((1L, 1L, 1000L, 0L), (report.Scanned, report.Swept, report.SweptBytes, report.KeptByGrace));
    }

    [Fact]
    public async Task Collect_ReferencedOldChunks_KeptAndFileReadable()
    {
        var storage = await StorageAsync();
        var fs = storage.Backend("gc");
        var content = Bytes(ChunkStore.ChunkSize + 70_000, seed: 2);
        Assert.True((await fs.WriteAsync(P("/big.bin"), new MemoryStream(content), new WriteOptions(), Ct)).IsSuccess);
        AgeAll(storage);

        var report = await Collector(storage).CollectAsync(Ct);

        Assert.Equal((2L, 2L, 0L), (report.Scanned, report.Marked, report.Swept));
        Assert.Equal(content, await ReadAsync(fs, "/big.bin"));
    }

    [Fact]
    public async Task Collect_YoungUnreferencedChunk_KeptByGrace()
    {
        var storage = await StorageAsync();
        var orphan = await StoreOrphanAsync(storage, Bytes(5000, seed: 3));

        var report = await Collector(storage).CollectAsync(Ct);

        Assert.True(storage.Chunks.Exists(orphan));
        Assert.Equal((0L, 1L), (report.Swept, report.KeptByGrace));
    }

    [Fact]
    public async Task Collect_ChunkRevivedByDeduplicatingWrite_Kept()
    {
        var storage = await StorageAsync();
        var bytes = Bytes(9000, seed: 4);
        var orphan = await StoreOrphanAsync(storage, bytes);
        Age(storage, orphan);

        // A write of the same bytes is in flight: it found the chunk (dedup) and has not committed yet.
        var again = await storage.Chunks.WriteAsync(new MemoryStream(bytes), bytes.Length, long.MaxValue, Ct);
        var report = await Collector(storage).CollectAsync(Ct);

        Assert.Equal(orphan, again.Value.Chunks.Single().Hash);
        Assert.True(storage.Chunks.Exists(orphan));
        Assert.Equal((0L, 1L), (report.Swept, report.KeptByGrace));
        Assert.True(storage.Chunks.LastWrittenAt(orphan) > DateTimeOffset.UtcNow - Grace);
    }

    [Fact]
    public async Task TryDeleteUnused_WhileAWriteIsInFlight_KeepsWhatItMayReference()
    {
        var storage = await StorageAsync();
        var orphan = await StoreOrphanAsync(storage, Bytes(100, seed: 5));
        Age(storage, orphan);
        var slow = new GatedStream(Bytes(3000, seed: 6));

        // A write streams slowly (longer than any grace period): nothing refreshed since it began may go.
        var writing = storage.Chunks.WriteAsync(slow, null, long.MaxValue, Ct);
        await slow.Reading.Task.WaitAsync(Ct);
        File.SetLastWriteTimeUtc(storage.Chunks.ChunkPath(orphan), DateTime.UtcNow);
        var duringWrite = storage.Chunks.TryDeleteUnused(orphan, DateTimeOffset.UtcNow.AddMinutes(1));
        slow.Release.SetResult();
        await writing;
        var afterWrite = storage.Chunks.TryDeleteUnused(orphan, DateTimeOffset.UtcNow.AddMinutes(1));

        Assert.Null(duringWrite);
        Assert.Equal(100L, afterWrite);
    }

    [Fact]
    public async Task Collect_RacingDeduplicatingWrites_NeverLosesCommittedContent()
    {
        var storage = await StorageAsync();
        var fs = storage.Backend("gc");
        var collector = Collector(storage);
        for (var round = 0; round < 40; round++)
        {
            // An orphan (e.g. left by a refused write) that is old: exactly what the sweep deletes ...
            var bytes = Bytes(80 * 1024, seed: 100 + round);
            var orphan = await StoreOrphanAsync(storage, bytes);
            Age(storage, orphan);

            // ... while a write of the same bytes deduplicates against it and commits.
            var write = Task.Run(async () => await fs.WriteAsync(P($"/race-{round}.bin"), new MemoryStream(bytes), new WriteOptions(), Ct), Ct);
            var collect = Task.Run(async () => await collector.CollectAsync(Ct), Ct);
            await Task.WhenAll(write, collect);

            Assert.True((await write).IsSuccess);
            Assert.Equal(bytes, await ReadAsync(fs, $"/race-{round}.bin"));
        }
    }

    [Fact]
    public async Task Collect_CopyOutlivesOriginal_ChunksKept()
    {
        var storage = await StorageAsync();
        var fs = storage.Backend("gc");
        var content = Bytes(200_000, seed: 7);
        await fs.WriteAsync(P("/a.bin"), new MemoryStream(content), new WriteOptions(), Ct);
        await fs.CopyAsync(P("/a.bin"), P("/b.bin"), overwrite: false, Ct);
        await fs.DeleteAsync(P("/a.bin"), recursive: false, ifMatch: null, Ct);
        AgeAll(storage);

        var report = await Collector(storage).CollectAsync(Ct);

        Assert.Equal(0L, report.Swept);
        Assert.Equal(content, await ReadAsync(fs, "/b.bin"));
    }

    [Fact]
    public async Task Collect_ChunkListInVersionsTable_Kept_AndMissingSourceTableSkipped()
    {
        var storage = await StorageAsync();
        var kept = await StoreOrphanAsync(storage, Bytes(4096, seed: 8));
        var swept = await StoreOrphanAsync(storage, Bytes(4096, seed: 9));
        AgeAll(storage);
        await using (var connection = await storage.Database.OpenConnectionAsync(Ct))
        {
            await using var create = connection.CreateCommand("CREATE TABLE IF NOT EXISTS fs_versions (id INTEGER PRIMARY KEY, path TEXT NOT NULL, length INTEGER NOT NULL, etag TEXT NOT NULL, modified_at INTEGER NOT NULL, saved_at INTEGER NOT NULL, saved_by TEXT NOT NULL, inline BLOB, chunks BLOB);");
            await create.ExecuteNonQueryAsync(Ct);
            await using var insert = connection.CreateCommand("INSERT INTO fs_versions (path, length, etag, modified_at, saved_at, saved_by, chunks) VALUES ('/v.bin', 4096, '\"v\"', 0, 0, 'usr_test', $chunks);").With("$chunks", Encode(kept, 4096));
            await insert.ExecuteNonQueryAsync(Ct);
        }

        var withVersions = await Collector(storage).CollectAsync(Ct);
        await using (var connection = await storage.Database.OpenConnectionAsync(Ct))
        {
            await using var drop = connection.CreateCommand("DROP TABLE fs_versions;");
            await drop.ExecuteNonQueryAsync(Ct);
        }

        Age(storage, kept);
        var withoutVersions = await Collector(storage).CollectAsync(Ct);

        Assert.Equal((1L, 1L), (withVersions.Marked, withVersions.Swept));
        Assert.False(storage.Chunks.Exists(swept));
        Assert.Equal((0L, 1L), (withoutVersions.Marked, withoutVersions.Swept));
        Assert.False(storage.Chunks.Exists(kept));
    }

    [Fact]
    public async Task Mark_ManyRows_StreamsRowsAndKeepsOnlyDistinctChunks()
    {
        const int rows = 50_000;
        const int chunksPerRow = 10;
        var storage = await StorageAsync();
        var fs = storage.Backend("gc");
        await fs.CreateFolderAsync(P("/many"), Ct);
        var distinct = Enumerable.Range(0, 64).Select(i => Convert.ToHexStringLower(SHA256.HashData(BitConverter.GetBytes(i)))).ToArray();
        await using (var connection = await storage.Database.OpenConnectionAsync(Ct))
        {
            await using var parent = connection.CreateCommand("SELECT id FROM fs_entries WHERE mount = 'gc' AND name = 'many';");
            var parentId = (long)(await parent.ExecuteScalarAsync(Ct))!;
            await using var transaction = await connection.BeginTransactionAsync(Ct);
            for (var row = 0; row < rows; row++)
            {
                var blob = new byte[chunksPerRow * 36];
                for (var c = 0; c < chunksPerRow; c++)
                {
                    Convert.FromHexString(distinct[(row + c) % distinct.Length]).CopyTo(blob, c * 36);
                    BinaryPrimitives.WriteInt32LittleEndian(blob.AsSpan((c * 36) + 32), 1000);
                }

                await using var insert = connection.CreateCommand(
                    "INSERT INTO fs_entries (mount, parent_id, name, kind, length, etag, created_at, modified_at, chunks) VALUES ('gc', $parent, $name, 'file', 10000, '\"x\"', 0, 0, $chunks);",
                    transaction).With("$parent", parentId).With("$name", $"f{row}").With("$chunks", blob);
                await insert.ExecuteNonQueryAsync(Ct);
            }

            await transaction.CommitAsync(Ct);
        }

        var collector = Collector(storage);
        await collector.MarkAsync(Ct); // warm up (JIT, statement cache)
        var retainedBefore = GC.GetTotalMemory(forceFullCollection: true);
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var marks = await collector.MarkAsync(Ct);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        var retained = GC.GetTotalMemory(forceFullCollection: true) - retainedBefore;

        Assert.Equal(distinct.Length, marks.Count);

        // Rows stream through one at a time: the database driver copies each row's list once (360 bytes,
        // short-lived); nothing per chunk (no strings, no objects) and nothing per row stays (the mark
        // set holds 64 keys). Loading the rows as chunk lists would allocate about 2.5 KB a row and keep them.
        Assert.True(allocated < rows * 1200L, $"marking {rows} rows allocated {allocated} bytes");
        Assert.True(retained < 1024 * 1024, $"marking {rows} rows retained {retained} bytes");
        GC.KeepAlive(marks);
    }

    private async Task<SqliteStorageHarness> StorageAsync() => _storage ??= await SqliteStorageHarness.StartAsync(_data.Path);

    private static ContentCollector Collector(SqliteStorageHarness storage) => new(
        storage.Database,
        storage.Chunks,
        Options.Create(new ContentCollectorOptions { GcGracePeriod = Grace }),
        TimeProvider.System,
        NullLogger<ContentCollector>.Instance);

    private static async Task<string> StoreOrphanAsync(SqliteStorageHarness storage, byte[] bytes)
    {
        var stored = await storage.Chunks.WriteAsync(new MemoryStream(bytes), bytes.Length, long.MaxValue, Ct);
        return stored.Value.Chunks.Single().Hash;
    }

    private static void Age(SqliteStorageHarness storage, string hash) => File.SetLastWriteTimeUtc(storage.Chunks.ChunkPath(hash), LongAgo.UtcDateTime);

    private static void AgeAll(SqliteStorageHarness storage)
    {
        foreach (var hash in storage.Chunks.EnumerateHashes())
        {
            Age(storage, hash);
        }
    }

    private static byte[] Encode(string hash, int length)
    {
        var blob = new byte[36];
        Convert.FromHexString(hash).CopyTo(blob, 0);
        BinaryPrimitives.WriteInt32LittleEndian(blob.AsSpan(32), length);
        return blob;
    }

    private static async Task<byte[]> ReadAsync(SqliteBackend fs, string path)
    {
        var opened = await fs.OpenReadAsync(P(path), 0, null, Ct);
        await using var stream = opened.Value;
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy, Ct);
        return copy.ToArray();
    }

    private static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static VfsPath P(string path) => VfsPath.Parse(path).Value;

    /// <summary>Hands out its bytes only after <see cref="Release"/>: a write that streams for a long time.</summary>
    private sealed class GatedStream(byte[] bytes) : Stream
    {
        private readonly MemoryStream _inner = new(bytes);

        public TaskCompletionSource Reading { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Reading.TrySetResult();
            await Release.Task.WaitAsync(cancellationToken);
            return await _inner.ReadAsync(buffer, cancellationToken);
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

/// <summary>The collector's tests measure allocations: not in parallel with other tests.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GcSerialTests
{
    public const string Name = "content-gc";
}
