using System.Text;
using GreyOS.Abstractions.Errors;
using GreyOS.Abstractions.FileSystem;
using GreyOS.Abstractions.Identity;
using GreyOS.FileSystem.Vfs;
using GreyOS.Testing;

namespace GreyOS.FileSystem.Tests;

/// <summary>Shares (users, groups, apps), public links and admin mounts, on real SQLite and a real user directory.</summary>
public sealed class VfsSharingTests : IAsyncLifetime
{
    private VfsHarness _harness = null!;
    private FilePrincipal _alice = null!;
    private FilePrincipal _bob = null!;
    private FilePrincipal _carol = null!;
    private FilePrincipal _admin = null!;
    private readonly TempDirectory _host = new("greyos-mount-root");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private VirtualFileSystem Vfs => _harness.Vfs;

    public async ValueTask InitializeAsync()
    {
        _harness = await VfsHarness.StartAsync(configure: o => o.MountRoots.Add(_host.Path));
        _alice = await _harness.UserAsync("alice");
        _bob = await _harness.UserAsync("bob");
        _carol = await _harness.UserAsync("carol");
        _admin = await _harness.UserAsync("boss", admin: true);
        await WriteAsync(_alice, "/home/alice/Docs/plan.txt", "alice's plan");
    }

    public async ValueTask DisposeAsync()
    {
        await _harness.DisposeAsync();
        _host.Dispose();
    }

    [Fact]
    public async Task ShareWithUser_Read_AllowsReadingBelow_NotWriting()
    {
        var before = await Vfs.StatAsync(_bob, P("/home/alice/Docs/plan.txt"), Ct);
        var shared = await Vfs.ShareAsync(_alice, P("/home/alice/Docs"), ShareeKind.User, "bob", FileRights.Read, Ct);

        var read = await ReadAsync(_bob, "/home/alice/Docs/plan.txt");
        var listing = await Vfs.ListAsync(_bob, P("/home/alice/Docs"), ListOrder.Name, false, 10, null, Ct);
        var write = await Vfs.WriteAsync(_bob, P("/home/alice/Docs/evil.txt"), Text("x"), new WriteOptions(), Ct);
        var carol = await Vfs.StatAsync(_carol, P("/home/alice/Docs/plan.txt"), Ct);
        var outside = await Vfs.ListAsync(_bob, P("/home/alice"), ListOrder.Name, false, 10, null, Ct);

        Assert.Equal(ErrorCodes.Forbidden, before.Error?.Code);
        Assert.True(shared.IsSuccess, shared.Error?.Message);
        Assert.Equal(_bob.UserId, shared.Value.Id);
        Assert.Equal("alice's plan", read);
        Assert.Equal(["plan.txt"], listing.Value.Entries.Select(e => e.Name));
        Assert.Equal(ErrorCodes.Forbidden, write.Error?.Code);
        Assert.Equal(ErrorCodes.Forbidden, carol.Error?.Code);
        Assert.Equal(ErrorCodes.Forbidden, outside.Error?.Code);
    }

    [Fact]
    public async Task ShareWithGroup_Write_MembersWrite_UnshareRevokes()
    {
        var team = await _harness.Users.CreateGroupAsync("team", "test", Ct);
        await _harness.Users.AddMemberAsync("team", GroupMemberKind.User, "carol", "test", Ct);
        Assert.True(team.IsSuccess);

        await Vfs.ShareAsync(_alice, P("/home/alice/Docs"), ShareeKind.Group, "team", FileRights.Write, Ct);
        var carolWrites = await Vfs.WriteAsync(_carol, P("/home/alice/Docs/carol.txt"), Text("hi"), new WriteOptions(), Ct);
        var bobWrites = await Vfs.WriteAsync(_bob, P("/home/alice/Docs/bob.txt"), Text("hi"), new WriteOptions(), Ct);
        var unshared = await Vfs.UnshareAsync(_alice, P("/home/alice/Docs"), ShareeKind.Group, "team", Ct);
        _harness.Time.Advance(Authorizer.GroupCacheLifetime);
        var afterRevoke = await Vfs.StatAsync(_carol, P("/home/alice/Docs/carol.txt"), Ct);

        Assert.True(carolWrites.IsSuccess, carolWrites.Error?.Message);
        Assert.Equal(ErrorCodes.Forbidden, bobWrites.Error?.Code);
        Assert.True(unshared.IsSuccess);
        Assert.Equal(ErrorCodes.Forbidden, afterRevoke.Error?.Code);
    }

