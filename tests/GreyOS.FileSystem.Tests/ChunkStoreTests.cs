using System.Security.Cryptography;
using GreyOS.Abstractions.Errors;
using GreyOS.FileSystem.Content;
using GreyOS.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace GreyOS.FileSystem.Tests;

/// <summary>The content store on a real disk: chunking, dedup, range reads, refusals, corruption, concurrency.</summary>
public sealed class ChunkStoreTests : IDisposable
{
    private const int MiB = 1024 * 1024;
    private const int Chunk = ChunkStore.ChunkSize;

    private readonly TempDirectory _data = new("greyos-chunks");
    private readonly ChunkStore _store;

    public ChunkStoreTests() => _store = NewStore();

    public void Dispose() => _data.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Root => _data.File(ChunkStore.FolderName);

    public static TheoryData<int> RoundTripLengths => [0, 1, Chunk - 1, Chunk, Chunk + 1, 10 * MiB];

    [Theory]
    [MemberData(nameof(RoundTripLengths))]
    public async Task WriteAsync_ThenOpenRead_ReturnsTheSameBytes(int length)
    {
        var bytes = RandomBytes(length);

        var content = await WriteAsync(bytes);

        Assert.Equal(length, content.Length);
        Assert.Equal((length + Chunk - 1) / Chunk, content.Chunks.Count);
        Assert.All(content.Chunks.SkipLast(1), c => Assert.Equal(Chunk, c.Length));
        Assert.Equal(bytes, await ReadAllAsync(_store.OpenRead(content, 0, null)));
        Assert.Equal(bytes, ReadAllSync(_store.OpenRead(content, 0, null)));
        foreach (var chunk in content.Chunks)
        {
            Assert.True(_store.Exists(chunk.Hash));
            Assert.Equal(chunk.Length, _store.LengthOf(chunk.Hash));
        }
    }

    [Fact]
    public async Task WriteAsync_Chunks_AreNamedBySha256UnderTwoLevelFolders()
    {
        var bytes = RandomBytes(Chunk + 10);

        var content = await WriteAsync(bytes);

        var first = Convert.ToHexStringLower(SHA256.HashData(bytes.AsSpan(0, Chunk)));
        var second = Convert.ToHexStringLower(SHA256.HashData(bytes.AsSpan(Chunk)));
        Assert.Equal(new[] { first, second }, content.Chunks.Select(c => c.Hash));
        Assert.True(File.Exists(Path.Combine(Root, first[..2], first[2..4], first)));
        var identity = Convert.ToHexStringLower(SHA256.HashData([.. Convert.FromHexString(first), .. Convert.FromHexString(second)]));
        Assert.Equal(identity, content.Id);
    }

