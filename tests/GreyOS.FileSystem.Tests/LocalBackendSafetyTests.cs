using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using GreyOS.Abstractions.Errors;
using GreyOS.Abstractions.FileSystem;
using GreyOS.FileSystem.Backends;
using GreyOS.Testing;

namespace GreyOS.FileSystem.Tests;

/// <summary>
/// What the <c>local</c> backend promises the host: symbolic links are never followed (as a parent,
/// as the entry, inside the root or out of it), temp names are reserved and hidden, a failed write
/// leaves the old bytes and no temp file, the host sees exactly the bytes written, ETags always move,
/// and host errors map to the documented codes.
/// </summary>
public sealed class LocalBackendSafetyTests : IDisposable
{
    private const string Secret = "outside the mount";

    private readonly TempDirectory _root = new("greyos-local-root");
    private readonly TempDirectory _outside = new("greyos-local-outside");
    private readonly LocalBackend _backend;

    public LocalBackendSafetyTests()
    {
        _backend = new LocalBackend(_root.Path, TimeProvider.System);
        File.WriteAllText(_outside.File("secret.txt"), Secret);
        Directory.CreateDirectory(_outside.File("sub"));
        File.WriteAllText(Path.Combine(_outside.Path, "sub", "deep.txt"), Secret);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _root.Dispose();
        _outside.Dispose();
    }

    [Fact]
    public async Task LinkAsParent_ToAFolderOutside_RefusedForEveryOperation()
    {
        Directory.CreateSymbolicLink(_root.File("escape"), _outside.Path);
        await WriteAsync("/inside.txt", "inside");

        Assert.Null(await _backend.StatAsync(P("/escape"), Ct));
        Assert.Null(await _backend.StatAsync(P("/escape/secret.txt"), Ct));
        AssertRefused((await _backend.OpenReadAsync(P("/escape/secret.txt"), 0, null, Ct)).Error);
        AssertRefused((await _backend.OpenReadAsync(P("/escape/sub/deep.txt"), 0, null, Ct)).Error);
        AssertRefused((await _backend.WriteAsync(P("/escape/new.txt"), Bytes("planted"), new WriteOptions(), Ct)).Error);
        AssertRefused((await _backend.WriteAsync(P("/escape/secret.txt"), Bytes("overwritten"), new WriteOptions(), Ct)).Error);
        AssertRefused((await _backend.WriteAsync(P("/escape/secret.txt"), Bytes("appended"), new WriteOptions(Append: true), Ct)).Error);
        AssertRefused((await _backend.ListAsync(P("/escape"), Ct)).Error);
        AssertRefused((await _backend.ListAsync(P("/escape/sub"), Ct)).Error);
        AssertRefused((await _backend.CreateFolderAsync(P("/escape/made"), Ct)).Error);
        AssertRefused((await _backend.MoveAsync(P("/escape/secret.txt"), P("/stolen.txt"), overwrite: false, Ct)).Error);
        AssertRefused((await _backend.MoveAsync(P("/inside.txt"), P("/escape/planted.txt"), overwrite: false, Ct)).Error);
        AssertRefused((await _backend.MoveAsync(P("/inside.txt"), P("/escape/secret.txt"), overwrite: true, Ct)).Error);
        AssertRefused((await _backend.CopyAsync(P("/escape/sub"), P("/stolen"), overwrite: false, Ct)).Error);
        AssertRefused((await _backend.CopyAsync(P("/inside.txt"), P("/escape/planted.txt"), overwrite: false, Ct)).Error);
        AssertRefused((await _backend.DeleteAsync(P("/escape/secret.txt"), recursive: false, null, Ct)).Error);
        AssertRefused((await _backend.DeleteAsync(P("/escape/sub"), recursive: true, null, Ct)).Error);

        AssertOutsideUntouched();
        Assert.Equal(["escape", "inside.txt"], HostNames(_root.Path));
        Assert.Equal("inside", File.ReadAllText(_root.File("inside.txt")));
    }