    [Fact]
    public async Task Sharing_OnlyOwnersAdminsOrShareHolders_NeverMoreRightsThanHeld()
    {
        var bobShares = await Vfs.ShareAsync(_bob, P("/home/alice/Docs"), ShareeKind.User, "carol", FileRights.Read, Ct);
        await Vfs.ShareAsync(_alice, P("/home/alice/Docs"), ShareeKind.User, "bob", FileRights.Read | FileRights.Share, Ct);
        var reshareRead = await Vfs.ShareAsync(_bob, P("/home/alice/Docs"), ShareeKind.User, "carol", FileRights.Read, Ct);
        var reshareWrite = await Vfs.ShareAsync(_bob, P("/home/alice/Docs"), ShareeKind.User, "carol", FileRights.Write, Ct);
        var adminShares = await Vfs.ShareAsync(_admin, P("/home/alice/Docs/plan.txt"), ShareeKind.User, "carol", FileRights.Write, Ct);
        var structural = await Vfs.ShareAsync(_admin, P("/shared"), ShareeKind.User, "carol", FileRights.Read, Ct);
        var unknown = await Vfs.ShareAsync(_alice, P("/home/alice/Docs"), ShareeKind.User, "nobody", FileRights.Read, Ct);
        var sharedWithCarol = await Vfs.SharedWithAsync(_carol, Ct);

        Assert.Equal(ErrorCodes.Forbidden, bobShares.Error?.Code);
        Assert.True(reshareRead.IsSuccess, reshareRead.Error?.Message);
        Assert.Equal(ErrorCodes.Forbidden, reshareWrite.Error?.Code);
        Assert.True(adminShares.IsSuccess);
        Assert.Equal(ErrorCodes.Forbidden, structural.Error?.Code);
        Assert.Equal(ErrorCodes.UserNotFound, unknown.Error?.Code);
        Assert.Equal(["/home/alice/Docs", "/home/alice/Docs/plan.txt"], sharedWithCarol.Select(s => s.Path.Value));
    }

    [Fact]
    public async Task ShareHolders_ChangeOnlyTheSharesTheyGranted()
    {
        await Vfs.ShareAsync(_alice, P("/home/alice/Docs"), ShareeKind.User, "carol", FileRights.Read | FileRights.Share, Ct);
        await Vfs.ShareAsync(_alice, P("/home/alice/Docs"), ShareeKind.User, "bob", FileRights.Write, Ct);

        var downgrade = await Vfs.ShareAsync(_carol, P("/home/alice/Docs"), ShareeKind.User, "bob", FileRights.Read, Ct);
        var remove = await Vfs.UnshareAsync(_carol, P("/home/alice/Docs"), ShareeKind.User, "bob", Ct);
        var ownerRemoves = await Vfs.UnshareAsync(_alice, P("/home/alice/Docs"), ShareeKind.User, "bob", Ct);

        Assert.Equal(ErrorCodes.Forbidden, downgrade.Error?.Code);
        Assert.Equal(ErrorCodes.Forbidden, remove.Error?.Code);
        Assert.True(ownerRemoves.IsSuccess);
    }

    [Fact]
    public async Task PublicLink_WrongPasswords_LimitedPerLink_EvenTheRightOneWaits()
    {
        var link = await Vfs.CreateLinkAsync(_alice, P("/home/alice/Docs"), null, "right", Ct);
        for (var i = 0; i < VirtualFileSystem.LinkFailuresAllowed; i++)
        {
            Assert.Equal(ErrorCodes.LinkPassword, (await Vfs.OpenLinkAsync(link.Value.Token, "wrong", Ct)).Error?.Code);
        }

        var limited = await Vfs.OpenLinkAsync(link.Value.Token, "right", Ct);
        _harness.Time.Advance(VirtualFileSystem.LinkFailureWindow);
        var later = await Vfs.OpenLinkAsync(link.Value.Token, "right", Ct);

        Assert.Equal(ErrorCodes.RateLimited, limited.Error?.Code);
        Assert.True(later.IsSuccess, later.Error?.Message);
    }

