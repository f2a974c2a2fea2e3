using System.Net;
using System.Text;
using GreyOS.Client;
using GreyOS.Testing;

namespace GreyOS.Cli.Tests;

public sealed class ClientTests
{
    [Fact]
    public async Task GetHealthAsync_RealNode_ReturnsInstanceDid()
    {
        await using var node = await TestNode.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        using var http = new HttpClient { BaseAddress = node.BaseAddress };
        var client = new GreyOSClient(http);

        var health = await client.GetHealthAsync(TestContext.Current.CancellationToken);
        var ready = await client.GetReadyAsync(TestContext.Current.CancellationToken);

        Assert.Equal(node.InstanceDid, health.Instance);
        Assert.True(health.SetupPending);
        Assert.Equal("ready", ready.Status);
    }

    [Fact]
    public async Task LoginAsync_ThenSessionAndLogout_RoundTrips()
    {
        await using var node = await TestNode.StartAsync(new TestNodeOptions { AdminPassword = TestNode.DefaultAdminPassword }, TestContext.Current.CancellationToken);
        using var http = new HttpClient { BaseAddress = node.BaseAddress };
        var client = new GreyOSClient(http);

        var (login, credential) = await client.LoginAsync("admin", TestNode.DefaultAdminPassword, DeviceCredential.Generate(), "tests@host", TestContext.Current.CancellationToken);
        var session = await client.GetSessionAsync(TestContext.Current.CancellationToken);
        await client.LogoutAsync(TestContext.Current.CancellationToken);
        var afterLogout = await Assert.ThrowsAsync<GreyOSApiException>(() => client.GetSessionAsync(TestContext.Current.CancellationToken));

        Assert.Same(credential, client.Credential);
        Assert.Equal(login.Session.SessionId, session.SessionId);
        Assert.Equal("admin", session.UserName);
        Assert.Equal("device", session.Kind);
        Assert.Equal(login.Device?.Id, session.DeviceId);
        Assert.Equal(HttpStatusCode.Unauthorized, afterLogout.StatusCode);
        Assert.Equal("invalid_signature", afterLogout.Code);
        Assert.NotNull(afterLogout.TraceId);
    }

    [Fact]
    public async Task GetSessionAsync_NoToken_ThrowsUnauthenticated()
    {
        await using var node = await TestNode.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        using var http = new HttpClient { BaseAddress = node.BaseAddress };

        var ex = await Assert.ThrowsAsync<GreyOSApiException>(() => new GreyOSClient(http).GetSessionAsync(TestContext.Current.CancellationToken));

        Assert.Equal(HttpStatusCode.Unauthorized, ex.StatusCode);
        Assert.Equal("unauthenticated", ex.Code);
    }

    [Fact]
    public async Task SendAsync_ProblemBody_ParsesCodeDetailAndTraceId()
    {
        var client = Stub(HttpStatusCode.Conflict, "application/problem+json",
            """{"type":"about:blank","title":"Conflict","status":409,"detail":"it clashes","code":"some_code","traceId":"00-abc-01"}""");

        var ex = await Assert.ThrowsAsync<GreyOSApiException>(() => client.GetHealthAsync(TestContext.Current.CancellationToken));

        Assert.Equal(HttpStatusCode.Conflict, ex.StatusCode);
        Assert.Equal("some_code", ex.Code);
        Assert.Equal("it clashes", ex.Detail);
        Assert.Equal("Conflict", ex.Title);
        Assert.Equal("00-abc-01", ex.TraceId);
        Assert.Equal("it clashes", ex.Explanation);
        Assert.Equal("it clashes (some_code)", ex.Message);
    }

    [Theory]
    [InlineData("text/html", "<html><body>502 Bad Gateway</body></html>")]
    [InlineData("application/json", "{ broken")]
    [InlineData("application/json", "")]
    public async Task SendAsync_NotAProblemBody_KeepsStatusWithoutCode(string contentType, string body)
    {
        var client = Stub(HttpStatusCode.BadGateway, contentType, body);

        var ex = await Assert.ThrowsAsync<GreyOSApiException>(() => client.GetHealthAsync(TestContext.Current.CancellationToken));

        Assert.Equal(HttpStatusCode.BadGateway, ex.StatusCode);
        Assert.Null(ex.Code);
        Assert.Null(ex.Detail);
        Assert.False(string.IsNullOrWhiteSpace(ex.Explanation));
    }

    [Fact]
    public async Task SendAsync_SuccessWithForeignBody_ThrowsInvalidResponse()
    {
        var client = Stub(HttpStatusCode.OK, "text/html", "<html>not a node</html>");

        var ex = await Assert.ThrowsAsync<GreyOSApiException>(() => client.GetHealthAsync(TestContext.Current.CancellationToken));

        Assert.Equal(GreyOSClient.InvalidResponseCode, ex.Code);
    }

    [Fact]
    public async Task GetReadyAsync_NotReady_ReturnsValueInsteadOfThrowing()
    {
        var client = Stub(HttpStatusCode.ServiceUnavailable, "application/problem+json", """{"status":503,"detail":"starting","code":"not_ready"}""");

        var ready = await client.GetReadyAsync(TestContext.Current.CancellationToken);

        Assert.Equal("not_ready", ready.Status);
    }