    [Fact]
    public async Task LinkAsEntry_ToAFileOrFolderOutside_RefusedAndNeverListed()
    {
        File.CreateSymbolicLink(_root.File("secret-link"), _outside.File("secret.txt"));
        Directory.CreateSymbolicLink(_root.File("folder-link"), _outside.Path);
        await WriteAsync("/inside.txt", "inside");

        Assert.Null(await _backend.StatAsync(P("/secret-link"), Ct));
        Assert.Null(await _backend.StatAsync(P("/folder-link"), Ct));
        AssertRefused((await _backend.OpenReadAsync(P("/secret-link"), 0, null, Ct)).Error);
        AssertRefused((await _backend.WriteAsync(P("/secret-link"), Bytes("overwritten"), new WriteOptions(), Ct)).Error);
        AssertRefused((await _backend.WriteAsync(P("/secret-link"), Bytes("appended"), new WriteOptions(Append: true), Ct)).Error);
        AssertRefused((await _backend.WriteAsync(P("/secret-link"), Bytes("new"), new WriteOptions(CreateOnly: true), Ct)).Error);
        AssertRefused((await _backend.WriteAsync(P("/folder-link"), Bytes("x"), new WriteOptions(), Ct)).Error);
        AssertRefused((await _backend.ListAsync(P("/folder-link"), Ct)).Error);
        AssertRefused((await _backend.CreateFolderAsync(P("/folder-link"), Ct)).Error);
        AssertRefused((await _backend.MoveAsync(P("/secret-link"), P("/moved"), overwrite: false, Ct)).Error);
        AssertRefused((await _backend.MoveAsync(P("/inside.txt"), P("/secret-link"), overwrite: true, Ct)).Error);
        AssertRefused((await _backend.CopyAsync(P("/folder-link"), P("/copy"), overwrite: false, Ct)).Error);
        AssertRefused((await _backend.CopyAsync(P("/inside.txt"), P("/secret-link"), overwrite: true, Ct)).Error);
        AssertRefused((await _backend.DeleteAsync(P("/secret-link"), recursive: false, null, Ct)).Error);
        AssertRefused((await _backend.DeleteAsync(P("/folder-link"), recursive: true, null, Ct)).Error);

        Assert.Equal(["inside.txt"], (await _backend.ListAsync(VfsPath.Root, Ct)).Value.Select(e => e.Name));
        Assert.NotNull(new FileInfo(_root.File("secret-link")).LinkTarget);
        Assert.NotNull(new DirectoryInfo(_root.File("folder-link")).LinkTarget);
        Assert.Equal("inside", File.ReadAllText(_root.File("inside.txt")));
        AssertOutsideUntouched();
    }

    [Fact]
    public async Task LinkInsideTheRoot_IsNotFollowedEither()
    {
        await MkdirAsync("/real");
        await WriteAsync("/real/f", "real");
        Directory.CreateSymbolicLink(_root.File("alias"), _root.File("real"));
        File.CreateSymbolicLink(_root.File("f-alias"), Path.Combine("real", "f"));

        Assert.Null(await _backend.StatAsync(P("/alias"), Ct));
        Assert.Null(await _backend.StatAsync(P("/alias/f"), Ct));
        Assert.Null(await _backend.StatAsync(P("/f-alias"), Ct));
        AssertRefused((await _backend.OpenReadAsync(P("/alias/f"), 0, null, Ct)).Error);
        AssertRefused((await _backend.OpenReadAsync(P("/f-alias"), 0, null, Ct)).Error);
        AssertRefused((await _backend.WriteAsync(P("/alias/f"), Bytes("changed"), new WriteOptions(), Ct)).Error);
        AssertRefused((await _backend.ListAsync(P("/alias"), Ct)).Error);
        AssertRefused((await _backend.DeleteAsync(P("/alias/f"), recursive: false, null, Ct)).Error);

        Assert.Equal(["real"], (await _backend.ListAsync(VfsPath.Root, Ct)).Value.Select(e => e.Name));
        Assert.Equal("real", File.ReadAllText(Path.Combine(_root.Path, "real", "f")));
    }

    [Fact]
    public async Task LinksInsideASubtree_SkippedByCopyAndUnlinkedByRecursiveDelete_NeverFollowed()
    {
        await MkdirAsync("/d");
        await WriteAsync("/d/f", "mine");
        Directory.CreateSymbolicLink(Path.Combine(_root.Path, "d", "out"), _outside.Path);
        File.CreateSymbolicLink(Path.Combine(_root.Path, "d", "secret"), _outside.File("secret.txt"));

        var copied = await _backend.CopyAsync(P("/d"), P("/c"), overwrite: false, Ct);
        var onlyLinksLeft = await _backend.DeleteAsync(P("/d/f"), recursive: false, null, Ct);
        var notEmpty = await _backend.DeleteAsync(P("/d"), recursive: false, null, Ct);
        var deleted = await _backend.DeleteAsync(P("/d"), recursive: true, null, Ct);

        Assert.True(copied.IsSuccess, copied.Error?.Message);
        Assert.Equal(["f"], HostNames(_root.File("c")));
        Assert.True(onlyLinksLeft.IsSuccess);
        Assert.Equal(ErrorCodes.FolderNotEmpty, notEmpty.Error?.Code);
        Assert.True(deleted.IsSuccess, deleted.Error?.Message);
        Assert.Equal(["c"], HostNames(_root.Path));
        AssertOutsideUntouched();
    }