    [Fact]
    public async Task ShareWithApp_AppNeedsItsShareAndTheUsersAccess()
    {
        var notesForAlice = _alice with { AppId = "org.example.notes" };
        var notesForBob = _bob with { AppId = "org.example.notes" };

        var before = await Vfs.StatAsync(notesForAlice, P("/home/alice/Docs/plan.txt"), Ct);
        await Vfs.ShareAsync(_alice, P("/home/alice/Docs"), ShareeKind.App, "org.example.notes", FileRights.Read, Ct);
        var after = await Vfs.StatAsync(notesForAlice, P("/home/alice/Docs/plan.txt"), Ct);
        var forBob = await Vfs.StatAsync(notesForBob, P("/home/alice/Docs/plan.txt"), Ct);
        var appShares = await Vfs.ShareAsync(notesForAlice, P("/home/alice/Docs"), ShareeKind.User, "bob", FileRights.Read, Ct);

        Assert.Equal(ErrorCodes.Forbidden, before.Error?.Code);
        Assert.True(after.IsSuccess, after.Error?.Message);
        Assert.Equal(ErrorCodes.Forbidden, forBob.Error?.Code); // bob himself may not read alice's files
        Assert.Equal(ErrorCodes.Forbidden, appShares.Error?.Code);
    }

    [Fact]
    public async Task Shares_FollowMoves_AndEndWithDelete()
    {
        await Vfs.ShareAsync(_alice, P("/home/alice/Docs"), ShareeKind.User, "bob", FileRights.Read, Ct);

        await Vfs.MoveAsync(_alice, P("/home/alice/Docs"), P("/home/alice/Papers"), false, Ct);
        var movedRead = await Vfs.StatAsync(_bob, P("/home/alice/Papers/plan.txt"), Ct);
        await Vfs.CreateFolderAsync(_alice, P("/home/alice/Docs"), parents: false, Ct);
        var oldPath = await Vfs.StatAsync(_bob, P("/home/alice/Docs"), Ct);
        await Vfs.DeleteAsync(_alice, P("/home/alice/Papers"), recursive: true, null, Ct);
        var trash = (await Vfs.ListTrashAsync(_alice, false, Ct)).Value.Single();
        await Vfs.RestoreFromTrashAsync(_alice, trash.Id, null, Ct);
        var restoredRead = await Vfs.StatAsync(_bob, P("/home/alice/Papers/plan.txt"), Ct);

        Assert.True(movedRead.IsSuccess, movedRead.Error?.Message);
        Assert.Equal(ErrorCodes.Forbidden, oldPath.Error?.Code);
        Assert.Equal(ErrorCodes.Forbidden, restoredRead.Error?.Code); // a restored item comes back unshared
    }

