using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Xml.Linq;
using GreyOS.Protocol;
using GreyOS.Testing;

namespace GreyOS.Server.IntegrationTests.Dav;

/// <summary>A node with users alice and bob, and WebDAV clients speaking HTTP Basic to it.</summary>
internal sealed class DavNode : IAsyncDisposable
{
    public const string AlicePassword = "alice-password-1";
    public const string BobPassword = "bob-password-22";

    public static readonly XNamespace D = "DAV:";

    private DavNode(TestNode node, HttpClient admin, TempDirectory? data)
    {
        Node = node;
        Admin = admin;
        Data = data;
    }

    public TestNode Node { get; private set; }

    /// <summary>The administrator, signing API requests.</summary>
    public HttpClient Admin { get; private set; }

    private TempDirectory? Data { get; }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Starts a node (in <paramref name="data"/> when given, to restart it later) and creates alice and bob.</summary>
    public static async Task<DavNode> StartAsync(TempDirectory? data = null, IDictionary<string, string?>? environment = null)
    {
        var options = new TestNodeOptions
        {
            AdminPassword = TestNode.DefaultAdminPassword,
            DataDirectory = data is null ? null : Path.Combine(data.Path, "data"),
            Environment = environment ?? new Dictionary<string, string?>(),
        };
        var node = await TestNode.StartAsync(options, Ct);
        var admin = await node.LoginAsync(cancellationToken: Ct);
        foreach (var (name, password) in new[] { ("alice", AlicePassword), ("bob", BobPassword) })
        {
            var created = await admin.PostAsJsonAsync("/api/v1/users", new CreateUserRequest(name, Password: password, Roles: ["user"]), ProtocolJsonContext.Default.CreateUserRequest, Ct);
            Assert.True(created.StatusCode is HttpStatusCode.Created or HttpStatusCode.Conflict, $"creating {name}: {(int)created.StatusCode}");
        }

        return new DavNode(node, admin, data);
    }

    /// <summary>Stops the node and starts it again on the same data folder.</summary>
    public async Task RestartAsync()
    {
        Assert.NotNull(Data);
        Admin.Dispose();
        await Node.DisposeAsync();
        Node = await TestNode.StartAsync(new TestNodeOptions { DataDirectory = Path.Combine(Data.Path, "data") }, Ct);
        Admin = await Node.LoginAsync(cancellationToken: Ct);
    }

    /// <summary>An HTTP client sending <c>Authorization: Basic</c> with these credentials on every request.</summary>
    public HttpClient Basic(string user, string secret)
    {
        var client = new HttpClient { BaseAddress = Node.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{secret}")));
        return client;
    }

    public HttpClient Alice() => Basic("alice", AlicePassword);

    public HttpClient Bob() => Basic("bob", BobPassword);

    public async ValueTask DisposeAsync()
    {
        Admin.Dispose();
        await Node.DisposeAsync();
    }
}

/// <summary>Requests and answers of WebDAV.</summary>
internal static class Dav
{
    public static readonly XNamespace D = "DAV:";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static HttpRequestMessage Request(string method, string url, string? body = null, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), url);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/xml");
        }

        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }

    public static async Task<HttpResponseMessage> SendAsync(this HttpClient client, string method, string url, string? body = null, params (string Name, string Value)[] headers)
    {
        using var request = Request(method, url, body, headers);
        return await client.SendAsync(request, Ct);
    }

    public static async Task<HttpResponseMessage> PutTextAsync(this HttpClient client, string url, string text, params (string Name, string Value)[] headers)
    {
        using var request = Request("PUT", url, null, headers);
        request.Content = new StringContent(text, Encoding.UTF8, "text/plain");
        return await client.SendAsync(request, Ct);
    }

    public static async Task<XDocument> XmlAsync(HttpResponseMessage response) =>
        XDocument.Parse(await response.Content.ReadAsStringAsync(Ct));

    public static Task<HttpResponseMessage> PropfindAsync(this HttpClient client, string url, string depth, string? body = null) =>
        client.SendAsync("PROPFIND", url, body, ("Depth", depth));

    public static string Prop(params string[] names) =>
        $"<?xml version=\"1.0\"?><D:propfind xmlns:D=\"DAV:\"><D:prop>{string.Concat(names.Select(n => $"<D:{n}/>"))}</D:prop></D:propfind>";

    public static string LockBody(bool exclusive = true, string owner = "<D:href>mailto:alice@example.com</D:href>") =>
        $"<?xml version=\"1.0\"?><D:lockinfo xmlns:D=\"DAV:\"><D:lockscope><D:{(exclusive ? "exclusive" : "shared")}/></D:lockscope><D:locktype><D:write/></D:locktype><D:owner>{owner}</D:owner></D:lockinfo>";

    /// <summary>Takes a lock; returns the response and its token (without angle brackets).</summary>
    public static async Task<(HttpResponseMessage Response, string? Token)> LockAsync(this HttpClient client, string url, bool exclusive = true, string depth = "infinity", string timeout = "Second-600")
    {
        var response = await client.SendAsync("LOCK", url, LockBody(exclusive), ("Depth", depth), ("Timeout", timeout));
        var token = response.Headers.TryGetValues("Lock-Token", out var values) ? values.Single().Trim('<', '>') : null;
        return (response, token);
    }

    /// <summary>The (status, value) of a property in a one-resource multistatus.</summary>
    public static (int Status, XElement? Value) PropOf(XDocument multistatus, XName name, string? href = null)
    {
        var responses = multistatus.Root!.Elements(D + "response");
        var response = href is null ? responses.First() : responses.Single(r => r.Element(D + "href")!.Value == href);
        foreach (var propstat in response.Elements(D + "propstat"))
        {
            if (propstat.Element(D + "prop")!.Element(name) is { } value)
            {
                var status = int.Parse(propstat.Element(D + "status")!.Value.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
                return (status, value);
            }
        }

        return (0, null);
    }
}
