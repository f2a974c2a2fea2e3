using System.Security.Cryptography;
using System.Text;
using GreyOS.Abstractions.Errors;
using GreyOS.Abstractions.FileSystem;

namespace GreyOS.FileSystem.Tests.Conformance;

/// <summary>
/// What every storage backend must do (docs/design/0004-vfs.md §3). A backend's test class derives
/// from this and says how to create a fresh, empty instance.
/// </summary>
public abstract class BackendConformance
{
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A fresh, empty backend.</summary>
    protected abstract Task<IStorageBackend> CreateAsync();

    protected static VfsPath P(string path) => VfsPath.Parse(path).Value;

    protected static MemoryStream Bytes(string text) => new(Encoding.UTF8.GetBytes(text));

    protected static async Task<string> ReadAsync(IStorageBackend backend, string path, long offset = 0, long? length = null)
    {
        var opened = await backend.OpenReadAsync(P(path), offset, length, Ct);
        Assert.True(opened.IsSuccess, opened.Error?.Message);
        await using var stream = opened.Value;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync(Ct);
    }

    protected static async Task<StorageEntry> WriteAsync(IStorageBackend backend, string path, string text, WriteOptions? options = null)
    {
        var written = await backend.WriteAsync(P(path), Bytes(text), options ?? new WriteOptions(), Ct);
        Assert.True(written.IsSuccess, written.Error?.Message);
        return written.Value;
    }

    protected static async Task MkdirAsync(IStorageBackend backend, string path)
    {
        var created = await backend.CreateFolderAsync(P(path), Ct);
        Assert.True(created.IsSuccess, created.Error?.Message);
    }

    [Fact]
    public async Task Root_IsAnEmptyFolder()
    {
        var backend = await CreateAsync();

        var root = await backend.StatAsync(VfsPath.Root, Ct);

        Assert.Equal(EntryKind.Folder, root?.Kind);
        Assert.Empty((await backend.ListAsync(VfsPath.Root, Ct)).Value);
    }

    [Fact]
    public async Task Write_ThenReadAndStat_RoundTrips()
    {
        var backend = await CreateAsync();

        var written = await WriteAsync(backend, "/hello.txt", "hello, world");

        Assert.Equal((EntryKind.File, 12L, "hello.txt"), (written.Kind, written.Length, written.Name));
        Assert.Equal("hello, world", await ReadAsync(backend, "/hello.txt"));
        var stat = await backend.StatAsync(P("/hello.txt"), Ct);
        Assert.Equal(written.ETag, stat!.ETag);
    }

    [Fact]
    public async Task Read_Ranges_ReturnTheBytesAsked()
    {
        var backend = await CreateAsync();
        await WriteAsync(backend, "/r", "0123456789");

        Assert.Equal("345", await ReadAsync(backend, "/r", 3, 3));
        Assert.Equal("789", await ReadAsync(backend, "/r", 7));
        Assert.Equal(string.Empty, await ReadAsync(backend, "/r", 10));
        Assert.Equal(string.Empty, await ReadAsync(backend, "/r", 50, 5));
    }

    [Fact]
    public async Task Write_Replace_ChangesETagAndContent()
    {
        var backend = await CreateAsync();
        var first = await WriteAsync(backend, "/f", "one");

        var second = await WriteAsync(backend, "/f", "two");

        Assert.NotEqual(first.ETag, second.ETag);
        Assert.Equal("two", await ReadAsync(backend, "/f"));
    }

    [Fact]
    public async Task Write_IfMatch_StaleETagRefusedAndContentKept()
    {
        var backend = await CreateAsync();
        var first = await WriteAsync(backend, "/f", "one");
        await WriteAsync(backend, "/f", "two");

        var stale = await backend.WriteAsync(P("/f"), Bytes("three"), new WriteOptions(IfMatch: first.ETag), Ct);
        var current = (await backend.StatAsync(P("/f"), Ct))!.ETag;
        var fresh = await backend.WriteAsync(P("/f"), Bytes("four"), new WriteOptions(IfMatch: current), Ct);

        Assert.Equal(ErrorCodes.EtagMismatch, stale.Error?.Code);
        Assert.True(fresh.IsSuccess);
        Assert.Equal("four", await ReadAsync(backend, "/f"));
    }

    [Fact]
    public async Task Write_CreateOnly_ExistingRefused()
    {
        var backend = await CreateAsync();
        await WriteAsync(backend, "/f", "one");

        var again = await backend.WriteAsync(P("/f"), Bytes("two"), new WriteOptions(CreateOnly: true), Ct);

        Assert.Equal(ErrorCodes.FileExists, again.Error?.Code);
        Assert.Equal("one", await ReadAsync(backend, "/f"));
    }