    [Fact]
    public async Task PublicLink_ReadsAsCreator_ExpiryPasswordAndRevocation()
    {
        var created = await Vfs.CreateLinkAsync(_alice, P("/home/alice/Docs/plan.txt"), null, null, Ct);
        var opened = await Vfs.OpenLinkAsync(created.Value.Token, null, Ct);
        var read = await Vfs.OpenReadAsync(opened.Value.Principal, opened.Value.Path, 0, null, Ct);
        await read.Value.Content.DisposeAsync();

        var expiring = await Vfs.CreateLinkAsync(_alice, P("/home/alice/Docs"), _harness.Time.GetUtcNow().AddHours(1), "s3cret", Ct);
        var noPassword = await Vfs.OpenLinkAsync(expiring.Value.Token, null, Ct);
        var wrongPassword = await Vfs.OpenLinkAsync(expiring.Value.Token, "guess", Ct);
        var rightPassword = await Vfs.OpenLinkAsync(expiring.Value.Token, "s3cret", Ct);
        _harness.Time.Advance(TimeSpan.FromHours(2));
        var expired = await Vfs.OpenLinkAsync(expiring.Value.Token, "s3cret", Ct);

        var revoked = await Vfs.RevokeLinkAsync(_alice, created.Value.Link.Id, Ct);
        var afterRevoke = await Vfs.OpenLinkAsync(created.Value.Token, null, Ct);
        var forged = await Vfs.OpenLinkAsync("not-a-token", null, Ct);
        var bobRevokes = await Vfs.RevokeLinkAsync(_bob, expiring.Value.Link.Id, Ct);
        var mine = await Vfs.ListLinksAsync(_alice, all: false, Ct);

        Assert.True(opened.IsSuccess, opened.Error?.Message);
        Assert.False(opened.Value.Principal.IsAdmin);
        Assert.True(read.IsSuccess);
        Assert.Equal(ErrorCodes.LinkPassword, noPassword.Error?.Code);
        Assert.Equal(ErrorKind.Unauthenticated, wrongPassword.Error?.Kind);
        Assert.True(rightPassword.IsSuccess, rightPassword.Error?.Message);
        Assert.Equal(ErrorCodes.LinkExpired, expired.Error?.Code);
        Assert.True(revoked.IsSuccess);
        Assert.Equal(ErrorCodes.LinkNotFound, afterRevoke.Error?.Code);
        Assert.Equal(ErrorCodes.LinkNotFound, forged.Error?.Code);
        Assert.Equal(ErrorCodes.LinkNotFound, bobRevokes.Error?.Code);
        Assert.Equal([expiring.Value.Link.Id], mine.Value.Select(l => l.Id));
        Assert.True(mine.Value[0].HasPassword);
    }

    [Fact]
    public async Task PublicLink_OthersFilesRefused_DisabledCreatorEndsIt()
    {
        var bobLinks = await Vfs.CreateLinkAsync(_bob, P("/home/alice/Docs/plan.txt"), null, null, Ct);
        var created = await Vfs.CreateLinkAsync(_alice, P("/home/alice/Docs/plan.txt"), null, null, Ct);
        await _harness.Users.UpdateUserAsync("alice", new UserChange(Status: UserStatus.Disabled), "test", Ct);

        var opened = await Vfs.OpenLinkAsync(created.Value.Token, null, Ct);

        Assert.Equal(ErrorCodes.Forbidden, bobLinks.Error?.Code);
        Assert.Equal(ErrorCodes.LinkNotFound, opened.Error?.Code);
    }

