using System.Text;
using GreyOS.Abstractions.Errors;
using GreyOS.Abstractions.FileSystem;
using GreyOS.FileSystem.Vfs;

namespace GreyOS.FileSystem.Tests;

/// <summary>Versions, trash, quotas, search and watching on the node's default composition (sqlite root, real identity).</summary>
public sealed class VfsRecoveryTests : IAsyncLifetime
{
    private VfsHarness _harness = null!;
    private FilePrincipal _bob = null!;
    private FilePrincipal _alice = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private VirtualFileSystem Vfs => _harness.Vfs;

    public async ValueTask InitializeAsync()
    {
        _harness = await VfsHarness.StartAsync(configure: o => o.VersionsKept = 3);
        _bob = await _harness.UserAsync("bob", quotaBytes: 1_000_000);
        _alice = await _harness.UserAsync("alice");
    }

    public ValueTask DisposeAsync() => _harness.DisposeAsync();

    [Fact]
    public async Task Write_ReplacingKeepsLastNVersions_NewestFirst()
    {
        for (var i = 1; i <= 5; i++)
        {
            await WriteAsync(_bob, "/home/bob/notes.txt", $"v{i}");
        }

        var versions = await Vfs.ListVersionsAsync(_bob, P("/home/bob/notes.txt"), Ct);

        Assert.True(versions.IsSuccess, versions.Error?.Message);
        Assert.Equal(3, versions.Value.Count);
        Assert.Equal(["v4", "v3", "v2"], await Task.WhenAll(versions.Value.Select(v => ContentOfVersionAsync("/home/bob/notes.txt", v.Id))));
        Assert.All(versions.Value, v => Assert.Equal("bob", v.SavedBy));
    }

    [Fact]
    public async Task Write_SameBytes_KeepsNoVersion()
    {
        await WriteAsync(_bob, "/home/bob/a.txt", "same");
        await WriteAsync(_bob, "/home/bob/a.txt", "same");

        var versions = await Vfs.ListVersionsAsync(_bob, P("/home/bob/a.txt"), Ct);

        Assert.Empty(versions.Value);
    }

    [Fact]
    public async Task RestoreVersion_BringsOldContentBack_CurrentBecomesAVersion()
    {
        await WriteAsync(_bob, "/home/bob/doc.md", "first");
        var second = await WriteAsync(_bob, "/home/bob/doc.md", "second");
        var first = (await Vfs.ListVersionsAsync(_bob, P("/home/bob/doc.md"), Ct)).Value.Single();

        var stale = await Vfs.RestoreVersionAsync(_bob, P("/home/bob/doc.md"), first.Id, "\"stale\"", Ct);
        var restored = await Vfs.RestoreVersionAsync(_bob, P("/home/bob/doc.md"), first.Id, second.ETag, Ct);
        var missing = await Vfs.RestoreVersionAsync(_bob, P("/home/bob/doc.md"), 999_999, null, Ct);
        var byAlice = await Vfs.RestoreVersionAsync(_alice, P("/home/bob/doc.md"), first.Id, null, Ct);

        Assert.Equal(ErrorCodes.EtagMismatch, stale.Error?.Code);
        Assert.True(restored.IsSuccess, restored.Error?.Message);
        Assert.Equal("first", await ReadAsync(_bob, "/home/bob/doc.md"));
        Assert.Contains("second", await Task.WhenAll((await Vfs.ListVersionsAsync(_bob, P("/home/bob/doc.md"), Ct)).Value.Select(v => ContentOfVersionAsync("/home/bob/doc.md", v.Id))));
        Assert.Equal(ErrorCodes.VersionNotFound, missing.Error?.Code);
        Assert.Equal(ErrorCodes.Forbidden, byAlice.Error?.Code);
    }