    [Theory]
    [InlineData(5L, "content_length_mismatch")]
    [InlineData(50L, "content_length_mismatch")]
    public async Task Write_LengthDiffersFromDeclared_RefusedAndOldContentIntact(long declared, string code)
    {
        var backend = await CreateAsync();
        await WriteAsync(backend, "/f", "original");

        var write = await backend.WriteAsync(P("/f"), Bytes("twenty bytes exactly"), new WriteOptions(ExpectedLength: declared), Ct);

        Assert.Equal(code, write.Error?.Code);
        Assert.Equal("original", await ReadAsync(backend, "/f"));
    }

    [Fact]
    public async Task Write_OverMaxLength_RefusedAndNothingCreated()
    {
        var backend = await CreateAsync();

        var write = await backend.WriteAsync(P("/big"), new MemoryStream(new byte[1000]), new WriteOptions(MaxLength: 999), Ct);

        Assert.Equal(ErrorCodes.ContentTooLarge, write.Error?.Code);
        Assert.Null(await backend.StatAsync(P("/big"), Ct));
    }

    [Fact]
    public async Task Write_Append_AddsToTheEnd()
    {
        var backend = await CreateAsync();
        await WriteAsync(backend, "/log", "a");

        await WriteAsync(backend, "/log", "bc", new WriteOptions(Append: true));
        await WriteAsync(backend, "/new", "x", new WriteOptions(Append: true));

        Assert.Equal("abc", await ReadAsync(backend, "/log"));
        Assert.Equal("x", await ReadAsync(backend, "/new"));
    }

    [Fact]
    public async Task Write_MissingParentOrParentIsAFileOrPathIsAFolder_Refused()
    {
        var backend = await CreateAsync();
        await WriteAsync(backend, "/file", "x");
        await MkdirAsync(backend, "/dir");

        var missing = await backend.WriteAsync(P("/nope/f"), Bytes("x"), new WriteOptions(), Ct);
        var underFile = await backend.WriteAsync(P("/file/f"), Bytes("x"), new WriteOptions(), Ct);
        var onFolder = await backend.WriteAsync(P("/dir"), Bytes("x"), new WriteOptions(), Ct);

        Assert.Equal(ErrorCodes.FileNotFound, missing.Error?.Code);
        Assert.Equal(ErrorCodes.NotAFolder, underFile.Error?.Code);
        Assert.Equal(ErrorCodes.NotAFile, onFolder.Error?.Code);
    }

    [Fact]
    public async Task CreateFolder_ExistingOrMissingParent_Refused()
    {
        var backend = await CreateAsync();
        await MkdirAsync(backend, "/a");

        var again = await backend.CreateFolderAsync(P("/a"), Ct);
        var orphan = await backend.CreateFolderAsync(P("/x/y"), Ct);

        Assert.Equal(ErrorCodes.FileExists, again.Error?.Code);
        Assert.Equal(ErrorCodes.FileNotFound, orphan.Error?.Code);
    }

    [Fact]
    public async Task List_DirectChildrenOnly()
    {
        var backend = await CreateAsync();
        await MkdirAsync(backend, "/a");
        await MkdirAsync(backend, "/a/b");
        await WriteAsync(backend, "/a/f", "x");
        await WriteAsync(backend, "/a/b/g", "y");

        var listing = (await backend.ListAsync(P("/a"), Ct)).Value;

        Assert.Equal(["b", "f"], listing.Select(e => e.Name).Order(StringComparer.Ordinal));
        Assert.Equal(ErrorCodes.NotAFolder, (await backend.ListAsync(P("/a/f"), Ct)).Error?.Code);
        Assert.Equal(ErrorCodes.FileNotFound, (await backend.ListAsync(P("/zz"), Ct)).Error?.Code);
    }

    [Fact]
    public async Task Move_FolderWithSubtree_RenamesAtomically()
    {
        var backend = await CreateAsync();
        await MkdirAsync(backend, "/src");
        await MkdirAsync(backend, "/src/sub");
        await WriteAsync(backend, "/src/sub/f", "deep");
        await MkdirAsync(backend, "/dst");

        var moved = await backend.MoveAsync(P("/src"), P("/dst/renamed"), overwrite: false, Ct);

        Assert.True(moved.IsSuccess, moved.Error?.Message);
        Assert.Null(await backend.StatAsync(P("/src"), Ct));
        Assert.Equal("deep", await ReadAsync(backend, "/dst/renamed/sub/f"));
    }

