using System.Net;

namespace GreyOS.Server.IntegrationTests.Dav;

/// <summary>litmus "copymove": COPY and MOVE with Overwrite, Depth, into itself, foreign destinations.</summary>
public sealed class DavCopyMoveTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Copy_File_NewThenOverwriteThenOverwriteF()
    {
        await using var dav = await DavNode.StartAsync();
        using var alice = dav.Alice();
        var destination = new Uri(dav.Node.BaseAddress, "/dav/home/alice/b.txt").ToString();
        await alice.PutTextAsync("/dav/home/alice/a.txt", "A");

        var created = await alice.SendAsync("COPY", "/dav/home/alice/a.txt", null, ("Destination", destination));
        await alice.PutTextAsync("/dav/home/alice/a.txt", "A2");
        var overwritten = await alice.SendAsync("COPY", "/dav/home/alice/a.txt", null, ("Destination", destination), ("Overwrite", "T"));
        await alice.PutTextAsync("/dav/home/alice/a.txt", "A3");
        var refused = await alice.SendAsync("COPY", "/dav/home/alice/a.txt", null, ("Destination", destination), ("Overwrite", "F"));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, overwritten.StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed, refused.StatusCode);
        Assert.Equal("A2", await alice.GetStringAsync("/dav/home/alice/b.txt", Ct));
        Assert.Equal("A3", await alice.GetStringAsync("/dav/home/alice/a.txt", Ct));
    }

    [Fact]
    public async Task Move_Collection_MovesTheSubtreeAndOverwritesACollection()
    {
        await using var dav = await DavNode.StartAsync();
        using var alice = dav.Alice();
        await alice.SendAsync("MKCOL", "/dav/home/alice/src");
        await alice.SendAsync("MKCOL", "/dav/home/alice/src/sub");
        await alice.PutTextAsync("/dav/home/alice/src/sub/f.txt", "F");
        await alice.SendAsync("MKCOL", "/dav/home/alice/dst");
        await alice.PutTextAsync("/dav/home/alice/dst/old.txt", "old");

        var refused = await alice.SendAsync("MOVE", "/dav/home/alice/src/", null, ("Destination", "/dav/home/alice/dst/"), ("Overwrite", "F"));
        var moved = await alice.SendAsync("MOVE", "/dav/home/alice/src/", null, ("Destination", "/dav/home/alice/dst/"));

        Assert.Equal(HttpStatusCode.PreconditionFailed, refused.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, moved.StatusCode);
        Assert.Equal("F", await alice.GetStringAsync("/dav/home/alice/dst/sub/f.txt", Ct));
        Assert.Equal(HttpStatusCode.NotFound, (await alice.GetAsync("/dav/home/alice/dst/old.txt", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await alice.PropfindAsync("/dav/home/alice/src/", "0")).StatusCode);
    }

    [Fact]
    public async Task Copy_CollectionDepth0_CopiesOnlyTheCollection()
    {
        await using var dav = await DavNode.StartAsync();
        using var alice = dav.Alice();
        await alice.SendAsync("MKCOL", "/dav/home/alice/c");
        await alice.PutTextAsync("/dav/home/alice/c/member.txt", "m");

        var shallow = await alice.SendAsync("COPY", "/dav/home/alice/c/", null, ("Destination", "/dav/home/alice/c0/"), ("Depth", "0"));
        var deep = await alice.SendAsync("COPY", "/dav/home/alice/c/", null, ("Destination", "/dav/home/alice/cinf/"), ("Depth", "infinity"));
        var depth1 = await alice.SendAsync("COPY", "/dav/home/alice/c/", null, ("Destination", "/dav/home/alice/c1/"), ("Depth", "1"));

        Assert.Equal(HttpStatusCode.Created, shallow.StatusCode);
        Assert.Equal(HttpStatusCode.MultiStatus, (await alice.PropfindAsync("/dav/home/alice/c0/", "0")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await alice.GetAsync("/dav/home/alice/c0/member.txt", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, deep.StatusCode);
        Assert.Equal("m", await alice.GetStringAsync("/dav/home/alice/cinf/member.txt", Ct));
        Assert.Equal(HttpStatusCode.BadRequest, depth1.StatusCode);
    }

    [Fact]
    public async Task CopyOrMove_IntoItselfOrOntoItself_403AndNothingChanged()
    {
        await using var dav = await DavNode.StartAsync();
        using var alice = dav.Alice();
        await alice.SendAsync("MKCOL", "/dav/home/alice/self");
        await alice.PutTextAsync("/dav/home/alice/self/x.txt", "x");

        var copyInto = await alice.SendAsync("COPY", "/dav/home/alice/self/", null, ("Destination", "/dav/home/alice/self/inner/"));
        var moveInto = await alice.SendAsync("MOVE", "/dav/home/alice/self/", null, ("Destination", "/dav/home/alice/self/inner/"));
        var onto = await alice.SendAsync("MOVE", "/dav/home/alice/self/x.txt", null, ("Destination", "/dav/home/alice/self/x.txt"));

        Assert.Equal(HttpStatusCode.Forbidden, copyInto.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, moveInto.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, onto.StatusCode);
        Assert.Equal("x", await alice.GetStringAsync("/dav/home/alice/self/x.txt", Ct));
    }

    [Fact]
    public async Task Move_DestinationElsewhereMissingParentOrNotYours_Refused()
    {
        await using var dav = await DavNode.StartAsync();
        using var alice = dav.Alice();
        await alice.PutTextAsync("/dav/home/alice/m.txt", "m");

        var otherHost = await alice.SendAsync("MOVE", "/dav/home/alice/m.txt", null, ("Destination", "http://elsewhere.example/dav/home/alice/n.txt"));
        var notDav = await alice.SendAsync("MOVE", "/dav/home/alice/m.txt", null, ("Destination", "/api/v1/fs/files/home/alice/n.txt"));
        var noParent = await alice.SendAsync("MOVE", "/dav/home/alice/m.txt", null, ("Destination", "/dav/home/alice/none/n.txt"));
        var bobs = await alice.SendAsync("MOVE", "/dav/home/alice/m.txt", null, ("Destination", "/dav/home/bob/stolen.txt"));
        var missingHeader = await alice.SendAsync("MOVE", "/dav/home/alice/m.txt");

        Assert.Equal(HttpStatusCode.BadGateway, otherHost.StatusCode);
        Assert.Equal(HttpStatusCode.BadGateway, notDav.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, noParent.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, bobs.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, missingHeader.StatusCode);
        Assert.Equal("m", await alice.GetStringAsync("/dav/home/alice/m.txt", Ct));
    }
}