    [Fact]
    public async Task Versions_FollowMoves()
    {
        await WriteAsync(_bob, "/home/bob/old.txt", "one");
        await WriteAsync(_bob, "/home/bob/old.txt", "two");

        await Vfs.CreateFolderAsync(_bob, P("/home/bob/archive"), parents: false, Ct);
        var moved = await Vfs.MoveAsync(_bob, P("/home/bob/old.txt"), P("/home/bob/archive/new.txt"), false, Ct);
        var versions = await Vfs.ListVersionsAsync(_bob, P("/home/bob/archive/new.txt"), Ct);

        Assert.True(moved.IsSuccess, moved.Error?.Message);
        Assert.Equal("one", await ContentOfVersionAsync("/home/bob/archive/new.txt", versions.Value.Single().Id));
    }

    [Fact]
    public async Task Delete_MovesToTrash_RestoreBringsItBackWithVersions()
    {
        await WriteAsync(_bob, "/home/bob/Docs/plan.txt", "v1");
        await WriteAsync(_bob, "/home/bob/Docs/plan.txt", "v2");

        var deleted = await Vfs.DeleteAsync(_bob, P("/home/bob/Docs"), recursive: true, null, Ct);
        var gone = await Vfs.StatAsync(_bob, P("/home/bob/Docs"), Ct);
        var trash = await Vfs.ListTrashAsync(_bob, all: false, Ct);
        var aliceTrash = await Vfs.ListTrashAsync(_alice, all: false, Ct);
        var aliceRestores = await Vfs.RestoreFromTrashAsync(_alice, trash.Value.Single().Id, null, Ct);
        var restored = await Vfs.RestoreFromTrashAsync(_bob, trash.Value.Single().Id, null, Ct);

        Assert.True(deleted.IsSuccess, deleted.Error?.Message);
        Assert.Equal(ErrorCodes.FileNotFound, gone.Error?.Code);
        var item = Assert.Single(trash.Value);
        Assert.Equal("/home/bob/Docs", item.OriginalPath.Value);
        Assert.Equal(EntryKind.Folder, item.Kind);
        Assert.Equal(2, item.Length);
        Assert.Equal("user:bob", item.Owner);
        Assert.Empty(aliceTrash.Value);
        Assert.Equal(ErrorCodes.TrashItemNotFound, aliceRestores.Error?.Code);
        Assert.True(restored.IsSuccess, restored.Error?.Message);
        Assert.Equal("v2", await ReadAsync(_bob, "/home/bob/Docs/plan.txt"));
        Assert.Single((await Vfs.ListVersionsAsync(_bob, P("/home/bob/Docs/plan.txt"), Ct)).Value);
        Assert.Empty((await Vfs.ListTrashAsync(_bob, all: false, Ct)).Value);
    }

    [Fact]
    public async Task Trash_IsHidden_RestoreOverAnExistingEntryIsRefused()
    {
        await WriteAsync(_bob, "/home/bob/x.txt", "old");
        await Vfs.DeleteAsync(_bob, P("/home/bob/x.txt"), recursive: false, null, Ct);
        await WriteAsync(_bob, "/home/bob/x.txt", "new");
        var item = (await Vfs.ListTrashAsync(_bob, all: false, Ct)).Value.Single();
        var admin = await _harness.UserAsync("root", admin: true);

        var clash = await Vfs.RestoreFromTrashAsync(_bob, item.Id, null, Ct);
        var elsewhere = await Vfs.RestoreFromTrashAsync(_bob, item.Id, P("/home/bob/x (restored).txt"), Ct);
        var rootListing = await Vfs.ListAsync(admin, VfsPath.Root, ListOrder.Name, false, 100, null, Ct);
        var trashRead = await Vfs.ListAsync(admin, P("/.trash"), ListOrder.Name, false, 100, null, Ct);

        Assert.Equal(ErrorCodes.FileExists, clash.Error?.Code);
        Assert.True(elsewhere.IsSuccess, elsewhere.Error?.Message);
        Assert.Equal("old", await ReadAsync(_bob, "/home/bob/x (restored).txt"));
        Assert.DoesNotContain(rootListing.Value.Entries, e => e.Name == ".trash");
        Assert.Equal(ErrorCodes.Forbidden, trashRead.Error?.Code);
    }