    [Fact]
    public async Task Mounts_AdminMountsHostFolder_SharedWithGroup_ReadOnlyHonoured()
    {
        File.WriteAllText(Path.Combine(_host.Path, "readme.txt"), "from the host");
        var byUser = await Vfs.MountAsync(_alice, "media", "local", _host.Path, false, Ct);
        var outsideRoots = await Vfs.MountAsync(_admin, "etc", "local", "/etc", false, Ct);
        var mounted = await Vfs.MountAsync(_admin, "media", "local", _host.Path, false, Ct);
        var again = await Vfs.MountAsync(_admin, "media", "sqlite", null, false, Ct);

        var adminReads = await ReadAsync(_admin, "/mnt/media/readme.txt");
        var bobBefore = await Vfs.StatAsync(_bob, P("/mnt/media/readme.txt"), Ct);
        await Vfs.ShareAsync(_admin, P("/mnt/media"), ShareeKind.User, "bob", FileRights.Write, Ct);
        var bobWrites = await Vfs.WriteAsync(_bob, P("/mnt/media/bob.txt"), Text("from bob"), new WriteOptions(), Ct);
        var mntListing = await Vfs.ListAsync(_admin, P("/mnt"), ListOrder.Name, false, 10, null, Ct);
        var replaced = await Vfs.WriteAsync(_bob, P("/mnt/media/bob.txt"), Text("bob again"), new WriteOptions(), Ct);
        var hostVersions = await Vfs.ListVersionsAsync(_bob, P("/mnt/media/bob.txt"), Ct);
        var restoredOnHost = await Vfs.RestoreVersionAsync(_bob, P("/mnt/media/bob.txt"), hostVersions.Value.Single().Id, null, Ct);

        Assert.Equal(ErrorCodes.Forbidden, byUser.Error?.Code);
        Assert.Equal(ErrorCodes.Forbidden, outsideRoots.Error?.Code);
        Assert.True(mounted.IsSuccess, mounted.Error?.Message);
        Assert.Equal(ErrorCodes.MountExists, again.Error?.Code);
        Assert.Equal("from the host", adminReads);
        Assert.Equal(ErrorCodes.Forbidden, bobBefore.Error?.Code);
        Assert.True(bobWrites.IsSuccess, bobWrites.Error?.Message);
        Assert.Equal("from bob", File.ReadAllText(Path.Combine(_host.Path, "bob.txt")));
        Assert.Equal(["media"], mntListing.Value.Entries.Select(e => e.Name));
        Assert.True(replaced.IsSuccess, replaced.Error?.Message);
        Assert.True(restoredOnHost.IsSuccess, restoredOnHost.Error?.Message); // a version of a host file: copied into the content store
        Assert.Equal("from bob", File.ReadAllText(Path.Combine(_host.Path, "bob.txt")));

        var readOnly = await Vfs.MountAsync(_admin, "archive", "sqlite", null, true, Ct);
        var refused = await Vfs.WriteAsync(_admin, P("/mnt/archive/x"), Text("x"), new WriteOptions(), Ct);
        Assert.True(readOnly.IsSuccess);
        Assert.Equal(ErrorCodes.Forbidden, refused.Error?.Code);
    }

    [Fact]
    public async Task Mounts_MoveAcrossMounts_CopiesThenRemoves_DeleteUsesTheMountsTrash()
    {
        await Vfs.MountAsync(_admin, "scratch", "sqlite", null, false, Ct);
        await WriteAsync(_admin, "/home/boss/report/a.txt", "A");
        await WriteAsync(_admin, "/home/boss/report/sub/b.txt", "B");

        var moved = await Vfs.MoveAsync(_admin, P("/home/boss/report"), P("/mnt/scratch/report"), false, Ct);
        var source = await Vfs.StatAsync(_admin, P("/home/boss/report"), Ct);
        var deleted = await Vfs.DeleteAsync(_admin, P("/mnt/scratch/report/sub"), recursive: true, null, Ct);
        var item = (await Vfs.ListTrashAsync(_admin, all: true, Ct)).Value.Single();
        var restored = await Vfs.RestoreFromTrashAsync(_admin, item.Id, null, Ct);

        Assert.True(moved.IsSuccess, moved.Error?.Message);
        Assert.Equal("A", await ReadAsync(_admin, "/mnt/scratch/report/a.txt"));
        Assert.Equal(ErrorCodes.FileNotFound, source.Error?.Code);
        Assert.True(deleted.IsSuccess, deleted.Error?.Message);
        Assert.Equal("mount:scratch", item.Owner);
        Assert.True(restored.IsSuccess, restored.Error?.Message);
        Assert.Equal("B", await ReadAsync(_admin, "/mnt/scratch/report/sub/b.txt"));
    }

    private async Task WriteAsync(FilePrincipal who, string path, string text)
    {
        await Vfs.CreateFolderAsync(who, P(path).Parent, parents: true, Ct);
        var written = await Vfs.WriteAsync(who, P(path), Text(text), new WriteOptions(), Ct);
        Assert.True(written.IsSuccess, written.Error?.Message);
    }

    private async Task<string> ReadAsync(FilePrincipal who, string path)
    {
        var opened = await Vfs.OpenReadAsync(who, P(path), 0, null, Ct);
        Assert.True(opened.IsSuccess, opened.Error?.Message);
        await using var content = opened.Value.Content;
        using var reader = new StreamReader(content);
        return await reader.ReadToEndAsync(Ct);
    }

    private static MemoryStream Text(string text) => new(Encoding.UTF8.GetBytes(text));

    private static VfsPath P(string path) => VfsPath.Parse(path).Value;
}