    [Fact]
    public async Task SendAsync_Credential_SignsRequestsWithoutBearer()
    {
        var handler = new StubHandler(HttpStatusCode.OK, "application/json",
            """{"id":"dev_1","userId":"u","name":"n","did":"did:key:z","createdAt":"2030-01-01T00:00:00Z"}""");
        using var http = new HttpClient(handler) { BaseAddress = new Uri("https://example.org/greyos") };
        var credential = DeviceCredential.Generate().WithSession("ses_0123", "dev_1");
        var client = new GreyOSClient(http) { Credential = credential };

        await client.AddDeviceAsync("laptop", DeviceCredential.Generate().Did, TestContext.Current.CancellationToken);

        var request = handler.LastRequest!;
        Assert.Equal(new Uri("https://example.org/greyos/api/v1/devices"), request.RequestUri);
        Assert.Null(request.Headers.Authorization);
        var input = Assert.Single(request.Headers.GetValues("Signature-Input"));
        Assert.StartsWith("greyos=(\"@method\" \"@authority\" \"@path\" \"@query\" \"content-digest\")", input, StringComparison.Ordinal);
        Assert.Contains("keyid=\"ses_0123\"", input, StringComparison.Ordinal);
        Assert.Contains("alg=\"ed25519\"", input, StringComparison.Ordinal);
        Assert.StartsWith("greyos=:", Assert.Single(request.Headers.GetValues("Signature")), StringComparison.Ordinal);
        Assert.StartsWith("sha-256=:", Assert.Single(handler.LastContentDigest!), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_SignedRequests_NodeAcceptsThem()
    {
        await using var node = await TestNode.StartAsync(new TestNodeOptions { AdminPassword = TestNode.DefaultAdminPassword }, TestContext.Current.CancellationToken);
        var recorder = new RecordingHandler();
        using var http = new HttpClient(recorder) { BaseAddress = node.BaseAddress };
        var client = new GreyOSClient(http);
        await client.LoginAsync("admin", TestNode.DefaultAdminPassword, DeviceCredential.Generate(), "tests@host", TestContext.Current.CancellationToken);

        var session = await client.GetSessionAsync(TestContext.Current.CancellationToken);
        var role = await client.SaveRoleAsync("signed-body", ["users.read"], TestContext.Current.CancellationToken);

        Assert.Equal("admin", session.UserName);
        Assert.Equal("signed-body", role.Name);
        var get = recorder.Requests.Single(r => r.Method == "GET");
        Assert.True(get.SignatureInput is { Length: > 0 } && get.Signature is { Length: > 0 } && get.ContentDigest is null, "a GET is signed, without a body digest");
        var put = recorder.Requests.Single(r => r.Method == "PUT");
        Assert.True(put.SignatureInput!.Contains("content-digest", StringComparison.Ordinal) && put.ContentDigest is { Length: > 0 }, "a body is covered by Content-Digest");
        Assert.All(recorder.Requests, r => Assert.False(r.HasAuthorization));

        // The same signature cannot be replayed: a tampered path is refused.
        using var forged = new HttpRequestMessage(HttpMethod.Get, new Uri(node.BaseAddress, "api/v1/users"));
        forged.Headers.TryAddWithoutValidation("Signature-Input", get.SignatureInput);
        forged.Headers.TryAddWithoutValidation("Signature", get.Signature);
        using var refused = await node.Http.SendAsync(forged, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task SendAsync_ConnectionRefused_ThrowsConnectionExceptionWithAddress()
    {
        using var http = new HttpClient { BaseAddress = new Uri("http://127.0.0.1:1/") };

        var ex = await Assert.ThrowsAsync<GreyOSConnectionException>(() => new GreyOSClient(http).GetHealthAsync(TestContext.Current.CancellationToken));

        Assert.Equal(new Uri("http://127.0.0.1:1/"), ex.NodeAddress);
        Assert.False(string.IsNullOrWhiteSpace(ex.Reason));
        Assert.StartsWith("cannot reach the node at http://127.0.0.1:1/: ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_Timeout_ThrowsConnectionException()
    {
        using var http = new HttpClient(new HangingHandler()) { BaseAddress = new Uri("http://node.test/"), Timeout = TimeSpan.FromMilliseconds(200) };

        var ex = await Assert.ThrowsAsync<GreyOSConnectionException>(() => new GreyOSClient(http).GetHealthAsync(TestContext.Current.CancellationToken));

        Assert.Contains("no answer within", ex.Reason, StringComparison.Ordinal);
    }

    private static GreyOSClient Stub(HttpStatusCode status, string contentType, string body) =>
        new(new HttpClient(new StubHandler(status, contentType, body)) { BaseAddress = new Uri("http://node.test/") });

    private sealed class StubHandler(HttpStatusCode status, string contentType, string body) : HttpMessageHandler
    {
        public HttpRequestMessage? LastRequest { get; private set; }

        public IEnumerable<string>? LastContentDigest { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            LastRequest = request;
            LastContentDigest = request.Content?.Headers.TryGetValues("Content-Digest", out var digest) == true ? digest.ToList() : null;
            return Task.FromResult(new HttpResponseMessage(status)
            {
                Content = new StringContent(body, Encoding.UTF8, contentType),
            });
        }
    }

    /// <summary>Passes requests to the network and records their authentication headers.</summary>
    private sealed class RecordingHandler() : DelegatingHandler(new SocketsHttpHandler())
    {
        public List<(string Method, string? SignatureInput, string? Signature, string? ContentDigest, bool HasAuthorization)> Requests { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Add((
                request.Method.Method,
                request.Headers.TryGetValues("Signature-Input", out var input) ? input.Single() : null,
                request.Headers.TryGetValues("Signature", out var signature) ? signature.Single() : null,
                request.Content?.Headers.TryGetValues("Content-Digest", out var digest) == true ? digest.Single() : null,
                request.Headers.Authorization is not null));
            return base.SendAsync(request, cancellationToken);
        }
    }

    private sealed class HangingHandler : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("unreachable");
        }
    }
}
