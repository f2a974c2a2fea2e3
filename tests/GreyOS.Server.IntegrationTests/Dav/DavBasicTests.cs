using System.Net;
using System.Net.Http.Headers;

namespace GreyOS.Server.IntegrationTests.Dav;

/// <summary>litmus "basic": OPTIONS, PUT, GET, HEAD, DELETE, MKCOL.</summary>
public sealed class DavBasicTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Options_WithoutCredentials_AdvertisesClass1And2()
    {
        await using var dav = await DavNode.StartAsync();

        var response = await dav.Node.Http.SendAsync("OPTIONS", "/dav/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("1, 2", response.Headers.GetValues("DAV").Single());
        var allow = string.Join(",", response.Content.Headers.Allow);
        foreach (var method in new[] { "PROPFIND", "PROPPATCH", "LOCK", "UNLOCK", "MKCOL", "COPY", "MOVE", "PUT" })
        {
            Assert.Contains(method, allow, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task PutGetHeadDelete_File_RoundTripsWithStatusesETagAndRange()
    {
        await using var dav = await DavNode.StartAsync();
        using var alice = dav.Alice();

        var created = await alice.PutTextAsync("/dav/home/alice/notes.txt", "0123456789");
        var replaced = await alice.PutTextAsync("/dav/home/alice/notes.txt", "abcdefghij");
        var get = await alice.GetAsync("/dav/home/alice/notes.txt", Ct);
        using var rangeRequest = new HttpRequestMessage(HttpMethod.Get, "/dav/home/alice/notes.txt");
        rangeRequest.Headers.Range = new RangeHeaderValue(2, 4);
        var range = await alice.SendAsync(rangeRequest, Ct);
        using var conditional = new HttpRequestMessage(HttpMethod.Get, "/dav/home/alice/notes.txt");
        conditional.Headers.IfNoneMatch.Add(get.Headers.ETag!);
        var notModified = await alice.SendAsync(conditional, Ct);
        var head = await alice.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/dav/home/alice/notes.txt"), Ct);
        var deleted = await alice.DeleteAsync("/dav/home/alice/notes.txt", Ct);
        var gone = await alice.GetAsync("/dav/home/alice/notes.txt", Ct);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, replaced.StatusCode);
        Assert.Equal("abcdefghij", await get.Content.ReadAsStringAsync(Ct));
        Assert.Equal(replaced.Headers.ETag, get.Headers.ETag);
        Assert.NotEqual(created.Headers.ETag, replaced.Headers.ETag);
        Assert.NotNull(get.Content.Headers.LastModified);
        Assert.Equal(HttpStatusCode.PartialContent, range.StatusCode);
        Assert.Equal("cde", await range.Content.ReadAsStringAsync(Ct));
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(10, head.Content.Headers.ContentLength);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task Put_ConditionalHeaders_412AndNothingChanged()
    {
        await using var dav = await DavNode.StartAsync();
        using var alice = dav.Alice();
        await alice.PutTextAsync("/dav/home/alice/a.txt", "first");

        var createOnly = await alice.PutTextAsync("/dav/home/alice/a.txt", "second", ("If-None-Match", "*"));
        var wrongTag = await alice.PutTextAsync("/dav/home/alice/a.txt", "third", ("If-Match", "\"not-the-etag\""));
        var matchMissing = await alice.PutTextAsync("/dav/home/alice/missing.txt", "x", ("If-Match", "*"));

        Assert.Equal(HttpStatusCode.PreconditionFailed, createOnly.StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed, wrongTag.StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed, matchMissing.StatusCode);
        Assert.Equal("first", await alice.GetStringAsync("/dav/home/alice/a.txt", Ct));
        Assert.Equal(HttpStatusCode.NotFound, (await alice.GetAsync("/dav/home/alice/missing.txt", Ct)).StatusCode);
    }

    [Fact]
    public async Task Put_MissingParentOrOverCollection_409Or405()
    {
        await using var dav = await DavNode.StartAsync();
        using var alice = dav.Alice();
        await alice.SendAsync("MKCOL", "/dav/home/alice/folder");

        var missingParent = await alice.PutTextAsync("/dav/home/alice/nope/a.txt", "x");
        var overFolder = await alice.PutTextAsync("/dav/home/alice/folder", "x");

        Assert.Equal(HttpStatusCode.Conflict, missingParent.StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, overFolder.StatusCode);
    }

    [Fact]
    public async Task Mkcol_CreatesThenRefusesExistingMissingParentAndBody()
    {
        await using var dav = await DavNode.StartAsync();
        using var alice = dav.Alice();

        var created = await alice.SendAsync("MKCOL", "/dav/home/alice/docs/");
        var again = await alice.SendAsync("MKCOL", "/dav/home/alice/docs/");
        var noParent = await alice.SendAsync("MKCOL", "/dav/home/alice/a/b/c/");
        var withBody = await alice.SendAsync("MKCOL", "/dav/home/alice/body/", "<x/>");
        var inside = await alice.PutTextAsync("/dav/home/alice/docs/readme.md", "# hi");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, again.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, noParent.StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, withBody.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await alice.PropfindAsync("/dav/home/alice/body/", "0")).StatusCode);
        Assert.Equal(HttpStatusCode.Created, inside.StatusCode);
    }

    [Fact]
    public async Task Delete_Collection_RemovesItsMembers()
    {
        await using var dav = await DavNode.StartAsync();
        using var alice = dav.Alice();
        await alice.SendAsync("MKCOL", "/dav/home/alice/tree");
        await alice.SendAsync("MKCOL", "/dav/home/alice/tree/sub");
        await alice.PutTextAsync("/dav/home/alice/tree/sub/leaf.txt", "leaf");

        var deleted = await alice.DeleteAsync("/dav/home/alice/tree/", Ct);

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await alice.GetAsync("/dav/home/alice/tree/sub/leaf.txt", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await alice.DeleteAsync("/dav/home/alice/tree/", Ct)).StatusCode);
    }
}