    [Fact]
    public async Task PurgeAndEmpty_DeleteForGood()
    {
        await WriteAsync(_bob, "/home/bob/a", "a");
        await WriteAsync(_bob, "/home/bob/b", "b");
        await WriteAsync(_bob, "/home/bob/c", "c");
        foreach (var name in new[] { "a", "b", "c" })
        {
            await Vfs.DeleteAsync(_bob, P("/home/bob/" + name), recursive: false, null, Ct);
        }

        var items = (await Vfs.ListTrashAsync(_bob, all: false, Ct)).Value;
        var purged = await Vfs.PurgeAsync(_bob, items[0].Id, Ct);
        var emptied = await Vfs.EmptyTrashAsync(_bob, Ct);
        var restoreGone = await Vfs.RestoreFromTrashAsync(_bob, items[0].Id, null, Ct);

        Assert.True(purged.IsSuccess);
        Assert.Equal(2, emptied.Value);
        Assert.Empty((await Vfs.ListTrashAsync(_bob, all: false, Ct)).Value);
        Assert.Equal(ErrorCodes.TrashItemNotFound, restoreGone.Error?.Code);
    }

    [Fact]
    public async Task Trash_ExpiresAfterRetention()
    {
        await WriteAsync(_bob, "/home/bob/old", "x");
        await Vfs.DeleteAsync(_bob, P("/home/bob/old"), recursive: false, null, Ct);

        _harness.Time.Advance(TimeSpan.FromDays(31));
        var trash = await Vfs.ListTrashAsync(_bob, all: false, Ct);

        Assert.Empty(trash.Value);
    }

    [Fact]
    public async Task DeleteForever_SkipsTheTrash()
    {
        await WriteAsync(_bob, "/home/bob/tmp.bin", "x");

        var deleted = await Vfs.DeleteForeverAsync(_bob, P("/home/bob/tmp.bin"), recursive: false, null, Ct);

        Assert.True(deleted.IsSuccess);
        Assert.Empty((await Vfs.ListTrashAsync(_bob, all: false, Ct)).Value);
    }

    [Fact]
    public async Task Quota_RefusesDeclaredOverflowBeforeBytes_AndStreamedOverflowWithoutChange()
    {
        await WriteAsync(_bob, "/home/bob/big.bin", new string('a', 600_000));

        var declared = await Vfs.WriteAsync(_bob, P("/home/bob/more.bin"), new ThrowingStream(), new WriteOptions(ExpectedLength: 500_000), Ct);
        var streamed = await Vfs.WriteAsync(_bob, P("/home/bob/more.bin"), new MemoryStream(new byte[500_000]), new WriteOptions(), Ct);
        var replaceFits = await Vfs.WriteAsync(_bob, P("/home/bob/big.bin"), new MemoryStream(new byte[900_000]), new WriteOptions(ExpectedLength: 900_000), Ct);
        var usage = await Vfs.QuotaAsync(_bob, P("/home/bob"), Ct);

        Assert.Equal(ErrorCodes.QuotaExceeded, declared.Error?.Code);
        Assert.Equal(ErrorKind.InsufficientStorage, declared.Error?.Kind);
        Assert.Equal(ErrorCodes.QuotaExceeded, streamed.Error?.Code);
        Assert.Equal(ErrorCodes.FileNotFound, (await Vfs.StatAsync(_bob, P("/home/bob/more.bin"), Ct)).Error?.Code);
        Assert.True(replaceFits.IsSuccess, replaceFits.Error?.Message); // the old content leaves the quota (versions do not count)
        Assert.Equal(900_000, usage.Value.UsedBytes);
        Assert.Equal(1_000_000, usage.Value.QuotaBytes);
    }

