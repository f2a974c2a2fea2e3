using System.Net;

namespace GreyOS.Server.IntegrationTests.Dav;

/// <summary>Paths that try to leave the caller's files: refused before any file is touched.</summary>
public sealed class DavTraversalTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/dav/home/alice/../bob/secret.txt")]
    [InlineData("/dav/home/alice/%2e%2e/bob/secret.txt")]
    [InlineData("/dav/home/alice/%2E%2E/bob/secret.txt")]
    [InlineData("/dav/home/alice/..%2fbob/secret.txt")]
    [InlineData("/dav/home/alice/%2fhome%2fbob/secret.txt")]
    [InlineData("/dav/home/alice/..%5cbob/secret.txt")]
    [InlineData("/dav/home/alice/%00/x")]
    [InlineData("/dav/home/alice/%ff/x")]
    [InlineData("/dav/home/bob/secret.txt")]
    public async Task EscapingPaths_RefusedAndBobsFileUnchanged(string target)
    {
        await using var dav = await DavNode.StartAsync();
        using var bob = dav.Bob();
        using var alice = dav.Alice();
        await bob.PutTextAsync("/dav/home/bob/secret.txt", "bob's");

        // Send the target exactly as written (no client-side dot-segment removal or re-encoding).
        var uri = new Uri(dav.Node.BaseAddress + target.TrimStart('/'), new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        using var read = new HttpRequestMessage(HttpMethod.Get, uri);
        var get = await alice.SendAsync(read, Ct);
        using var write = new HttpRequestMessage(HttpMethod.Put, uri) { Content = new StringContent("alice was here") };
        var put = await alice.SendAsync(write, Ct);
        using var remove = new HttpRequestMessage(HttpMethod.Delete, uri);
        var delete = await alice.SendAsync(remove, Ct);

        foreach (var response in new[] { get, put, delete })
        {
            Assert.True(response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Forbidden, $"{response.RequestMessage!.Method} {target}: {(int)response.StatusCode}");
        }

        Assert.Equal("bob's", await bob.GetStringAsync("/dav/home/bob/secret.txt", Ct));
    }

    [Fact]
    public async Task OtherUsersHome_403AndHiddenFromListing()
    {
        await using var dav = await DavNode.StartAsync();
        using var bob = dav.Bob();
        using var alice = dav.Alice();
        await bob.PutTextAsync("/dav/home/bob/secret.txt", "bob's");

        var propfind = await alice.PropfindAsync("/dav/home/bob/", "1");
        var home = await Dav.XmlAsync(await alice.PropfindAsync("/dav/home/", "1"));
        var lockIt = await alice.SendAsync("LOCK", "/dav/home/bob/secret.txt", Dav.LockBody());
        var proppatch = await alice.SendAsync("PROPPATCH", "/dav/home/bob/secret.txt",
            "<D:propertyupdate xmlns:D=\"DAV:\"><D:set><D:prop><x xmlns=\"urn:x\">1</x></D:prop></D:set></D:propertyupdate>");
        var copyOut = await alice.SendAsync("COPY", "/dav/home/bob/secret.txt", null, ("Destination", "/dav/home/alice/loot.txt"));

        Assert.Equal(HttpStatusCode.Forbidden, propfind.StatusCode);
        Assert.DoesNotContain(home.Root!.Descendants(Dav.D + "href"), h => h.Value.Contains("/bob", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.Forbidden, lockIt.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, proppatch.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, copyOut.StatusCode);
    }
}
