using System.Text;
using GreyOS.Abstractions.Errors;
using GreyOS.Abstractions.FileSystem;
using GreyOS.FileSystem.Vfs;

namespace GreyOS.FileSystem.Tests;

public sealed class VirtualFileSystemTests : IAsyncLifetime
{
    private static readonly FilePrincipal Bob = new("usr_bob", "bob", IsAdmin: false);
    private static readonly FilePrincipal Alice = new("usr_alice", "alice", IsAdmin: false);
    private static readonly FilePrincipal Admin = new("usr_admin", "admin", IsAdmin: true);
    private static readonly FilePrincipal NotesApp = new("usr_bob", "bob", IsAdmin: false, AppId: "org.example.notes");

    private VfsHarness _harness = null!;
    private VirtualFileSystem _vfs = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _harness = await VfsHarness.StartAsync(memoryRoot: true);
        _vfs = _harness.Vfs;
    }

    public ValueTask DisposeAsync() => _harness.DisposeAsync();

    [Fact]
    public async Task Home_OwnerReadsAndWrites_OthersForbidden()
    {
        var written = await WriteAsync(Bob, "/home/bob/notes.txt", "mine");
        var aliceReads = await _vfs.StatAsync(Alice, P("/home/bob/notes.txt"), Ct);
        var aliceWrites = await _vfs.WriteAsync(Alice, P("/home/bob/evil.txt"), Text("x"), new WriteOptions(), Ct);
        var adminReads = await _vfs.StatAsync(Admin, P("/home/bob/notes.txt"), Ct);

        Assert.True(written.IsSuccess, written.Error?.Message);
        Assert.Equal("text/plain", written.Value.MimeType);
        Assert.Equal(ErrorCodes.Forbidden, aliceReads.Error?.Code);
        Assert.Equal(ErrorCodes.Forbidden, aliceWrites.Error?.Code);
        Assert.True(adminReads.IsSuccess);
    }

    [Fact]
    public async Task Namespace_FoldersCannotBeChanged_SystemIsReadOnly()
    {
        await WriteAsync(Bob, "/home/bob/x", "x");

        var deleteHome = await _vfs.DeleteAsync(Bob, P("/home/bob"), recursive: true, null, Ct);
        var renameShared = await _vfs.MoveAsync(Admin, P("/shared"), P("/common"), false, Ct);
        var writeSystem = await _vfs.WriteAsync(Admin, P("/system/x"), Text("x"), new WriteOptions(), Ct);
        var readSystem = await _vfs.ListAsync(Bob, P("/system"), ListOrder.Name, false, 100, null, Ct);
        var writeRoot = await _vfs.WriteAsync(Admin, P("/top.txt"), Text("x"), new WriteOptions(), Ct);

        Assert.Equal(ErrorCodes.Forbidden, deleteHome.Error?.Code);
        Assert.Equal(ErrorCodes.Forbidden, renameShared.Error?.Code);
        Assert.Equal(ErrorCodes.Forbidden, writeSystem.Error?.Code);
        Assert.True(readSystem.IsSuccess);
        Assert.True(writeRoot.IsSuccess); // an administrator may put files at the top; users may not
        Assert.Equal(ErrorCodes.Forbidden, (await _vfs.WriteAsync(Bob, P("/top2.txt"), Text("x"), new WriteOptions(), Ct)).Error?.Code);
    }

    [Fact]
    public async Task Shared_EveryUserReadsAndWrites()
    {
        await WriteAsync(Bob, "/shared/plan.md", "v1");

        var alice = await _vfs.OpenReadAsync(Alice, P("/shared/plan.md"), 0, null, Ct);
        var aliceWrites = await WriteAsync(Alice, "/shared/plan.md", "v2");

        Assert.True(alice.IsSuccess);
        await alice.Value.Content.DisposeAsync();
        Assert.True(aliceWrites.IsSuccess);
        Assert.Equal("text/markdown", aliceWrites.Value.MimeType);
    }

    [Fact]
    public async Task App_SeesOnlyItsDataFolder()
    {
        var own = await WriteAsync(NotesApp, "/apps/org.example.notes/data/db.json", "{}");
        var home = await _vfs.StatAsync(NotesApp, P("/home/bob"), Ct);
        var other = await _vfs.WriteAsync(NotesApp, P("/apps/org.example.mail/data/x"), Text("x"), new WriteOptions(), Ct);
        var shared = await _vfs.ListAsync(NotesApp, P("/shared"), ListOrder.Name, false, 10, null, Ct);

        Assert.True(own.IsSuccess, own.Error?.Message);
        Assert.Equal(ErrorCodes.Forbidden, home.Error?.Code);
        Assert.Equal(ErrorCodes.Forbidden, other.Error?.Code);
        Assert.Equal(ErrorCodes.Forbidden, shared.Error?.Code);
    }

    [Fact]
    public async Task ListHome_ShowsOnlyTheCallersFolder()
    {
        await WriteAsync(Bob, "/home/bob/a", "a");
        await WriteAsync(Alice, "/home/alice/b", "b");

        var asBob = await _vfs.ListAsync(Bob, P("/home"), ListOrder.Name, false, 100, null, Ct);
        var asAdmin = await _vfs.ListAsync(Admin, P("/home"), ListOrder.Name, false, 100, null, Ct);
        var root = await _vfs.ListAsync(Bob, VfsPath.Root, ListOrder.Name, false, 100, null, Ct);

        Assert.Equal(["bob"], asBob.Value.Entries.Select(e => e.Name));
        Assert.Equal(["alice", "bob"], asAdmin.Value.Entries.Select(e => e.Name)); // homes appear on first use
        Assert.Equal(["apps", "home", "mnt", "shared", "system"], root.Value.Entries.Select(e => e.Name));
    }

    [Fact]
    public async Task List_SortedFoldersFirstAndPaged()
    {
        for (var i = 0; i < 25; i++)
        {
            await WriteAsync(Bob, $"/home/bob/f{i:D2}", new string('x', i));
        }

        await _vfs.CreateFolderAsync(Bob, P("/home/bob/zz-folder"), parents: false, Ct);
        var first = (await _vfs.ListAsync(Bob, P("/home/bob"), ListOrder.Name, false, 10, null, Ct)).Value;
        var second = (await _vfs.ListAsync(Bob, P("/home/bob"), ListOrder.Name, false, 10, first.NextCursor, Ct)).Value;
        var third = (await _vfs.ListAsync(Bob, P("/home/bob"), ListOrder.Name, false, 10, second.NextCursor, Ct)).Value;
        var bySize = (await _vfs.ListAsync(Bob, P("/home/bob"), ListOrder.Size, true, 3, null, Ct)).Value;
        var badCursor = await _vfs.ListAsync(Bob, P("/home/bob"), ListOrder.Name, false, 10, "o:-1", Ct);

        Assert.Equal(26, first.Total);
        Assert.Equal("zz-folder", first.Entries[0].Name);
        Assert.Equal(26, first.Entries.Concat(second.Entries).Concat(third.Entries).Select(e => e.Name).Distinct().Count());
        Assert.Null(third.NextCursor);
        Assert.Equal(["zz-folder", "f24", "f23"], bySize.Entries.Select(e => e.Name));
        Assert.Equal(ErrorCodes.InvalidRequest, badCursor.Error?.Code);
    }

    [Fact]
    public async Task CreateFolder_Parents_CreatesTheMissingOnes()
    {
        var created = await _vfs.CreateFolderAsync(Bob, P("/home/bob/a/b/c"), parents: true, Ct);
        var again = await _vfs.CreateFolderAsync(Bob, P("/home/bob/a/b/c"), parents: true, Ct);
        await WriteAsync(Bob, "/home/bob/file", "x");
        var throughFile = await _vfs.CreateFolderAsync(Bob, P("/home/bob/file/sub"), parents: true, Ct);
        var elsewhere = await _vfs.CreateFolderAsync(Bob, P("/home/alice/x"), parents: true, Ct);

        Assert.True(created.IsSuccess, created.Error?.Message);
        Assert.True(again.IsSuccess);
        Assert.Equal(ErrorCodes.NotAFolder, throughFile.Error?.Code);
        Assert.Equal(ErrorCodes.Forbidden, elsewhere.Error?.Code);
    }

    [Fact]
    public async Task Move_IntoAnotherUsersHome_Forbidden_WithinOwn_Works()
    {
        await WriteAsync(Bob, "/home/bob/a.txt", "a");

        var steal = await _vfs.MoveAsync(Alice, P("/home/bob/a.txt"), P("/home/alice/a.txt"), false, Ct);
        var give = await _vfs.MoveAsync(Bob, P("/home/bob/a.txt"), P("/home/alice/a.txt"), false, Ct);
        var rename = await _vfs.MoveAsync(Bob, P("/home/bob/a.txt"), P("/home/bob/b.txt"), false, Ct);

        Assert.Equal(ErrorCodes.Forbidden, steal.Error?.Code);
        Assert.Equal(ErrorCodes.Forbidden, give.Error?.Code);
        Assert.True(rename.IsSuccess, rename.Error?.Message);
    }

    private static VfsPath P(string path) => VfsPath.Parse(path).Value;

    private static MemoryStream Text(string text) => new(Encoding.UTF8.GetBytes(text));

    private async Task<Result<FileEntry>> WriteAsync(FilePrincipal who, string path, string text) =>
        await _vfs.WriteAsync(who, P(path), Text(text), new WriteOptions(), Ct);
}