    [Fact]
    public async Task Quota_TrashCounts_EmptyingFreesIt()
    {
        await WriteAsync(_bob, "/home/bob/a.bin", new string('a', 700_000));
        await Vfs.DeleteAsync(_bob, P("/home/bob/a.bin"), recursive: false, null, Ct);

        var whileInTrash = await Vfs.WriteAsync(_bob, P("/home/bob/b.bin"), new MemoryStream(new byte[400_000]), new WriteOptions(ExpectedLength: 400_000), Ct);
        var usage = await Vfs.QuotaAsync(_bob, P("/home/bob/anything"), Ct);
        await Vfs.EmptyTrashAsync(_bob, Ct);
        var afterEmpty = await Vfs.WriteAsync(_bob, P("/home/bob/b.bin"), new MemoryStream(new byte[400_000]), new WriteOptions(ExpectedLength: 400_000), Ct);

        Assert.Equal(ErrorCodes.QuotaExceeded, whileInTrash.Error?.Code);
        Assert.Equal(700_000, usage.Value.TrashBytes);
        Assert.True(afterEmpty.IsSuccess, afterEmpty.Error?.Message);
    }

    [Fact]
    public async Task Quota_CopyIsAdmittedLikeAWrite()
    {
        await WriteAsync(_bob, "/home/bob/half.bin", new string('a', 600_000));

        var copy = await Vfs.CopyAsync(_bob, P("/home/bob/half.bin"), P("/home/bob/copy.bin"), false, Ct);

        Assert.Equal(ErrorCodes.QuotaExceeded, copy.Error?.Code);
    }

    [Fact]
    public async Task Versions_UnderAQuota_HoldAtMostTheQuotaAgain_OldestGoFirst()
    {
        // Replacing big files with tiny ones must not hide unbounded bytes in versions.
        await WriteAsync(_bob, "/home/bob/f1.bin", new string('a', 600_000));
        await WriteAsync(_bob, "/home/bob/f1.bin", "x");
        await WriteAsync(_bob, "/home/bob/f2.bin", new string('b', 600_000));
        await WriteAsync(_bob, "/home/bob/f2.bin", "y");

        var f1 = await Vfs.ListVersionsAsync(_bob, P("/home/bob/f1.bin"), Ct);
        var f2 = await Vfs.ListVersionsAsync(_bob, P("/home/bob/f2.bin"), Ct);

        Assert.Empty(f1.Value); // dropped to make room: 2 × 600,000 > the 1,000,000 quota
        Assert.Equal(600_000, Assert.Single(f2.Value).Length);
    }

    [Fact]
    public async Task Watch_MoveOutOfSight_SeenAsADelete_NewPathNotShown()
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        await WriteAsync(_bob, "/shared/x.txt", "x");
        var watch = await Vfs.WatchAsync(_alice, P("/shared"), stop.Token);
        await using var changes = watch.Value.GetAsyncEnumerator(stop.Token);

