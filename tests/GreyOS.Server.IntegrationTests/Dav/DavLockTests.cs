using System.Net;
using GreyOS.Testing;

namespace GreyOS.Server.IntegrationTests.Dav;

/// <summary>litmus "locks": exclusive and shared locks, refresh, unlock, the If header, lock-null, expiry, restart.</summary>
public sealed class DavLockTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ExclusiveLock_WritesNeedTheTokenOfItsOwner()
    {
        await using var dav = await DavNode.StartAsync();
        using var alice = dav.Alice();
        using var bob = dav.Bob();
        await alice.PutTextAsync("/dav/shared/doc.txt", "v1");

        var (locked, token) = await alice.LockAsync("/dav/shared/doc.txt");
        var body = await Dav.XmlAsync(locked);
        var withoutToken = await alice.PutTextAsync("/dav/shared/doc.txt", "v2");
        var bobWithToken = await bob.PutTextAsync("/dav/shared/doc.txt", "bob", ("If", $"(<{token}>)"));
        var bobDelete = await bob.DeleteAsync("/dav/shared/doc.txt", Ct);
        var bobProppatch = await bob.SendAsync("PROPPATCH", "/dav/shared/doc.txt",
            "<D:propertyupdate xmlns:D=\"DAV:\"><D:set><D:prop><x xmlns=\"urn:x\">1</x></D:prop></D:set></D:propertyupdate>");
        var withToken = await alice.PutTextAsync("/dav/shared/doc.txt", "v3", ("If", $"(<{token}>)"));

        Assert.Equal(HttpStatusCode.OK, locked.StatusCode);
        Assert.StartsWith("urn:uuid:", token, StringComparison.Ordinal);
        var active = body.Root!.Element(Dav.D + "lockdiscovery")!.Element(Dav.D + "activelock")!;
        Assert.Equal(token, active.Element(Dav.D + "locktoken")!.Element(Dav.D + "href")!.Value);
        Assert.Equal("mailto:alice@example.com", active.Element(Dav.D + "owner")!.Value);
        Assert.Equal("/dav/shared/doc.txt", active.Element(Dav.D + "lockroot")!.Element(Dav.D + "href")!.Value);
        Assert.Equal(HttpStatusCode.Locked, withoutToken.StatusCode);
        Assert.NotNull((await Dav.XmlAsync(withoutToken)).Root!.Element(Dav.D + "lock-token-submitted"));
        Assert.Equal(HttpStatusCode.Locked, bobWithToken.StatusCode);
        Assert.Equal(HttpStatusCode.Locked, bobDelete.StatusCode);
        Assert.Equal(HttpStatusCode.Locked, bobProppatch.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, withToken.StatusCode);
        Assert.Equal("v3", await alice.GetStringAsync("/dav/shared/doc.txt", Ct));
    }

    [Fact]
    public async Task Locks_ExclusiveConflictsSharedCoexist()
    {
        await using var dav = await DavNode.StartAsync();
        using var alice = dav.Alice();
        using var bob = dav.Bob();
        await alice.PutTextAsync("/dav/shared/ex.txt", "x");
        await alice.PutTextAsync("/dav/shared/sh.txt", "x");

        var (first, _) = await alice.LockAsync("/dav/shared/ex.txt");
        var (second, _) = await bob.LockAsync("/dav/shared/ex.txt");
        var (sharedA, tokenA) = await alice.LockAsync("/dav/shared/sh.txt", exclusive: false);
        var (sharedB, tokenB) = await bob.LockAsync("/dav/shared/sh.txt", exclusive: false);
        var (exclusiveOverShared, _) = await alice.LockAsync("/dav/shared/sh.txt");
        var discovery = await Dav.XmlAsync(await alice.PropfindAsync("/dav/shared/sh.txt", "0", Dav.Prop("lockdiscovery")));
        var bobWrites = await bob.PutTextAsync("/dav/shared/sh.txt", "bob", ("If", $"(<{tokenB}>)"));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.Locked, second.StatusCode);
        Assert.NotNull((await Dav.XmlAsync(second)).Root!.Element(Dav.D + "no-conflicting-lock"));
        Assert.Equal(HttpStatusCode.OK, sharedA.StatusCode);
        Assert.Equal(HttpStatusCode.OK, sharedB.StatusCode);
        Assert.NotEqual(tokenA, tokenB);
        Assert.Equal(HttpStatusCode.Locked, exclusiveOverShared.StatusCode);
        Assert.Equal(2, Dav.PropOf(discovery, Dav.D + "lockdiscovery").Value!.Elements(Dav.D + "activelock").Count());
        Assert.Equal(HttpStatusCode.NoContent, bobWrites.StatusCode);
    }

    [Fact]
    public async Task RefreshAndUnlock_ByToken()
    {
        await using var dav = await DavNode.StartAsync();
        using var alice = dav.Alice();
        await alice.PutTextAsync("/dav/home/alice/r.txt", "r");
        var (_, token) = await alice.LockAsync("/dav/home/alice/r.txt", timeout: "Second-100");

        var refreshed = await alice.SendAsync("LOCK", "/dav/home/alice/r.txt", null, ("If", $"(<{token}>)"), ("Timeout", "Second-3000"));
        var refreshedBody = await Dav.XmlAsync(refreshed);
        var badRefresh = await alice.SendAsync("LOCK", "/dav/home/alice/r.txt", null, ("If", "(<urn:uuid:00000000-0000-0000-0000-000000000000>)"));
        var wrongUnlock = await alice.SendAsync("UNLOCK", "/dav/home/alice/r.txt", null, ("Lock-Token", "<urn:uuid:00000000-0000-0000-0000-000000000000>"));
        var unlocked = await alice.SendAsync("UNLOCK", "/dav/home/alice/r.txt", null, ("Lock-Token", $"<{token}>"));
        var free = await alice.PutTextAsync("/dav/home/alice/r.txt", "free");

        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        var timeout = refreshedBody.Descendants(Dav.D + "timeout").Single().Value;
        Assert.True(int.Parse(timeout["Second-".Length..], System.Globalization.CultureInfo.InvariantCulture) > 2000, timeout);
        Assert.Equal(HttpStatusCode.PreconditionFailed, badRefresh.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, wrongUnlock.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, unlocked.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, free.StatusCode);
    }

    [Fact]
    public async Task Lock_TimeoutAboveMax_CappedAtOneHour()
    {
        await using var dav = await DavNode.StartAsync();
        using var alice = dav.Alice();
        await alice.PutTextAsync("/dav/home/alice/cap.txt", "c");

        var (locked, _) = await alice.LockAsync("/dav/home/alice/cap.txt", timeout: "Infinite, Second-99999999");
        var timeout = (await Dav.XmlAsync(locked)).Descendants(Dav.D + "timeout").Single().Value;

        Assert.Equal(HttpStatusCode.OK, locked.StatusCode);
        Assert.True(int.Parse(timeout["Second-".Length..], System.Globalization.CultureInfo.InvariantCulture) <= 3600, timeout);
    }

    [Fact]
    public async Task IfHeader_ConditionsOnTokensAndETags()
    {
        await using var dav = await DavNode.StartAsync();
        using var alice = dav.Alice();
        var put = await alice.PutTextAsync("/dav/home/alice/if.txt", "1");
        var etag = put.Headers.ETag!.ToString();

        var noLock = await alice.PutTextAsync("/dav/home/alice/if.txt", "2", ("If", "(<DAV:no-lock>)"));
        var notNoLock = await alice.PutTextAsync("/dav/home/alice/if.txt", "3", ("If", "(Not <DAV:no-lock>)"));
        var staleTag = await alice.PutTextAsync("/dav/home/alice/if.txt", "4", ("If", $"([{etag}])"));
        var (_, token) = await alice.LockAsync("/dav/home/alice/if.txt");
        var current = (await alice.PropfindAsync("/dav/home/alice/if.txt", "0", Dav.Prop("getetag")));
        var currentTag = Dav.PropOf(await Dav.XmlAsync(current), Dav.D + "getetag").Value!.Value;
        var notLockedAnyMore = await alice.PutTextAsync("/dav/home/alice/if.txt", "5", ("If", "(Not <DAV:no-lock>)"));
        var complex = await alice.PutTextAsync("/dav/home/alice/if.txt", "6", ("If", $"(<{token}> [{currentTag}]) (Not <DAV:no-lock> [{currentTag}])"));
        var tagged = await alice.PutTextAsync("/dav/home/alice/if.txt", "7", ("If", $"<{new Uri(dav.Node.BaseAddress, "/dav/home/alice/if.txt")}> (<{token}>)"));
        var malformed = await alice.PutTextAsync("/dav/home/alice/if.txt", "8", ("If", "(<unclosed"));

        Assert.Equal(HttpStatusCode.PreconditionFailed, noLock.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, notNoLock.StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionFailed, staleTag.StatusCode);
        Assert.Equal(HttpStatusCode.Locked, notLockedAnyMore.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, complex.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, tagged.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal("7", await alice.GetStringAsync("/dav/home/alice/if.txt", Ct));
    }

    [Fact]
    public async Task Lock_UnmappedUrl_CreatesALockedEmptyResource()
    {
        await using var dav = await DavNode.StartAsync();
        using var alice = dav.Alice();

        var (created, token) = await alice.LockAsync("/dav/home/alice/new.txt", depth: "0");
        var props = await Dav.XmlAsync(await alice.PropfindAsync("/dav/home/alice/new.txt", "0", Dav.Prop("getcontentlength", "lockdiscovery")));
        var withoutToken = await alice.PutTextAsync("/dav/home/alice/new.txt", "x");
        var withToken = await alice.PutTextAsync("/dav/home/alice/new.txt", "content", ("If", $"(<{token}>)"));
        var noParent = await alice.SendAsync("LOCK", "/dav/home/alice/none/new.txt", Dav.LockBody());

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("0", Dav.PropOf(props, Dav.D + "getcontentlength").Value!.Value);
        Assert.Equal(token, Dav.PropOf(props, Dav.D + "lockdiscovery").Value!.Descendants(Dav.D + "locktoken").Single().Element(Dav.D + "href")!.Value);
        Assert.Equal(HttpStatusCode.Locked, withoutToken.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, withToken.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, noParent.StatusCode);
    }

    [Fact]
    public async Task DepthInfinityLockOnCollection_ProtectsMembersAndMembership()
    {
        await using var dav = await DavNode.StartAsync();
        using var alice = dav.Alice();
        await alice.SendAsync("MKCOL", "/dav/home/alice/coll");
        await alice.PutTextAsync("/dav/home/alice/coll/in.txt", "in");
        var (_, token) = await alice.LockAsync("/dav/home/alice/coll/");

        var newMember = await alice.PutTextAsync("/dav/home/alice/coll/new.txt", "n");
        var mkcol = await alice.SendAsync("MKCOL", "/dav/home/alice/coll/sub");
        var deleteMember = await alice.DeleteAsync("/dav/home/alice/coll/in.txt", Ct);
        var moveOut = await alice.SendAsync("MOVE", "/dav/home/alice/coll/in.txt", null, ("Destination", "/dav/home/alice/out.txt"));
        var copyIn = await alice.SendAsync("COPY", "/dav/home/alice/coll/in.txt", null, ("Destination", "/dav/home/alice/coll/copy.txt"));
        var withToken = await alice.PutTextAsync("/dav/home/alice/coll/new.txt", "n", ("If", $"<{new Uri(dav.Node.BaseAddress, "/dav/home/alice/coll/")}> (<{token}>)"));
        var copyOut = await alice.SendAsync("COPY", "/dav/home/alice/coll/in.txt", null, ("Destination", "/dav/home/alice/out.txt"));

        Assert.Equal(HttpStatusCode.Locked, newMember.StatusCode);
        Assert.Equal(HttpStatusCode.Locked, mkcol.StatusCode);
        Assert.Equal(HttpStatusCode.Locked, deleteMember.StatusCode);
        Assert.Equal(HttpStatusCode.Locked, moveOut.StatusCode);
        Assert.Equal(HttpStatusCode.Locked, copyIn.StatusCode);
        Assert.Equal(HttpStatusCode.Created, withToken.StatusCode);
        Assert.Equal(HttpStatusCode.Created, copyOut.StatusCode);
    }

    [Fact]
    public async Task Lock_ShortTimeout_ExpiresOnItsOwn()
    {
        await using var dav = await DavNode.StartAsync();
        using var alice = dav.Alice();
        await alice.PutTextAsync("/dav/home/alice/exp.txt", "e");

        var (locked, _) = await alice.LockAsync("/dav/home/alice/exp.txt", timeout: "Second-1");
        var whileLocked = await alice.PutTextAsync("/dav/home/alice/exp.txt", "during");
        await Task.Delay(TimeSpan.FromMilliseconds(1500), Ct);
        var afterExpiry = await alice.PutTextAsync("/dav/home/alice/exp.txt", "after");

        Assert.Equal(HttpStatusCode.OK, locked.StatusCode);
        Assert.Equal(HttpStatusCode.Locked, whileLocked.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, afterExpiry.StatusCode);
    }

    [Fact]
    public async Task Locks_SurviveARestart()
    {
        using var data = new TempDirectory("greyos-dav");
        await using var dav = await DavNode.StartAsync(data);
        string? token;
        using (var alice = dav.Alice())
        {
            await alice.PutTextAsync("/dav/home/alice/keep.txt", "k");
            (_, token) = await alice.LockAsync("/dav/home/alice/keep.txt");
        }

        await dav.RestartAsync();
        using var again = dav.Alice();
        var withoutToken = await again.PutTextAsync("/dav/home/alice/keep.txt", "x");
        var withToken = await again.PutTextAsync("/dav/home/alice/keep.txt", "y", ("If", $"(<{token}>)"));

        Assert.Equal(HttpStatusCode.Locked, withoutToken.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, withToken.StatusCode);
    }

    [Fact]
    public async Task Lock_BadBodyOrDepth_400()
    {
        await using var dav = await DavNode.StartAsync();
        using var alice = dav.Alice();
        await alice.PutTextAsync("/dav/home/alice/b.txt", "b");

        var badScope = await alice.SendAsync("LOCK", "/dav/home/alice/b.txt", "<D:lockinfo xmlns:D=\"DAV:\"><D:lockscope><D:weird/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockinfo>");
        var depth1 = await alice.SendAsync("LOCK", "/dav/home/alice/b.txt", Dav.LockBody(), ("Depth", "1"));
        var noToken = await alice.SendAsync("LOCK", "/dav/home/alice/b.txt");

        Assert.Equal(HttpStatusCode.BadRequest, badScope.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, depth1.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, noToken.StatusCode);
    }
}
