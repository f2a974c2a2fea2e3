using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GreyOS.Protocol;
using GreyOS.Testing;

namespace GreyOS.Server.IntegrationTests;

public sealed class NodeApiTests
{
    [Fact]
    public async Task Health_Restart_KeepsInstanceDidAndIssuesNewSetupCode()
    {
        var ct = TestContext.Current.CancellationToken;
        using var data = new TempDirectory();
        string did, code;
        await using (var first = await TestNode.StartAsync(new TestNodeOptions { DataDirectory = data.Path }, ct))
        {
            did = first.InstanceDid;
            code = first.SetupCode!;
        }

        await using var second = await TestNode.StartAsync(new TestNodeOptions { DataDirectory = data.Path }, ct);
        var health = await second.Http.GetFromJsonAsync("/api/v1/health", ProtocolJsonContext.Default.HealthResponse, ct);

        Assert.Equal(did, health!.Instance);
        Assert.NotEqual(code, second.SetupCode);
    }

    [Fact]
    public async Task Health_TwoInstances_DifferentDids()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var a = await TestNode.StartAsync(cancellationToken: ct);
        await using var b = await TestNode.StartAsync(cancellationToken: ct);

        Assert.NotEqual(a.InstanceDid, b.InstanceDid);
    }

    [Theory]
    [InlineData("/api/v1/auth/session")]
    [InlineData("/api/v1/no-such-thing")]
    [InlineData("/anything/else")]
    public async Task Anonymous_ProtectedOrUnknownRoute_401Problem(string path)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var node = await TestNode.StartAsync(cancellationToken: ct);

        await ProblemAssert.IsProblemAsync(await node.Http.GetAsync(path, ct), HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact]
    public async Task Authenticated_UnknownRoute_404Problem()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var node = await TestNode.StartAsync(new TestNodeOptions { AdminPassword = TestNode.DefaultAdminPassword }, ct);
        using var client = await node.LoginAsync(cancellationToken: ct);

        await ProblemAssert.IsProblemAsync(await client.GetAsync("/api/v1/no-such-thing", ct), HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Health_WrongMethod_405Problem()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var node = await TestNode.StartAsync(new TestNodeOptions { AdminPassword = TestNode.DefaultAdminPassword }, ct);
        using var client = await node.LoginAsync(cancellationToken: ct);

        await ProblemAssert.IsProblemAsync(await client.DeleteAsync("/api/v1/health", ct), HttpStatusCode.MethodNotAllowed, "method_not_allowed");
    }

    [Fact]
    public async Task Anonymous_ForgedBearerToken_401Problem()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var node = await TestNode.StartAsync(cancellationToken: ct);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/auth/session");
        request.Headers.Authorization = new("Bearer", "gos_forged");

        await ProblemAssert.IsProblemAsync(await node.Http.SendAsync(request, ct), HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact]
    public async Task OpenApi_Document_DescribesTheApi()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var node = await TestNode.StartAsync(cancellationToken: ct);

        using var document = JsonDocument.Parse(await node.Http.GetStringAsync("/openapi/v1.json", ct));

        Assert.Equal("GreyOS API", document.RootElement.GetProperty("info").GetProperty("title").GetString());
        var paths = document.RootElement.GetProperty("paths");
        foreach (var path in new[] { "/api/v1/health", "/api/v1/ready", "/api/v1/setup", "/api/v1/auth/login", "/api/v1/auth/session", "/api/v1/auth/logout" })
        {
            Assert.True(paths.TryGetProperty(path, out _), $"OpenAPI lacks {path}");
        }
    }

    [Theory]
    [InlineData("/", "text/html")]
    [InlineData("/setup", "text/html")]
    [InlineData("/setup.js", "text/javascript")]
    [InlineData("/style.css", "text/css")]
    public async Task Pages_Served_WithSecurityHeaders(string path, string mediaType)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var node = await TestNode.StartAsync(cancellationToken: ct);

        var response = await node.Http.GetAsync(path, ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Contains("default-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ready_Stopping_Returns503()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var node = await TestNode.StartAsync(cancellationToken: ct);
        var info = (GreyOS.Hosting.NodeInfo)node.App.Services.GetService(typeof(GreyOS.Hosting.NodeInfo))!;

        info.MarkStopping();

        await ProblemAssert.IsProblemAsync(await node.Http.GetAsync("/api/v1/ready", ct), HttpStatusCode.ServiceUnavailable, "not_ready");
    }
}