    [Theory]
    [InlineData("/.greyos-tmp-x")]
    [InlineData("/.GREYOS-TMP-abc")]
    [InlineData("/d/.greyos-tmp-0123/f")]
    public async Task TempPrefixedNames_RefusedForUsers(string path)
    {
        await MkdirAsync("/d");
        File.WriteAllText(_root.File(".greyos-tmp-x"), "a write in flight");

        Assert.Null(await _backend.StatAsync(P(path), Ct));
        AssertRefused((await _backend.WriteAsync(P(path), Bytes("x"), new WriteOptions(), Ct)).Error);
        AssertRefused((await _backend.CreateFolderAsync(P(path), Ct)).Error);
        AssertRefused((await _backend.OpenReadAsync(P(path), 0, null, Ct)).Error);
        AssertRefused((await _backend.ListAsync(P(path), Ct)).Error);
        AssertRefused((await _backend.DeleteAsync(P(path), recursive: true, null, Ct)).Error);
        AssertRefused((await _backend.MoveAsync(P("/d"), P(path), overwrite: true, Ct)).Error);
        Assert.Equal("a write in flight", File.ReadAllText(_root.File(".greyos-tmp-x")));
    }

    [Fact]
    public async Task List_SkipsTempEntriesAndNamesTheVfsCannotAddress_ShowsDotFiles()
    {
        File.WriteAllText(_root.File(".greyos-tmp-leftover"), "x");
        Directory.CreateDirectory(_root.File(".greyos-tmp-tree"));
        File.WriteAllText(_root.File("ends-with-dot."), "x");
        File.WriteAllText(_root.File("e\u0301-decomposed"), "x");
        File.WriteAllText(_root.File(".hidden"), "x");
        await WriteAsync("/plain", "x");

        var names = (await _backend.ListAsync(VfsPath.Root, Ct)).Value.Select(e => e.Name).Order(StringComparer.Ordinal);

        Assert.Equal([".hidden", "plain"], names);
    }

    [Fact]
    public async Task Write_InputStreamFailsMidway_OldContentKeptAndNoTempFile()
    {
        await WriteAsync("/f", "old content");

        var replace = await Assert.ThrowsAsync<IOException>(
            () => _backend.WriteAsync(P("/f"), new FailingStream(RandomNumberGenerator.GetBytes(300_000), failAfter: 200_000), new WriteOptions(), Ct).AsTask());
        var append = await Assert.ThrowsAsync<IOException>(
            () => _backend.WriteAsync(P("/f"), new FailingStream(RandomNumberGenerator.GetBytes(300_000), failAfter: 100_000), new WriteOptions(Append: true), Ct).AsTask());
        var create = await Assert.ThrowsAsync<IOException>(
            () => _backend.WriteAsync(P("/new"), new FailingStream(RandomNumberGenerator.GetBytes(300_000), failAfter: 1), new WriteOptions(CreateOnly: true), Ct).AsTask());

        Assert.All([replace, append, create], e => Assert.Equal(FailingStream.Message, e.Message));
        Assert.Equal("old content", File.ReadAllText(_root.File("f")));
        Assert.Equal(["f"], HostNames(_root.Path));
    }