        await Vfs.MoveAsync(_bob, P("/shared/x.txt"), P("/home/bob/x.txt"), false, Ct);
        Assert.True(await changes.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10), Ct));

        Assert.Equal(FileChangeKind.Deleted, changes.Current.Kind);
        Assert.Equal("/shared/x.txt", changes.Current.Path.Value);
        Assert.Null(changes.Current.OldPath);
    }

    [Fact]
    public async Task Search_FindsNamesCaseInsensitively_OnlyWhereReadable()
    {
        await WriteAsync(_bob, "/home/bob/Reports/Q1-Report.pdf", "x");
        await WriteAsync(_bob, "/home/bob/Reports/2026/q2-report.pdf", "x");
        await WriteAsync(_bob, "/home/bob/notes.txt", "x");
        await WriteAsync(_alice, "/home/alice/report.txt", "x");

        var found = await Vfs.SearchAsync(_bob, P("/home"), "REPORT", 100, Ct);
        var limited = await Vfs.SearchAsync(_bob, P("/home/bob"), "report", 1, Ct);
        var empty = await Vfs.SearchAsync(_bob, P("/home/bob"), " ", 10, Ct);

        Assert.True(found.IsSuccess, found.Error?.Message);
        Assert.Equal(["/home/bob/Reports", "/home/bob/Reports/Q1-Report.pdf", "/home/bob/Reports/2026/q2-report.pdf"], found.Value.Select(e => e.Path.Value));
        Assert.Single(limited.Value);
        Assert.Equal(ErrorCodes.InvalidRequest, empty.Error?.Code);
    }

    [Fact]
    public async Task Watch_SeesChangesUnderTheFolder_NotOthers()
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var watch = await Vfs.WatchAsync(_bob, P("/home/bob/Inbox"), stop.Token);
        var seen = new List<FileChange>();
        var reader = Task.Run(
            async () =>
            {
                await foreach (var change in watch.Value)
                {
                    seen.Add(change);
                    if (seen.Count == 4)
                    {
                        break;
                    }
                }
            },
            Ct);

        await WriteAsync(_bob, "/home/bob/Inbox/a.txt", "1");
        await WriteAsync(_bob, "/home/bob/elsewhere.txt", "x");
        await WriteAsync(_bob, "/home/bob/Inbox/a.txt", "2");
        await Vfs.MoveAsync(_bob, P("/home/bob/Inbox/a.txt"), P("/home/bob/Inbox/b.txt"), false, Ct);
        await reader.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        Assert.Equal([FileChangeKind.Created, FileChangeKind.Created, FileChangeKind.Changed, FileChangeKind.Moved], seen.Select(c => c.Kind));
        Assert.Equal("/home/bob/Inbox", seen[0].Path.Value);
        Assert.Equal(EntryKind.Folder, seen[0].EntryKind);
        Assert.Equal("/home/bob/Inbox/b.txt", seen[3].Path.Value);
        Assert.Equal("/home/bob/Inbox/a.txt", seen[3].OldPath?.Value);
    }

    [Fact]
    public async Task Watch_OthersHome_Refused()
    {
        var watch = await Vfs.WatchAsync(_alice, P("/home/bob"), Ct);

        Assert.Equal(ErrorCodes.Forbidden, watch.Error?.Code);
    }

    private async Task<FileEntry> WriteAsync(FilePrincipal who, string path, string text)
    {
        var parent = P(path).Parent;
        await Vfs.CreateFolderAsync(who, parent, parents: true, Ct);
        var written = await Vfs.WriteAsync(who, P(path), new MemoryStream(Encoding.UTF8.GetBytes(text)), new WriteOptions(), Ct);
        Assert.True(written.IsSuccess, written.Error?.Message);
        return written.Value;
    }

    private async Task<string> ReadAsync(FilePrincipal who, string path)
    {
        var opened = await Vfs.OpenReadAsync(who, P(path), 0, null, Ct);
        Assert.True(opened.IsSuccess, opened.Error?.Message);
        await using var content = opened.Value.Content;
        using var reader = new StreamReader(content);
        return await reader.ReadToEndAsync(Ct);
    }

    private async Task<string> ContentOfVersionAsync(string path, long id)
    {
        var version = await _harness.Get<Versions.VersionStore>().GetAsync(P(path), id, Ct);
        await using var content = _harness.Get<Snapshots>().Open(version!);
        using var reader = new StreamReader(content);
        return await reader.ReadToEndAsync(Ct);
    }

    private static VfsPath P(string path) => VfsPath.Parse(path).Value;

    /// <summary>A body that must never be read: a refused write reads no bytes.</summary>
    private sealed class ThrowingStream : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => throw new InvalidOperationException("the body was read");

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
