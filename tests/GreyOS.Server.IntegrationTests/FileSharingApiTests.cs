using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using GreyOS.Protocol;
using GreyOS.Testing;

namespace GreyOS.Server.IntegrationTests;

/// <summary>Versions, trash, quotas, search, watch, shares and public links over real HTTP on loopback.</summary>
public sealed class FileSharingApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task VersionsAndTrash_KeepAndRecover()
    {
        await using var node = await StartAsync();
        using var admin = await node.LoginAsync(cancellationToken: Ct);
        await admin.PutAsync("/api/v1/fs/files/home/admin/todo.txt", Text("one"), Ct);
        await admin.PutAsync("/api/v1/fs/files/home/admin/todo.txt", Text("two"), Ct);

        var versions = await admin.GetFromJsonAsync("/api/v1/fs/versions/home/admin/todo.txt", ProtocolJsonContext.Default.FileVersionListResponse, Ct);
        var restore = await admin.PostAsJsonAsync("/api/v1/fs/versions/restore", new RestoreVersionRequest("/home/admin/todo.txt", versions!.Versions[0].Id), ProtocolJsonContext.Default.RestoreVersionRequest, Ct);
        var download = await admin.GetAsync("/api/v1/fs/files/home/admin/todo.txt", Ct);
        var afterRestore = await download.Content.ReadAsStringAsync(Ct);
        var deleted = await admin.DeleteAsync("/api/v1/fs/files/home/admin/todo.txt", Ct);
        var trash = await admin.GetFromJsonAsync("/api/v1/fs/trash", ProtocolJsonContext.Default.TrashListResponse, Ct);
        var back = await admin.PostAsJsonAsync($"/api/v1/fs/trash/{trash!.Items[0].Id}/restore", new RestoreTrashRequest(), ProtocolJsonContext.Default.RestoreTrashRequest, Ct);
        var unknown = await admin.DeleteAsync("/api/v1/fs/trash/t0000", Ct);
        var permanent = await admin.DeleteAsync("/api/v1/fs/files/home/admin/todo.txt?permanent=true", Ct);
        var emptyTrash = await admin.GetFromJsonAsync("/api/v1/fs/trash", ProtocolJsonContext.Default.TrashListResponse, Ct);

        Assert.Equal("one", afterRestore);
        Assert.StartsWith("sandbox", download.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal); // user content never runs on the node's origin
        Assert.Single(versions.Versions);
        Assert.Equal(HttpStatusCode.OK, restore.StatusCode);
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Equal("/home/admin/todo.txt", Assert.Single(trash.Items).OriginalPath);
        Assert.Equal(HttpStatusCode.OK, back.StatusCode);
        await ProblemAssert.IsProblemAsync(unknown, HttpStatusCode.NotFound, "trash_item_not_found");
        Assert.Equal(HttpStatusCode.OK, permanent.StatusCode);
        Assert.Empty(emptyTrash!.Items);
    }

    [Fact]
    public async Task Quota_OverHttp_RefusedWith507BeforeTheBody()
    {
        await using var node = await StartAsync();
        using var admin = await node.LoginAsync(cancellationToken: Ct);
        await admin.PostAsJsonAsync("/api/v1/users", new CreateUserRequest("bob", Password: "bobs-password-1", QuotaBytes: 1000), ProtocolJsonContext.Default.CreateUserRequest, Ct);
        using var bob = await node.LoginAsync("bob", "bobs-password-1", Ct);

        var fits = await bob.PutAsync("/api/v1/fs/files/home/bob/a.bin", new ByteArrayContent(new byte[600]), Ct);
        var over = await bob.PutAsync("/api/v1/fs/files/home/bob/b.bin", new ByteArrayContent(new byte[600]), Ct);
        var quota = await bob.GetFromJsonAsync("/api/v1/fs/quota", ProtocolJsonContext.Default.QuotaResponse, Ct);

        Assert.Equal(HttpStatusCode.Created, fits.StatusCode);
        await ProblemAssert.IsProblemAsync(over, HttpStatusCode.InsufficientStorage, "quota_exceeded");
        Assert.Equal(("/home/bob", 600L, 1000L), (quota!.Root, quota.UsedBytes, quota.QuotaBytes));
    }

    [Fact]
    public async Task SharesAndLinks_OverHttp()
    {
        await using var node = await StartAsync();
        using var admin = await node.LoginAsync(cancellationToken: Ct);
        await admin.PostAsJsonAsync("/api/v1/users", new CreateUserRequest("bob", Password: "bobs-password-1"), ProtocolJsonContext.Default.CreateUserRequest, Ct);
        using var bob = await node.LoginAsync("bob", "bobs-password-1", Ct);
        await admin.PostAsync("/api/v1/fs/folders/home/admin/Photos", null, Ct);
        await admin.PutAsync("/api/v1/fs/files/home/admin/Photos/cat.txt", Text("meow"), Ct);

        var before = await bob.GetAsync("/api/v1/fs/files/home/admin/Photos/cat.txt", Ct);
        var share = await admin.PutAsJsonAsync("/api/v1/fs/shares/home/admin/Photos", new ShareRequest("user", "bob", ["read"]), ProtocolJsonContext.Default.ShareRequest, Ct);
        var badShare = await admin.PutAsJsonAsync("/api/v1/fs/shares/home/admin/Photos", new ShareRequest("planet", "bob", ["read"]), ProtocolJsonContext.Default.ShareRequest, Ct);
        var after = await bob.GetStringAsync("/api/v1/fs/files/home/admin/Photos/cat.txt", Ct);
        var withMe = await bob.GetFromJsonAsync("/api/v1/fs/shared-with-me", ProtocolJsonContext.Default.ShareListResponse, Ct);
        var unshare = await admin.DeleteAsync("/api/v1/fs/shares/home/admin/Photos?kind=user&name=bob", Ct);

        var link = await admin.PostAsJsonAsync("/api/v1/fs/links", new CreateLinkRequest("/home/admin/Photos", Password: "pw"), ProtocolJsonContext.Default.CreateLinkRequest, Ct);
        var created = await link.Content.ReadFromJsonAsync(ProtocolJsonContext.Default.CreatedLinkResponse, Ct);
        var noPassword = await node.Http.GetAsync(created!.Url, Ct);
        using var folderRequest = new HttpRequestMessage(HttpMethod.Get, created.Url);
        folderRequest.Headers.Add("X-Link-Password", "pw");
        var folder = await node.Http.SendAsync(folderRequest, Ct);
        using var fileRequest = new HttpRequestMessage(HttpMethod.Get, created.Url + "/cat.txt");
        fileRequest.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("anyone:pw")));
        var file = await node.Http.SendAsync(fileRequest, Ct);
        using var escape = new HttpRequestMessage(HttpMethod.Get, created.Url + "/..%2F..%2Fadmin");
        escape.Headers.Add("X-Link-Password", "pw");
        var escaped = await node.Http.SendAsync(escape, Ct);
        var revoke = await admin.DeleteAsync("/api/v1/fs/links/" + created.Link.Id, Ct);
        using var afterRevokeRequest = new HttpRequestMessage(HttpMethod.Get, created.Url);
        afterRevokeRequest.Headers.Add("X-Link-Password", "pw");
        var afterRevoke = await node.Http.SendAsync(afterRevokeRequest, Ct);

        Assert.Equal(HttpStatusCode.Forbidden, before.StatusCode);
        Assert.Equal(HttpStatusCode.OK, share.StatusCode);
        await ProblemAssert.IsProblemAsync(badShare, HttpStatusCode.BadRequest, "invalid_request");
        Assert.Equal("meow", after);
        Assert.Equal("/home/admin/Photos", Assert.Single(withMe!.Shares).Path);
        Assert.Equal(HttpStatusCode.OK, unshare.StatusCode);
        Assert.Equal(HttpStatusCode.Created, link.StatusCode);
        await ProblemAssert.IsProblemAsync(noPassword, HttpStatusCode.Unauthorized, "link_password");
        Assert.Contains("Basic", noPassword.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        var listing = await folder.Content.ReadFromJsonAsync(ProtocolJsonContext.Default.LinkFolderResponse, Ct);
        Assert.Equal(["/cat.txt"], listing!.Entries.Select(e => e.Path));
        Assert.Equal("meow", await file.Content.ReadAsStringAsync(Ct));
        Assert.Contains("sandbox", file.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, escaped.StatusCode);
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        await ProblemAssert.IsProblemAsync(afterRevoke, HttpStatusCode.NotFound, "link_not_found");
    }

    [Fact]
    public async Task SearchAndWatch_OverHttp()
    {
        await using var node = await StartAsync();
        using var admin = await node.LoginAsync(cancellationToken: Ct);
        await admin.PostAsync("/api/v1/fs/folders/home/admin/inbox", null, Ct);
        using var watchRequest = new HttpRequestMessage(HttpMethod.Get, "/api/v1/fs/watch/home/admin/inbox");
        using var watch = await admin.SendAsync(watchRequest, HttpCompletionOption.ResponseHeadersRead, Ct);
        await using var events = await watch.Content.ReadAsStreamAsync(Ct);
        using var reader = new StreamReader(events);
        Assert.Equal(": watching", await reader.ReadLineAsync(Ct));

        await admin.PutAsync("/api/v1/fs/files/home/admin/inbox/Letter.txt", Text("hi"), Ct);
        var lines = new List<string>();
        while (lines.Count < 2)
        {
            var line = await reader.ReadLineAsync(Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(10), Ct);
            if (!string.IsNullOrEmpty(line))
            {
                lines.Add(line);
            }
        }

        var found = await admin.GetFromJsonAsync("/api/v1/fs/search/home/admin?q=letter", ProtocolJsonContext.Default.FileSearchResponse, Ct);
        var badQuery = await admin.GetAsync("/api/v1/fs/search/home/admin?q=", Ct);

        Assert.Equal("text/event-stream", watch.Content.Headers.ContentType?.MediaType);
        Assert.Equal("event: change", lines[0]);
        Assert.Contains("\"kind\":\"created\"", lines[1], StringComparison.Ordinal);
        Assert.Contains("/home/admin/inbox/Letter.txt", lines[1], StringComparison.Ordinal);
        Assert.Equal(["/home/admin/inbox/Letter.txt"], found!.Entries.Select(e => e.Path));
        await ProblemAssert.IsProblemAsync(badQuery, HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task Mounts_AdminOnly_HostFolderOutsideRootsRefused()
    {
        await using var node = await StartAsync();
        using var admin = await node.LoginAsync(cancellationToken: Ct);

        var sqlite = await admin.PostAsJsonAsync("/api/v1/fs/mounts", new CreateMountRequest("team", "sqlite"), ProtocolJsonContext.Default.CreateMountRequest, Ct);
        var host = await admin.PostAsJsonAsync("/api/v1/fs/mounts", new CreateMountRequest("etc", "local", "/etc"), ProtocolJsonContext.Default.CreateMountRequest, Ct);
        var write = await admin.PutAsync("/api/v1/fs/files/mnt/team/readme.md", Text("# team"), Ct);
        var mounts = await admin.GetFromJsonAsync("/api/v1/fs/mounts", ProtocolJsonContext.Default.MountListResponse, Ct);
        var unmount = await admin.DeleteAsync("/api/v1/fs/mounts/team", Ct);

        Assert.Equal(HttpStatusCode.Created, sqlite.StatusCode);
        await ProblemAssert.IsProblemAsync(host, HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(HttpStatusCode.Created, write.StatusCode);
        Assert.Equal(["/mnt/team"], mounts!.Mounts.Select(m => m.MountPoint));
        Assert.Equal(HttpStatusCode.OK, unmount.StatusCode);
    }

    private static Task<TestNode> StartAsync() =>
        TestNode.StartAsync(new TestNodeOptions { AdminPassword = TestNode.DefaultAdminPassword }, Ct);

    private static StringContent Text(string text) => new(text, Encoding.UTF8, "text/plain");
}
