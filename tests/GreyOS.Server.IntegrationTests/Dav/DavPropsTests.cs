using System.Net;
using System.Xml.Linq;
using GreyOS.Testing;

namespace GreyOS.Server.IntegrationTests.Dav;

/// <summary>litmus "props": PROPFIND (depths, allprop, propname, prop), PROPPATCH, namespaces, persistence.</summary>
public sealed class DavPropsTests
{
    private const string Ns = "http://example.com/neon/litmus/";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly XNamespace X = Ns;

    private static string Patch(string inner) =>
        $"<?xml version=\"1.0\" encoding=\"utf-8\"?><D:propertyupdate xmlns:D=\"DAV:\" xmlns:Z=\"{Ns}\">{inner}</D:propertyupdate>";

    [Fact]
    public async Task Propfind_Depth0_LivePropertiesWithNamespacesAnd404ForUnknown()
    {
        await using var dav = await DavNode.StartAsync();
        using var alice = dav.Alice();
        var put = await alice.PutTextAsync("/dav/home/alice/p.txt", "12345");

        var response = await alice.PropfindAsync("/dav/home/alice/p.txt", "0",
            $"<?xml version=\"1.0\"?><D:propfind xmlns:D=\"DAV:\"><D:prop><D:getcontentlength/><D:getetag/><D:resourcetype/><D:getlastmodified/><D:creationdate/><D:getcontenttype/><D:displayname/><D:supportedlock/><nope xmlns=\"{Ns}\"/></D:prop></D:propfind>");
        var xml = await Dav.XmlAsync(response);

        Assert.Equal(HttpStatusCode.MultiStatus, response.StatusCode);
        Assert.Equal("application/xml", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(Dav.D + "multistatus", xml.Root!.Name);
        Assert.Equal("/dav/home/alice/p.txt", xml.Root.Element(Dav.D + "response")!.Element(Dav.D + "href")!.Value);
        Assert.Equal((200, "5"), Text(Dav.PropOf(xml, Dav.D + "getcontentlength")));
        Assert.Equal((200, put.Headers.ETag!.ToString()), Text(Dav.PropOf(xml, Dav.D + "getetag")));
        Assert.Empty(Dav.PropOf(xml, Dav.D + "resourcetype").Value!.Elements());
        Assert.Equal("p.txt", Dav.PropOf(xml, Dav.D + "displayname").Value!.Value);
        Assert.Equal("text/plain", Dav.PropOf(xml, Dav.D + "getcontenttype").Value!.Value);
        Assert.True(DateTimeOffset.TryParse(Dav.PropOf(xml, Dav.D + "getlastmodified").Value!.Value, System.Globalization.CultureInfo.InvariantCulture, out _));
        Assert.EndsWith("Z", Dav.PropOf(xml, Dav.D + "creationdate").Value!.Value, StringComparison.Ordinal);
        Assert.Equal(2, Dav.PropOf(xml, Dav.D + "supportedlock").Value!.Elements(Dav.D + "lockentry").Count());
        Assert.Equal(404, Dav.PropOf(xml, X + "nope").Status);
    }

    [Fact]
    public async Task Propfind_Depth1_ListsMembersWithEncodedHrefsAndCollections()
    {
        await using var dav = await DavNode.StartAsync();
        using var alice = dav.Alice();
        await alice.SendAsync("MKCOL", "/dav/home/alice/list");
        await alice.SendAsync("MKCOL", "/dav/home/alice/list/sub");
        await alice.PutTextAsync("/dav/home/alice/list/" + Uri.EscapeDataString("a b€.txt"), "x");

        var response = await alice.PropfindAsync("/dav/home/alice/list/", "1", Dav.Prop("resourcetype"));
        var xml = await Dav.XmlAsync(response);
        var hrefs = xml.Root!.Elements(Dav.D + "response").Select(r => r.Element(Dav.D + "href")!.Value).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(HttpStatusCode.MultiStatus, response.StatusCode);
        Assert.Equal(["/dav/home/alice/list/", "/dav/home/alice/list/a%20b%E2%82%AC.txt", "/dav/home/alice/list/sub/"], hrefs);
        Assert.NotNull(Dav.PropOf(xml, Dav.D + "resourcetype", "/dav/home/alice/list/sub/").Value!.Element(Dav.D + "collection"));
    }

    [Fact]
    public async Task Propfind_DepthInfinityOrMissing_403FiniteDepth()
    {
        await using var dav = await DavNode.StartAsync();
        using var alice = dav.Alice();

        var infinity = await alice.PropfindAsync("/dav/home/alice/", "infinity");
        using var noDepth = new HttpRequestMessage(new HttpMethod("PROPFIND"), "/dav/home/alice/");
        var missing = await alice.SendAsync(noDepth, Ct);

        Assert.Equal(HttpStatusCode.Forbidden, infinity.StatusCode);
        Assert.NotNull((await Dav.XmlAsync(infinity)).Root!.Element(Dav.D + "propfind-finite-depth"));
        Assert.Equal(HttpStatusCode.Forbidden, missing.StatusCode);
    }

    [Fact]
    public async Task Proppatch_SetAndRemove_VisibleInPropAllpropAndPropname()
    {
        await using var dav = await DavNode.StartAsync();
        using var alice = dav.Alice();
        await alice.PutTextAsync("/dav/home/alice/d.txt", "d");

        var set = await alice.SendAsync("PROPPATCH", "/dav/home/alice/d.txt", Patch(
            "<D:set><D:prop><Z:color>red</Z:color><Z:nested><inner xmlns=\"urn:other\" a=\"1\">v<b/></inner></Z:nested><Z:gone>x</Z:gone></D:prop></D:set>"
            + "<D:remove><D:prop><Z:gone/></D:prop></D:remove>"));
        var prop = await Dav.XmlAsync(await alice.PropfindAsync("/dav/home/alice/d.txt", "0",
            $"<D:propfind xmlns:D=\"DAV:\"><D:prop><color xmlns=\"{Ns}\"/><nested xmlns=\"{Ns}\"/><gone xmlns=\"{Ns}\"/></D:prop></D:propfind>"));
        var all = await Dav.XmlAsync(await alice.PropfindAsync("/dav/home/alice/d.txt", "0", "<D:propfind xmlns:D=\"DAV:\"><D:allprop/></D:propfind>"));
        var names = await Dav.XmlAsync(await alice.PropfindAsync("/dav/home/alice/d.txt", "0", "<D:propfind xmlns:D=\"DAV:\"><D:propname/></D:propfind>"));

        Assert.Equal(HttpStatusCode.MultiStatus, set.StatusCode);
        Assert.Equal(200, Dav.PropOf(await Dav.XmlAsync(set), X + "color").Status);
        Assert.Equal((200, "red"), Text(Dav.PropOf(prop, X + "color")));
        var inner = Dav.PropOf(prop, X + "nested").Value!.Element(XName.Get("inner", "urn:other"))!;
        Assert.Equal("1", inner.Attribute("a")!.Value);
        Assert.NotNull(inner.Element(XName.Get("b", "urn:other")));
        Assert.Equal(404, Dav.PropOf(prop, X + "gone").Status);
        Assert.Equal("red", Dav.PropOf(all, X + "color").Value!.Value);
        Assert.NotNull(Dav.PropOf(all, Dav.D + "getetag").Value);
        Assert.Equal(string.Empty, Dav.PropOf(names, X + "color").Value!.Value);
        Assert.Equal(string.Empty, Dav.PropOf(names, Dav.D + "getetag").Value!.Value);
    }

    [Fact]
    public async Task Proppatch_ProtectedLiveProperty_403And424AndNothingStored()
    {
        await using var dav = await DavNode.StartAsync();
        using var alice = dav.Alice();
        await alice.PutTextAsync("/dav/home/alice/l.txt", "l");

        var response = await alice.SendAsync("PROPPATCH", "/dav/home/alice/l.txt", Patch(
            "<D:set><D:prop><Z:fine>ok</Z:fine><D:getetag>\"forged\"</D:getetag></D:prop></D:set>"));
        var xml = await Dav.XmlAsync(response);
        var after = await Dav.XmlAsync(await alice.PropfindAsync("/dav/home/alice/l.txt", "0", $"<D:propfind xmlns:D=\"DAV:\"><D:prop><fine xmlns=\"{Ns}\"/></D:prop></D:propfind>"));

        Assert.Equal(HttpStatusCode.MultiStatus, response.StatusCode);
        Assert.Equal(403, Dav.PropOf(xml, Dav.D + "getetag").Status);
        Assert.Equal(424, Dav.PropOf(xml, X + "fine").Status);
        Assert.Equal(404, Dav.PropOf(after, X + "fine").Status);
    }

    [Fact]
    public async Task DeadProperties_SurviveRestart_FollowMoveAndCopy_GoWithDelete()
    {
        using var data = new TempDirectory("greyos-dav");
        await using var dav = await DavNode.StartAsync(data);
        using (var alice = dav.Alice())
        {
            await alice.SendAsync("MKCOL", "/dav/home/alice/t");
            await alice.PutTextAsync("/dav/home/alice/t/f.txt", "f");
            await alice.SendAsync("PROPPATCH", "/dav/home/alice/t/f.txt", Patch("<D:set><D:prop><Z:tag>kept</Z:tag></D:prop></D:set>"));
        }

        await dav.RestartAsync();
        using var again = dav.Alice();
        var afterRestart = await TagAsync(again, "/dav/home/alice/t/f.txt");
        await again.SendAsync("MOVE", "/dav/home/alice/t/", null, ("Destination", "/dav/home/alice/u/"));
        var afterMove = await TagAsync(again, "/dav/home/alice/u/f.txt");
        await again.SendAsync("COPY", "/dav/home/alice/u/f.txt", null, ("Destination", "/dav/home/alice/u/g.txt"));
        var afterCopy = await TagAsync(again, "/dav/home/alice/u/g.txt");
        await again.DeleteAsync("/dav/home/alice/u/g.txt", Ct);
        await again.PutTextAsync("/dav/home/alice/u/g.txt", "new");
        var afterDelete = await TagAsync(again, "/dav/home/alice/u/g.txt");

        Assert.Equal("kept", afterRestart);
        Assert.Equal("kept", afterMove);
        Assert.Equal("kept", afterCopy);
        Assert.Null(afterDelete);
    }

    [Fact]
    public async Task Bodies_MalformedXmlDtdOrWrongRoot_400()
    {
        await using var dav = await DavNode.StartAsync();
        using var alice = dav.Alice();
        await alice.PutTextAsync("/dav/home/alice/x.txt", "x");

        var malformed = await alice.PropfindAsync("/dav/home/alice/x.txt", "0", "<D:propfind xmlns:D=\"DAV:\"><D:prop>");
        var dtd = await alice.SendAsync("PROPPATCH", "/dav/home/alice/x.txt",
            "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><D:propertyupdate xmlns:D=\"DAV:\"><D:set><D:prop><p xmlns=\"urn:x\">&e;</p></D:prop></D:set></D:propertyupdate>");
        var wrongRoot = await alice.PropfindAsync("/dav/home/alice/x.txt", "0", "<D:lockinfo xmlns:D=\"DAV:\"/>");

        await ProblemAssert.IsProblemAsync(malformed, HttpStatusCode.BadRequest, "invalid_request");
        await ProblemAssert.IsProblemAsync(dtd, HttpStatusCode.BadRequest, "invalid_request");
        await ProblemAssert.IsProblemAsync(wrongRoot, HttpStatusCode.BadRequest, "invalid_request");
    }

    private static async Task<string?> TagAsync(HttpClient client, string url)
    {
        var xml = await Dav.XmlAsync(await client.PropfindAsync(url, "0", $"<D:propfind xmlns:D=\"DAV:\"><D:prop><tag xmlns=\"{Ns}\"/></D:prop></D:propfind>"));
        var (status, value) = Dav.PropOf(xml, X + "tag");
        return status == 200 ? value!.Value : null;
    }

    private static (int, string?) Text((int Status, XElement? Value) prop) => (prop.Status, prop.Value?.Value);
}