    [Fact]
    public async Task Move_OntoExistingWithoutOverwrite_RefusedIntoItself_Refused()
    {
        var backend = await CreateAsync();
        await WriteAsync(backend, "/a", "a");
        await WriteAsync(backend, "/b", "b");
        await MkdirAsync(backend, "/d");

        var clash = await backend.MoveAsync(P("/a"), P("/b"), overwrite: false, Ct);
        var intoItself = await backend.MoveAsync(P("/d"), P("/d/inner"), overwrite: false, Ct);
        var replaced = await backend.MoveAsync(P("/a"), P("/b"), overwrite: true, Ct);

        Assert.Equal(ErrorCodes.FileExists, clash.Error?.Code);
        Assert.Equal(ErrorCodes.InvalidPath, intoItself.Error?.Code);
        Assert.True(replaced.IsSuccess);
        Assert.Equal("a", await ReadAsync(backend, "/b"));
        Assert.Null(await backend.StatAsync(P("/a"), Ct));
    }

    [Fact]
    public async Task Copy_FolderWithSubtree_IndependentOfTheOriginal()
    {
        var backend = await CreateAsync();
        await MkdirAsync(backend, "/src");
        await WriteAsync(backend, "/src/f", "one");

        var copied = await backend.CopyAsync(P("/src"), P("/copy"), overwrite: false, Ct);
        await WriteAsync(backend, "/src/f", "changed");

        Assert.True(copied.IsSuccess, copied.Error?.Message);
        Assert.Equal("one", await ReadAsync(backend, "/copy/f"));
        Assert.Equal("changed", await ReadAsync(backend, "/src/f"));
    }

    [Fact]
    public async Task Delete_NonEmptyFolderNeedsRecursive_IfMatchChecked()
    {
        var backend = await CreateAsync();
        await MkdirAsync(backend, "/d");
        var file = await WriteAsync(backend, "/d/f", "x");

        var notEmpty = await backend.DeleteAsync(P("/d"), recursive: false, null, Ct);
        var stale = await backend.DeleteAsync(P("/d/f"), recursive: false, "\"stale\"", Ct);
        var byETag = await backend.DeleteAsync(P("/d/f"), recursive: false, file.ETag, Ct);
        await WriteAsync(backend, "/d/g", "y");
        var recursive = await backend.DeleteAsync(P("/d"), recursive: true, null, Ct);
        var missing = await backend.DeleteAsync(P("/d"), recursive: true, null, Ct);

        Assert.Equal(ErrorCodes.FolderNotEmpty, notEmpty.Error?.Code);
        Assert.Equal(ErrorCodes.EtagMismatch, stale.Error?.Code);
        Assert.True(byETag.IsSuccess);
        Assert.True(recursive.IsSuccess);
        Assert.Equal(ErrorCodes.FileNotFound, missing.Error?.Code);
        Assert.Empty((await backend.ListAsync(VfsPath.Root, Ct)).Value);
    }

    [Fact]
    public async Task Write_LargeRandomContent_ReadBackIdentical()
    {
        var backend = await CreateAsync();
        var data = RandomNumberGenerator.GetBytes((9 * 1024 * 1024) + 17);

        var written = await backend.WriteAsync(P("/big.bin"), new MemoryStream(data), new WriteOptions(ExpectedLength: data.Length), Ct);
        var opened = await backend.OpenReadAsync(P("/big.bin"), 0, null, Ct);
        await using var stream = opened.Value;
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy, Ct);

        Assert.True(written.IsSuccess, written.Error?.Message);
        Assert.Equal(data.Length, written.Value.Length);
        Assert.True(data.AsSpan().SequenceEqual(copy.ToArray()));
    }

    [Fact]
    public async Task List_TenThousandEntries_AllThere()
    {
        var backend = await CreateAsync();
        await MkdirAsync(backend, "/many");
        for (var i = 0; i < 10_000; i++)
        {
            await backend.CreateFolderAsync(P($"/many/d{i:D5}"), Ct);
        }

        var listing = (await backend.ListAsync(P("/many"), Ct)).Value;

        Assert.Equal(10_000, listing.Count);
        Assert.Equal(10_000, listing.Select(e => e.Name).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public async Task Names_AreCaseSensitiveAndUnicode()
    {
        var backend = await CreateAsync();

        await WriteAsync(backend, "/Readme", "upper");
        await WriteAsync(backend, "/readme", "lower");
        await WriteAsync(backend, "/naïve-日本", "unicode");

        Assert.Equal("upper", await ReadAsync(backend, "/Readme"));
        Assert.Equal("lower", await ReadAsync(backend, "/readme"));
        Assert.Equal("unicode", await ReadAsync(backend, "/naïve-日本"));
    }
}