    [Fact]
    public async Task WriteAsync_EmptyInput_GivesNoChunksAndTheEmptyIdentity()
    {
        var content = await WriteAsync([]);

        Assert.Empty(content.Chunks);
        Assert.Equal(0, content.Length);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData([])), content.Id);
        Assert.Equal(ContentRef.Empty, content);
        Assert.Empty(_store.EnumerateHashes());
    }

    [Fact]
    public async Task WriteAsync_TrickledInSmallReads_ChunksLikeOneBigRead()
    {
        var bytes = RandomBytes(Chunk + 12345);

        var whole = await WriteAsync(bytes);
        var trickled = (await _store.WriteAsync(new TrickleStream(bytes, 7777), bytes.Length, long.MaxValue, Ct)).Value;

        Assert.Equal(whole, trickled);
        Assert.Equal(whole.Chunks, trickled.Chunks);
    }

    [Theory]
    [InlineData(0, 10)]
    [InlineData(Chunk - 10, 20)]
    [InlineData(Chunk - 1, 2)]
    [InlineData(Chunk, 1)]
    [InlineData(Chunk - 1, 1)]
    [InlineData(Chunk - 100, Chunk + 200)]
    [InlineData(2 * Chunk - 5, 5 + 7)]
    [InlineData(1, (10 * MiB) - 2)]
    [InlineData(10 * MiB, 0)]
    [InlineData((10 * MiB) - 1, 1)]
    public async Task OpenRead_Range_ReturnsExactlyThoseBytes(int offset, int length)
    {
        var bytes = RandomBytes(10 * MiB);
        var content = await WriteAsync(bytes);

        await using var stream = _store.OpenRead(content, offset, length);

        Assert.Equal(length, stream.Length);
        Assert.Equal(bytes.AsSpan(offset, length).ToArray(), await ReadAllAsync(stream));
    }

    [Fact]
    public async Task OpenRead_NoLength_ReadsToTheEnd()
    {
        var bytes = RandomBytes(Chunk + 100);
        var content = await WriteAsync(bytes);

        using var stream = _store.OpenRead(content, Chunk - 50, null);

        Assert.Equal(150, stream.Length);
        Assert.Equal(bytes.AsSpan(Chunk - 50).ToArray(), ReadAllSync(stream));
    }

    [Fact]
    public async Task OpenRead_SeekAcrossChunks_ReadsFromTheNewPosition()
    {
        var bytes = RandomBytes(10 * MiB);
        var content = await WriteAsync(bytes);
        using var stream = _store.OpenRead(content, 0, null);
        var buffer = new byte[64];

        stream.Seek(2 * Chunk + 3, SeekOrigin.Begin);
        stream.ReadExactly(buffer);
        Assert.Equal(bytes.AsSpan(2 * Chunk + 3, 64).ToArray(), buffer);

        stream.Position = 10;
        stream.ReadExactly(buffer);
        Assert.Equal(bytes.AsSpan(10, 64).ToArray(), buffer);

        stream.Seek(-100, SeekOrigin.End);
        Assert.Equal(bytes[^100], (byte)stream.ReadByte());
        stream.Seek(Chunk - 1 - stream.Position, SeekOrigin.Current);
        stream.ReadExactly(buffer);
        Assert.Equal(bytes.AsSpan(Chunk - 1, 64).ToArray(), buffer);

        stream.Seek(0, SeekOrigin.End);
        Assert.Equal(0, stream.Read(buffer));
        Assert.Equal(-1, stream.ReadByte());
        Assert.Throws<IOException>(() => stream.Seek(-1, SeekOrigin.Begin));
        Assert.True(stream.CanSeek);
        Assert.False(stream.CanWrite);
        Assert.Throws<NotSupportedException>(() => stream.Write(buffer));
    }

    [Theory]
    [InlineData(-1L, null)]
    [InlineData(11L, null)]
    [InlineData(0L, 11L)]
    [InlineData(5L, 6L)]
    [InlineData(0L, -1L)]
    public async Task OpenRead_RangeOutsideTheContent_Throws(long offset, long? length)
    {
        var content = await WriteAsync(RandomBytes(10));

        Assert.Throws<ArgumentOutOfRangeException>(() => _store.OpenRead(content, offset, length));
    }

    [Fact]
    public async Task WriteAsync_SameContentTwice_CreatesNoNewFiles()
    {
        var bytes = RandomBytes(10 * MiB);
        var first = await WriteAsync(bytes);
        var files = AllFiles();

        var second = await WriteAsync(bytes);

        Assert.Equal(first, second);
        Assert.Equal(first.Id, second.Id);
        Assert.Equal(files, AllFiles());
        Assert.Equal(3, _store.EnumerateHashes().Count());
    }

    [Fact]
    public async Task WriteAsync_OneByteChanged_SharesTheUnchangedChunks()
    {
        var bytes = RandomBytes(10 * MiB);
        var original = await WriteAsync(bytes);
        bytes[Chunk + 17] ^= 0xFF;

        var changed = await WriteAsync(bytes);

        Assert.NotEqual(original.Id, changed.Id);
        Assert.Equal(original.Chunks[0], changed.Chunks[0]);
        Assert.NotEqual(original.Chunks[1], changed.Chunks[1]);
        Assert.Equal(original.Chunks[2], changed.Chunks[2]);
        Assert.Equal(4, _store.EnumerateHashes().Count());
        Assert.Equal(bytes, await ReadAllAsync(_store.OpenRead(changed, 0, null)));
    }

    [Fact]
    public async Task WriteAsync_MoreThanMaxLength_RefusedAndStopsReading()
    {
        var input = new CountingStream(RandomBytes(10 * MiB));
        const long max = 5 * MiB;

        var result = await _store.WriteAsync(input, null, max, Ct);

        Assert.False(result.IsSuccess);
        Assert.Equal(ErrorCodes.ContentTooLarge, result.Error.Code);
        Assert.Equal(ErrorKind.TooLarge, result.Error.Kind);
        Assert.Equal(max + 1, input.BytesRead);

        // Only the first, complete chunk reached the store (unreferenced, left to the collector); not the refused tail.
        Assert.Single(_store.EnumerateHashes());
        Assert.Empty(TempFiles());
    }

    [Fact]
    public async Task WriteAsync_MaxLengthOnAChunkBoundary_AcceptsExactlyThatMuch()
    {
        var bytes = RandomBytes(Chunk);

        var exact = await _store.WriteAsync(new MemoryStream(bytes), null, Chunk, Ct);
        var over = await _store.WriteAsync(new MemoryStream([.. bytes, 1]), null, Chunk, Ct);

        Assert.True(exact.IsSuccess);
        Assert.Equal(Chunk, exact.Value.Length);
        Assert.Equal(ErrorCodes.ContentTooLarge, over.Error?.Code);
    }

    [Fact]
    public async Task WriteAsync_DeclaredLengthOverMax_RefusedWithoutReading()
    {
        var input = new CountingStream(RandomBytes(100));

        var result = await _store.WriteAsync(input, 100, 99, Ct);

        Assert.Equal(ErrorCodes.ContentTooLarge, result.Error?.Code);
        Assert.Equal(0, input.BytesRead);
    }

    [Theory]
    [InlineData(1000, 999)]
    [InlineData(1000, 1001)]
    [InlineData(Chunk + 1, Chunk)]
    [InlineData(Chunk, Chunk + 1)]
    [InlineData(0, 1)]
    [InlineData(1, 0)]
    public async Task WriteAsync_StreamLengthDiffersFromDeclared_Refused(int actual, int declared)
    {
        var input = new CountingStream(RandomBytes(actual));

        var result = await _store.WriteAsync(input, declared, long.MaxValue, Ct);

        Assert.False(result.IsSuccess);
        Assert.Equal(ErrorCodes.ContentLengthMismatch, result.Error.Code);
        Assert.Equal(ErrorKind.Invalid, result.Error.Kind);
        Assert.True(input.BytesRead <= declared + 1, $"read {input.BytesRead} bytes for a declared {declared}");
        Assert.Empty(TempFiles());
    }

    [Fact]
    public async Task WriteAsync_DeclaredLengthMatches_Succeeds()
    {
        var bytes = RandomBytes(Chunk + 1);

        var result = await _store.WriteAsync(new MemoryStream(bytes), bytes.Length, bytes.Length, Ct);

        Assert.True(result.IsSuccess);
        Assert.Equal(bytes, await ReadAllAsync(_store.OpenRead(result.Value, 0, null)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855")]
    [InlineData("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85")]
    [InlineData("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8555")]
    [InlineData("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85g")]
    [InlineData("../../../../../../../../../../../../../../../../../../etc/passwd")]
    [InlineData("e3/0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("..b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85\0")]
    [InlineData(" 3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    public void HashArguments_NotLowerCaseSha256Hex_Refused(string hash)
    {
        Assert.False(ChunkStore.IsValidHash(hash));
        Assert.Throws<ArgumentException>(() => _store.Exists(hash));
        Assert.Throws<ArgumentException>(() => _store.LengthOf(hash));
        Assert.Throws<ArgumentException>(() => _store.Delete(hash));
        Assert.Throws<ArgumentException>(() => new ChunkRef(hash, 1));
    }

    [Fact]
    public void ChunkRef_LengthOutOfRange_Refused()
    {
        var hash = new string('a', 64);

        Assert.Throws<ArgumentOutOfRangeException>(() => new ChunkRef(hash, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ChunkRef(hash, Chunk + 1));
        Assert.Equal(Chunk, new ChunkRef(hash, Chunk).Length);
    }

    [Fact]
    public async Task OpenRead_ChunkTruncated_ThrowsIOExceptionNamingTheChunk()
    {
        var content = await WriteAsync(RandomBytes(Chunk + 100));
        var damaged = content.Chunks[1];
        Corrupt(damaged.Hash, file => file.SetLength(50));
        using var stream = _store.OpenRead(content, 0, null);

        var error = await Assert.ThrowsAsync<IOException>(() => ReadAllAsync(stream));

        Assert.Contains(damaged.Hash, error.Message, StringComparison.Ordinal);
        Assert.Contains("corrupted", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenRead_ChunkMissing_ThrowsIOExceptionNamingTheChunk()
    {
        var content = await WriteAsync(RandomBytes(Chunk + 100));
        var lost = content.Chunks[0];
        _store.Delete(lost.Hash);
        using var stream = _store.OpenRead(content, 0, null);

        var error = Assert.Throws<IOException>(() => ReadAllSync(stream));

        Assert.Contains(lost.Hash, error.Message, StringComparison.Ordinal);
        Assert.Contains("missing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenRead_ByteFlippedWithVerify_ThrowsBeforeReturningAnyByteOfTheChunk()
    {
        var content = await WriteAsync(RandomBytes(Chunk + 100));
        var damaged = content.Chunks[0];
        Corrupt(damaged.Hash, file =>
        {
            file.Position = 1234;
            var b = (byte)file.ReadByte();
            file.Position = 1234;
            file.WriteByte((byte)(b ^ 1));
        });
        using var stream = _store.OpenRead(content, 100, 10, verify: true);
        var buffer = new byte[10];

        var error = Assert.Throws<IOException>(() => stream.Read(buffer));

        Assert.Contains(damaged.Hash, error.Message, StringComparison.Ordinal);
        Assert.Contains("corrupted", error.Message, StringComparison.Ordinal);
        Assert.All(buffer, b => Assert.Equal(0, b));
        Assert.Equal(0, stream.Position);
    }

    [Fact]
    public async Task OpenRead_IntactWithVerify_ReadsNormally()
    {
        var bytes = RandomBytes(Chunk + 100);
        var content = await WriteAsync(bytes);

        Assert.Equal(bytes, await ReadAllAsync(_store.OpenRead(content, 0, null, verify: true)));
    }

    [Fact]
    public async Task WriteAsync_ExistingChunkWithWrongLength_IsRewritten()
    {
        var bytes = RandomBytes(1000);
        var content = await WriteAsync(bytes);
        Corrupt(content.Chunks[0].Hash, file => file.SetLength(10));

        var again = await WriteAsync(bytes);

        Assert.Equal(content, again);
        Assert.Equal(bytes, ReadAllSync(_store.OpenRead(again, 0, null, verify: true)));
    }

    [Fact]
    public async Task WriteAsync_ConcurrentWritersOfTheSameContent_AllSucceedWithOneIntactCopy()
    {
        var bytes = RandomBytes(10 * MiB);
        var other = NewStore();
        using var start = new SemaphoreSlim(0);
        var writers = Enumerable.Range(0, 8).Select(i => Task.Run(
            async () =>
            {
                await start.WaitAsync(Ct);
                return await (i % 2 == 0 ? _store : other).WriteAsync(new TrickleStream(bytes, 256 * 1024), bytes.Length, long.MaxValue, Ct);
            },
            Ct)).ToArray();

        start.Release(writers.Length);
        var results = await Task.WhenAll(writers);

        Assert.All(results, r => Assert.True(r.IsSuccess));
        Assert.Single(results.Select(r => r.Value.Id).Distinct());
        Assert.Equal(3, AllFiles().Count);
        Assert.Equal(bytes, await ReadAllAsync(_store.OpenRead(results[0].Value, 0, null, verify: true)));
        Assert.Empty(TempFiles());
    }

    [Fact]
    public async Task WriteAsync_InputFailsMidway_PropagatesAndLeavesNoTempFile()
    {
        var input = new FailingStream(RandomBytes(Chunk + 10), failAfter: Chunk + 5);

        await Assert.ThrowsAsync<IOException>(() => _store.WriteAsync(input, null, long.MaxValue, Ct));

        Assert.Empty(TempFiles());
    }

    [Fact]
    public async Task WriteAsync_Cancelled_ThrowsAndLeavesNoTempFile()
    {
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _store.WriteAsync(new MemoryStream(RandomBytes(100)), null, long.MaxValue, cancel.Token));

        Assert.Empty(TempFiles());
    }

    [Fact]
    public async Task WriteAsync_Success_LeavesNoTempFile()
    {
        await WriteAsync(RandomBytes(Chunk + 1));

        Assert.Empty(TempFiles());
        Assert.True(Directory.Exists(Path.Combine(Root, "tmp")));
    }

    [Fact]
    public void DeleteTempFiles_LeftoversOfACrash_AreDeleted()
    {
        Directory.CreateDirectory(Path.Combine(Root, "tmp")); // as a crashed earlier run left it
        File.WriteAllText(Path.Combine(Root, "tmp", "interrupted"), "half");

        Assert.Equal(1, _store.DeleteTempFiles());

        Assert.Empty(TempFiles());
    }

    [Fact]
    public async Task Delete_ExistingChunk_RemovesItAndMissingIsNoOp()
    {
        var content = await WriteAsync(RandomBytes(10));
        var hash = content.Chunks[0].Hash;

        _store.Delete(hash);
        _store.Delete(hash);

        Assert.False(_store.Exists(hash));
        Assert.Null(_store.LengthOf(hash));
        Assert.Empty(_store.EnumerateHashes());
    }

    [Fact]
    public async Task EnumerateHashes_StrayFiles_AreIgnored()
    {
        var content = await WriteAsync(RandomBytes(Chunk + 1));
        var hash = content.Chunks[0].Hash;
        var folder = Path.Combine(Root, hash[..2], hash[2..4]);
        File.WriteAllText(Path.Combine(folder, "notes.txt"), "x");
        File.WriteAllText(Path.Combine(folder, new string('0', 64)), "wrong folder");
        Directory.CreateDirectory(Path.Combine(Root, "zz", "00"));
        File.WriteAllText(Path.Combine(Root, "zz", "00", new string('a', 64)), "x");

        Assert.Equal(content.Chunks.Select(c => c.Hash).Order(), _store.EnumerateHashes().Order());
    }

    [Fact]
    public async Task Store_OnLinux_FoldersAndFilesAreOwnerOnly()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "Unix permissions");
        var content = await WriteAsync(RandomBytes(Chunk + 1));

        const UnixFileMode others = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Root));
        foreach (var folder in Directory.EnumerateDirectories(Root, "*", SearchOption.AllDirectories))
        {
            Assert.Equal(UnixFileMode.None, File.GetUnixFileMode(folder) & others);
        }

        foreach (var chunk in content.Chunks)
        {
            Assert.Equal(UnixFileMode.UserRead, File.GetUnixFileMode(Path.Combine(Root, chunk.Hash[..2], chunk.Hash[2..4], chunk.Hash)));
        }
    }

    [Fact]
    public void DirectorySyncFlush_ExistingFolder_Succeeds() => DirectorySync.Flush(_data.Path);

    [Fact]
    public void DirectorySyncFlush_MissingFolderOnLinux_ThrowsIOException()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "folders are flushed on Linux only");

        var error = Assert.Throws<IOException>(() => DirectorySync.Flush(_data.File("missing")));

        Assert.Contains("errno 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ContentRef_FromChunks_ComputesLengthAndIdentity()
    {
        var a = new ChunkRef(new string('a', 64), Chunk);
        var b = new ChunkRef(new string('b', 64), 5);

        var content = ContentRef.FromChunks([a, b]);
        var same = ContentRef.FromChunks([new ChunkRef(new string('a', 64), Chunk), new ChunkRef(new string('b', 64), 5)]);
        var swapped = ContentRef.FromChunks([b, a]);

        Assert.Equal(Chunk + 5, content.Length);
        Assert.Equal(content, same);
        Assert.Equal(content.GetHashCode(), same.GetHashCode());
        Assert.NotEqual(content.Id, swapped.Id);
    }

    private static byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }

    private static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        await using (stream)
        {
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy, Ct);
            return copy.ToArray();
        }
    }

    private static byte[] ReadAllSync(Stream stream)
    {
        using (stream)
        {
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return copy.ToArray();
        }
    }

    private ChunkStore NewStore() => new(Root, NullLogger<ChunkStore>.Instance);

    private async Task<ContentRef> WriteAsync(byte[] bytes)
    {
        var result = await _store.WriteAsync(new MemoryStream(bytes), null, long.MaxValue, Ct);
        Assert.True(result.IsSuccess, result.Error?.Message);
        return result.Value;
    }

    private void Corrupt(string hash, Action<FileStream> damage)
    {
        var path = Path.Combine(Root, hash[..2], hash[2..4], hash);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        damage(file);
    }

    private List<string> AllFiles() => [.. Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)];

    private string[] TempFiles() => Directory.Exists(Path.Combine(Root, "tmp")) ? Directory.GetFiles(Path.Combine(Root, "tmp")) : [];

    /// <summary>Serves its bytes at most <c>piece</c> at a time, like a network stream.</summary>
    private sealed class TrickleStream(byte[] bytes, int piece) : MemoryStream(bytes, writable: false)
    {
        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, piece)]);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, piece)], cancellationToken);
    }

    /// <summary>Counts the bytes handed out.</summary>
    private sealed class CountingStream(byte[] bytes) : MemoryStream(bytes, writable: false)
    {
        public long BytesRead { get; private set; }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await base.ReadAsync(buffer, cancellationToken);
            BytesRead += read;
            return read;
        }
    }

    /// <summary>Breaks (like a dropped connection) once <c>failAfter</c> bytes were read.</summary>
    private sealed class FailingStream(byte[] bytes, long failAfter) : MemoryStream(bytes, writable: false)
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (Position >= failAfter)
            {
                throw new IOException("connection reset");
            }

            return await base.ReadAsync(buffer[..(int)Math.Min(buffer.Length, failAfter - Position)], cancellationToken);
        }
    }
}