    [Fact]
    public async Task Write_CanceledOrRefused_OldContentKeptAndNoTempFile()
    {
        await WriteAsync("/f", "old content");
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var stream = new FailingStream(new byte[500_000], failAfter: int.MaxValue, onRead: total =>
        {
            if (total > 100_000)
            {
                cancel.Cancel();
            }
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _backend.WriteAsync(P("/f"), stream, new WriteOptions(), cancel.Token).AsTask());
        var tooLarge = await _backend.WriteAsync(P("/f"), new MemoryStream(new byte[10_000]), new WriteOptions(MaxLength: 9_999), Ct);
        var tooShort = await _backend.WriteAsync(P("/f"), new MemoryStream(new byte[10]), new WriteOptions(ExpectedLength: 11), Ct);
        var appendTooLarge = await _backend.WriteAsync(P("/f"), Bytes("more"), new WriteOptions(Append: true, MaxLength: 12), Ct);

        Assert.Equal(ErrorCodes.ContentTooLarge, tooLarge.Error?.Code);
        Assert.Equal(ErrorCodes.ContentLengthMismatch, tooShort.Error?.Code);
        Assert.Equal(ErrorCodes.ContentTooLarge, appendTooLarge.Error?.Code);
        Assert.Equal("old content", File.ReadAllText(_root.File("f")));
        Assert.Equal(["f"], HostNames(_root.Path));
    }

    [Fact]
    public async Task Write_HostSeesTheExactBytes()
    {
        var data = RandomNumberGenerator.GetBytes((3 * 1024 * 1024) + 5);
        await MkdirAsync("/docs");

        var written = await _backend.WriteAsync(P("/docs/data.bin"), new MemoryStream(data), new WriteOptions(ExpectedLength: data.Length), Ct);
        await WriteAsync("/docs/naïve-日本.txt", "unicode");
        await WriteAsync("/docs/log", "ab");
        await _backend.WriteAsync(P("/docs/log"), Bytes("cd"), new WriteOptions(Append: true), Ct);
        File.WriteAllText(_root.File("from-host.txt"), "made on the host");

        Assert.True(written.IsSuccess, written.Error?.Message);
        Assert.Equal(data, File.ReadAllBytes(Path.Combine(_root.Path, "docs", "data.bin")));
        Assert.Equal("unicode", File.ReadAllText(Path.Combine(_root.Path, "docs", "naïve-日本.txt")));
        Assert.Equal("abcd", File.ReadAllText(Path.Combine(_root.Path, "docs", "log")));
        Assert.Equal(["data.bin", "log", "naïve-日本.txt"], HostNames(_root.File("docs")));
        Assert.Equal("made on the host", await ReadAsync("/from-host.txt"));
    }

    [Fact]
    public async Task ETag_ChangesOnEveryWrite_EvenWhenTheClockStandsStill()
    {
        var frozen = new LocalBackend(_root.Path, new ManualTimeProvider());
        var seen = new HashSet<string>(StringComparer.Ordinal);

        for (var i = 0; i < 5; i++)
        {
            var written = await frozen.WriteAsync(P("/f"), Bytes("same"), new WriteOptions(), Ct);
            Assert.True(seen.Add(written.Value.ETag));
            Assert.Equal(written.Value.ETag, (await frozen.StatAsync(P("/f"), Ct))!.ETag);
        }

        var other = await frozen.WriteAsync(P("/g"), Bytes("same"), new WriteOptions(), Ct);
        var copied = await frozen.CopyAsync(P("/g"), P("/f"), overwrite: true, Ct);
        var moved = await frozen.MoveAsync(P("/g"), P("/f"), overwrite: true, Ct);

        Assert.True(seen.Add(other.Value.ETag));
        Assert.True(seen.Add(copied.Value.ETag));
        Assert.Equal(other.Value.ETag, moved.Value.ETag);
        Assert.Equal(moved.Value.ETag, (await frozen.StatAsync(P("/f"), Ct))!.ETag);
    }

    [Fact]
    public async Task CreateOnly_ConcurrentWriters_ExactlyOneWins()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(i =>
            Task.Run(() => _backend.WriteAsync(P("/race"), Bytes($"writer {i:D2}"), new WriteOptions(CreateOnly: true), Ct).AsTask(), Ct)));

