using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using GreyOS.Protocol;
using GreyOS.Testing;

namespace GreyOS.Server.IntegrationTests;

public sealed class FileApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Upload_ThenDownloadStatAndRange_RoundTrips()
    {
        await using var node = await StartAsync();
        using var admin = await node.LoginAsync(cancellationToken: Ct);

        var put = await admin.PutAsync("/api/v1/fs/files/home/admin/notes/today.txt", Text("0123456789"), Ct);
        var folder = await admin.PostAsync("/api/v1/fs/folders/home/admin/notes?parents=true", null, Ct);
        var put2 = await admin.PutAsync("/api/v1/fs/files/home/admin/notes/today.txt", Text("0123456789"), Ct);
        var get = await admin.GetAsync("/api/v1/fs/files/home/admin/notes/today.txt", Ct);
        using var range = new HttpRequestMessage(HttpMethod.Get, "/api/v1/fs/files/home/admin/notes/today.txt");
        range.Headers.Range = new RangeHeaderValue(2, 4);
        var partial = await admin.SendAsync(range, Ct);
        var stat = await admin.GetFromJsonAsync("/api/v1/fs/stat/home/admin/notes/today.txt", ProtocolJsonContext.Default.FileEntryResponse, Ct);

        await ProblemAssert.IsProblemAsync(put, HttpStatusCode.NotFound, "file_not_found"); // the folder did not exist yet
        Assert.Equal(HttpStatusCode.Created, folder.StatusCode);
        Assert.Equal(HttpStatusCode.Created, put2.StatusCode);
        Assert.Equal("0123456789", await get.Content.ReadAsStringAsync(Ct));
        Assert.Equal("text/plain", get.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal("234", await partial.Content.ReadAsStringAsync(Ct));
        Assert.Equal(("file", 10L, "today.txt"), (stat!.Kind, stat.Length, stat.Name));
        Assert.Equal(get.Headers.ETag?.ToString(), stat.ETag);
    }

    [Fact]
    public async Task ConditionalRequests_IfMatchIfNoneMatch()
    {
        await using var node = await StartAsync();
        using var admin = await node.LoginAsync(cancellationToken: Ct);
        var first = await admin.PutAsync("/api/v1/fs/files/home/admin/doc", Text("v1"), Ct);
        var etag = first.Headers.ETag!;
        await admin.PutAsync("/api/v1/fs/files/home/admin/doc", Text("v2"), Ct);

        using var stale = new HttpRequestMessage(HttpMethod.Put, "/api/v1/fs/files/home/admin/doc") { Content = Text("v3") };
        stale.Headers.IfMatch.Add(etag);
        var staleWrite = await admin.SendAsync(stale, Ct);
        using var createOnly = new HttpRequestMessage(HttpMethod.Put, "/api/v1/fs/files/home/admin/doc") { Content = Text("v4") };
        createOnly.Headers.IfNoneMatch.Add(EntityTagHeaderValue.Any);
        var exists = await admin.SendAsync(createOnly, Ct);
        var current = (await admin.GetAsync("/api/v1/fs/files/home/admin/doc", Ct)).Headers.ETag!;
        using var cached = new HttpRequestMessage(HttpMethod.Get, "/api/v1/fs/files/home/admin/doc");
        cached.Headers.IfNoneMatch.Add(current);
        var notModified = await admin.SendAsync(cached, Ct);

        await ProblemAssert.IsProblemAsync(staleWrite, HttpStatusCode.PreconditionFailed, "etag_mismatch");
        await ProblemAssert.IsProblemAsync(exists, HttpStatusCode.Conflict, "file_exists");
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Equal("v2", await admin.GetStringAsync("/api/v1/fs/files/home/admin/doc", Ct));
    }

    [Theory]
    [InlineData("/api/v1/fs/files/home/admin/..%2F..%2Fetc%2Fpasswd")] // ("%2e%2e/" is resolved by .NET's Uri before sending; VfsPathTests cover it)
    [InlineData("/api/v1/fs/files/home/admin/a%5Cb")]
    [InlineData("/api/v1/fs/files/home/admin/a%00b")]
    [InlineData("/api/v1/fs/files/home/admin/trailing.")]
    public async Task Upload_TraversalOrBadName_400InvalidPathAndNothingWritten(string url)
    {
        await using var node = await StartAsync();
        using var admin = await node.LoginAsync(cancellationToken: Ct);

        var put = await admin.PutAsync(url, Text("x"), Ct);
        var listing = await admin.GetFromJsonAsync("/api/v1/fs/list/home/admin", ProtocolJsonContext.Default.FileListingResponse, Ct);

        // Kestrel itself refuses some forms (an encoded NUL) before the node sees them: still a 400.
        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        if (put.Content.Headers.ContentType?.MediaType == "application/problem+json")
        {
            await ProblemAssert.IsProblemAsync(put, HttpStatusCode.BadRequest, "invalid_path");
        }

        Assert.Empty(listing!.Entries);
    }

    [Fact]
    public async Task OtherUsersHome_403_SharedWorksForEveryone()
    {
        await using var node = await StartAsync();
        using var admin = await node.LoginAsync(cancellationToken: Ct);
        await admin.PostAsJsonAsync("/api/v1/users", new CreateUserRequest("bob", Password: "bobs-password-1"), ProtocolJsonContext.Default.CreateUserRequest, Ct);
        using var bob = await node.LoginAsync("bob", "bobs-password-1", Ct);
        await admin.PutAsync("/api/v1/fs/files/home/admin/secret", Text("s"), Ct);

        var peek = await bob.GetAsync("/api/v1/fs/files/home/admin/secret", Ct);
        var own = await bob.PutAsync("/api/v1/fs/files/home/bob/mine", Text("m"), Ct);
        var shared = await bob.PutAsync("/api/v1/fs/files/shared/hello", Text("hi"), Ct);
        var adminReadsShared = await admin.GetStringAsync("/api/v1/fs/files/shared/hello", Ct);
        var home = await bob.GetFromJsonAsync("/api/v1/fs/list/home", ProtocolJsonContext.Default.FileListingResponse, Ct);

        await ProblemAssert.IsProblemAsync(peek, HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(HttpStatusCode.Created, own.StatusCode);
        Assert.Equal(HttpStatusCode.Created, shared.StatusCode);
        Assert.Equal("hi", adminReadsShared);
        Assert.Equal(["bob"], home!.Entries.Select(e => e.Name));
    }

    [Fact]
    public async Task MoveCopyDelete_WorkAndAreChecked()
    {
        await using var node = await StartAsync();
        using var admin = await node.LoginAsync(cancellationToken: Ct);
        await admin.PostAsync("/api/v1/fs/folders/home/admin/a?parents=true", null, Ct);
        await admin.PutAsync("/api/v1/fs/files/home/admin/a/f.txt", Text("data"), Ct);

        var copy = await admin.PostAsJsonAsync("/api/v1/fs/copy", new FileTransferRequest("/home/admin/a", "/home/admin/b"), ProtocolJsonContext.Default.FileTransferRequest, Ct);
        var move = await admin.PostAsJsonAsync("/api/v1/fs/move", new FileTransferRequest("/home/admin/b/f.txt", "/home/admin/g.txt"), ProtocolJsonContext.Default.FileTransferRequest, Ct);
        var clash = await admin.PostAsJsonAsync("/api/v1/fs/move", new FileTransferRequest("/home/admin/g.txt", "/home/admin/a/f.txt"), ProtocolJsonContext.Default.FileTransferRequest, Ct);
        var notEmpty = await admin.DeleteAsync("/api/v1/fs/files/home/admin/a", Ct);
        var recursive = await admin.DeleteAsync("/api/v1/fs/files/home/admin/a?recursive=true", Ct);
        var listing = await admin.GetFromJsonAsync("/api/v1/fs/list/home/admin", ProtocolJsonContext.Default.FileListingResponse, Ct);

        Assert.Equal(HttpStatusCode.OK, copy.StatusCode);
        Assert.Equal(HttpStatusCode.OK, move.StatusCode);
        await ProblemAssert.IsProblemAsync(clash, HttpStatusCode.Conflict, "file_exists");
        await ProblemAssert.IsProblemAsync(notEmpty, HttpStatusCode.Conflict, "folder_not_empty");
        Assert.Equal(HttpStatusCode.OK, recursive.StatusCode);
        Assert.Equal(["b", "g.txt"], listing!.Entries.Select(e => e.Name));
        Assert.Equal("data", await admin.GetStringAsync("/api/v1/fs/files/home/admin/g.txt", Ct));
    }

    [Fact]
    public async Task Files_SurviveARestart()
    {
        using var data = new TempDirectory("greyos-fs-restart");
        await using (var node = await StartAsync(data.Path))
        {
            using var admin = await node.LoginAsync(cancellationToken: Ct);
            var big = new byte[(5 * 1024 * 1024) + 3];
            Random.Shared.NextBytes(big);
            Assert.Equal(HttpStatusCode.Created, (await admin.PutAsync("/api/v1/fs/files/home/admin/big.bin", new ByteArrayContent(big), Ct)).StatusCode);
            Assert.Equal(HttpStatusCode.Created, (await admin.PutAsync("/api/v1/fs/files/home/admin/small.txt", Text("small"), Ct)).StatusCode);
        }

        await using var again = await StartAsync(data.Path);
        using var client = await again.LoginAsync(cancellationToken: Ct);

        Assert.Equal("small", await client.GetStringAsync("/api/v1/fs/files/home/admin/small.txt", Ct));
        Assert.Equal((5 * 1024 * 1024) + 3, (await client.GetByteArrayAsync("/api/v1/fs/files/home/admin/big.bin", Ct)).Length);
    }

    private static Task<TestNode> StartAsync(string? data = null) =>
        TestNode.StartAsync(new TestNodeOptions { AdminPassword = TestNode.DefaultAdminPassword, DataDirectory = data }, Ct);

    private static StringContent Text(string text) => new(text, Encoding.UTF8, "text/plain");
}