        var winner = Assert.Single(results, r => r.IsSuccess);
        Assert.All(results.Where(r => !r.IsSuccess), r => Assert.Equal(ErrorCodes.FileExists, r.Error!.Code));
        Assert.Equal(winner.Value.ETag, (await _backend.StatAsync(P("/race"), Ct))!.ETag);
        Assert.Matches("^writer [0-9]{2}$", await ReadAsync("/race"));
        Assert.Equal(["race"], HostNames(_root.Path));
    }

    [Fact]
    public async Task IfMatch_ConcurrentWriters_ExactlyOneWins()
    {
        var first = await WriteAsync("/f", "start");

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(i =>
            Task.Run(() => _backend.WriteAsync(P("/f"), Bytes($"writer {i:D2}"), new WriteOptions(IfMatch: first.ETag), Ct).AsTask(), Ct)));

        Assert.Single(results, r => r.IsSuccess);
        Assert.All(results.Where(r => !r.IsSuccess), r => Assert.Equal(ErrorCodes.EtagMismatch, r.Error!.Code));
        Assert.Equal(["f"], HostNames(_root.Path));
    }

    [Fact]
    public async Task OpenRead_KeepsTheVersionItOpened()
    {
        await WriteAsync("/f", "version one");
        var opened = await _backend.OpenReadAsync(P("/f"), 8, null, Ct);

        await WriteAsync("/f", "version two, longer");
        await using var stream = opened.Value;
        using var reader = new StreamReader(stream, Encoding.UTF8);

        Assert.Equal("one", await reader.ReadToEndAsync(Ct));
        Assert.Equal("version two, longer", await ReadAsync("/f"));
    }

    [Fact]
    public async Task OpenRead_FileTruncatedInPlaceOnTheHost_FailsInsteadOfEndingShort()
    {
        await WriteAsync("/f", new string('x', 100_000));
        var opened = await _backend.OpenReadAsync(P("/f"), 0, null, Ct);
        await using var stream = opened.Value;
        using (var host = new FileStream(_root.File("f"), FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            host.SetLength(10);
        }

        await Assert.ThrowsAsync<IOException>(() => stream.CopyToAsync(Stream.Null, Ct));
    }

    [Fact]
    public async Task MoveAndCopy_OntoAnEmptyFolderOrAcrossKinds_ReplaceAndLeaveNoTempEntries()
    {
        await MkdirAsync("/a");
        await WriteAsync("/a/f", "in a");
        await MkdirAsync("/empty");
        await WriteAsync("/file", "a file");
        await MkdirAsync("/empty2");

        var folderOntoFolder = await _backend.MoveAsync(P("/a"), P("/empty"), overwrite: true, Ct);
        var fileOntoFolder = await _backend.MoveAsync(P("/file"), P("/empty2"), overwrite: true, Ct);
        var folderOntoFile = await _backend.CopyAsync(P("/empty"), P("/empty2"), overwrite: true, Ct);
        var ontoNonEmpty = await _backend.CopyAsync(P("/empty2/f"), P("/empty"), overwrite: true, Ct);

        Assert.True(folderOntoFolder.IsSuccess, folderOntoFolder.Error?.Message);
        Assert.True(fileOntoFolder.IsSuccess, fileOntoFolder.Error?.Message);
        Assert.True(folderOntoFile.IsSuccess, folderOntoFile.Error?.Message);
        Assert.Equal(ErrorCodes.FolderNotEmpty, ontoNonEmpty.Error?.Code);
        Assert.Equal("in a", await ReadAsync("/empty/f"));
        Assert.Equal("in a", await ReadAsync("/empty2/f"));
        Assert.Equal(["empty", "empty2"], HostNames(_root.Path));
        Assert.Equal(["f"], HostNames(_root.File("empty2")));
    }

    [Fact]
    public void Constructor_RootMustExistAndBeARealFolder()
    {
        File.WriteAllText(_root.File("file"), "x");
        Directory.CreateSymbolicLink(_root.File("link"), _outside.Path);

        Assert.Throws<DirectoryNotFoundException>(() => new LocalBackend(_root.File("missing"), TimeProvider.System));
        Assert.Throws<DirectoryNotFoundException>(() => new LocalBackend(_root.File("file"), TimeProvider.System));
        Assert.Throws<ArgumentException>(() => new LocalBackend(_root.File("link"), TimeProvider.System));
        Assert.Equal(_root.Path, new LocalBackend(_root.Path + Path.DirectorySeparatorChar, TimeProvider.System).RootFolder);
    }

    [Fact]
    public async Task AccessDeniedByTheHost_IsForbidden()
    {
        Directory.CreateDirectory(_root.File("locked"));
        if (!Lock(_root.File("locked")))
        {
            Assert.Skip("cannot make a folder unwritable here (root without chattr, or no Unix permissions)");
        }

        try
        {
            var write = await _backend.WriteAsync(P("/locked/f"), Bytes("x"), new WriteOptions(), Ct);
            var mkdir = await _backend.CreateFolderAsync(P("/locked/d"), Ct);

            Assert.Equal((ErrorKind.Forbidden, ErrorCodes.Forbidden), (write.Error?.Kind, write.Error?.Code));
            Assert.Equal((ErrorKind.Forbidden, ErrorCodes.Forbidden), (mkdir.Error?.Kind, mkdir.Error?.Code));
            Assert.DoesNotContain(_root.Path, write.Error!.Message, StringComparison.Ordinal);
        }
        finally
        {
            Unlock(_root.File("locked"));
        }

        Assert.Empty(HostNames(_root.File("locked")));
    }

    [Fact]
    public void DiskFull_IsInsufficientStorage_OtherIOErrorsAreFaults()
    {
        if (!OperatingSystem.IsLinux() || !File.Exists("/dev/full"))
        {
            Assert.Skip("needs /dev/full (Linux)");
        }

        IOException? full = null;
        try
        {
            using var device = new FileStream("/dev/full", FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);
            device.Write(new byte[16]);
        }
        catch (IOException ex)
        {
            full = ex;
        }

        var error = LocalBackend.MapFailure(full!, "/f");

        Assert.Equal((ErrorKind.InsufficientStorage, ErrorCodes.ContentTooLarge), (error?.Kind, error?.Code));
        Assert.Null(LocalBackend.MapFailure(new IOException("the disk is failing"), "/f"));
        Assert.Equal(ErrorKind.Forbidden, LocalBackend.MapFailure(new UnauthorizedAccessException(), "/f")?.Kind);
    }

    private static VfsPath P(string path) => VfsPath.Parse(path).Value;

    private static MemoryStream Bytes(string text) => new(Encoding.UTF8.GetBytes(text));

    private static void AssertRefused(GreyError? error) => Assert.Equal(ErrorCodes.InvalidPath, error?.Code);

    private static string[] HostNames(string folder) =>
        [.. Directory.EnumerateFileSystemEntries(folder).Select(p => Path.GetFileName(p)).Order(StringComparer.Ordinal)];

    /// <summary>Makes a folder unwritable: mode 0555, or (as root, who ignores modes) the immutable attribute.</summary>
    private static bool Lock(string folder)
    {
        if (OperatingSystem.IsWindows())
        {
            return false;
        }

        if (Environment.UserName != "root")
        {
            File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserExecute);
            return true;
        }

        return Chattr("+i", folder);
    }

    private static void Unlock(string folder)
    {
        if (Environment.UserName == "root")
        {
            Chattr("-i", folder);
        }
        else
        {
            File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private static bool Chattr(string change, string folder)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("chattr", [change, folder]) { RedirectStandardError = true, RedirectStandardOutput = true });
            process!.WaitForExit(10_000);
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private void AssertOutsideUntouched()
    {
        Assert.Equal(["secret.txt", "sub"], HostNames(_outside.Path));
        Assert.Equal(["deep.txt"], HostNames(_outside.File("sub")));
        Assert.Equal(Secret, File.ReadAllText(_outside.File("secret.txt")));
        Assert.Equal(Secret, File.ReadAllText(Path.Combine(_outside.Path, "sub", "deep.txt")));
    }

    private async Task<StorageEntry> WriteAsync(string path, string text)
    {
        var written = await _backend.WriteAsync(P(path), Bytes(text), new WriteOptions(), Ct);
        Assert.True(written.IsSuccess, written.Error?.Message);
        return written.Value;
    }

    private async Task MkdirAsync(string path)
    {
        var created = await _backend.CreateFolderAsync(P(path), Ct);
        Assert.True(created.IsSuccess, created.Error?.Message);
    }

    private async Task<string> ReadAsync(string path)
    {
        var opened = await _backend.OpenReadAsync(P(path), 0, null, Ct);
        Assert.True(opened.IsSuccess, opened.Error?.Message);
        await using var stream = opened.Value;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync(Ct);
    }

    /// <summary>An upload that breaks: yields its bytes, then throws after <c>failAfter</c> of them (a dropped connection).</summary>
    private sealed class FailingStream(byte[] data, int failAfter, Action<long>? onRead = null) : Stream
    {
        public const string Message = "the client connection dropped";

        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_position >= failAfter)
            {
                throw new IOException(Message);
            }

            var count = Math.Min(Math.Min(buffer.Length, data.Length - _position), failAfter - _position);
            data.AsSpan(_position, count).CopyTo(buffer);
            _position += count;
            onRead?.Invoke(_position);
            return count;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested();
            return ValueTask.FromResult(Read(buffer.Span));
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
