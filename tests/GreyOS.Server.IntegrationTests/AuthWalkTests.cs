using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using GreyOS.Client;
using GreyOS.Protocol;
using GreyOS.Testing;

namespace GreyOS.Server.IntegrationTests;

/// <summary>
/// Walks the node's OpenAPI document: every operation not marked anonymous answers 401 without
/// credentials (and with forged ones), and every operation naming a permission answers 403 to a
/// guest. The set of anonymous operations is pinned, so a new one must be added here on purpose.
/// </summary>
public sealed partial class AuthWalkTests
{
    private static readonly string[] ExpectedAnonymous =
    [
        "GET /api/v1/health",
        "GET /api/v1/ready",
        "POST /api/v1/setup",
        "POST /api/v1/auth/login",
        "GET /api/v1/auth/state",
        "POST /api/v1/auth/challenge",
        "POST /api/v1/auth/login/key",
        "POST /api/v1/auth/srp/start",
        "POST /api/v1/auth/srp/finish",
        "GET /api/v1/links/{token}/{path}",
    ];

    [Fact]
    public async Task EveryOperation_WithoutOrWithForgedCredentials_401_GuestWithoutPermission_403()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var node = await TestNode.StartAsync(new TestNodeOptions { AdminPassword = TestNode.DefaultAdminPassword }, ct);
        using var admin = await node.LoginAsync(cancellationToken: ct);
        var created = await admin.PostAsJsonAsync("/api/v1/users", new CreateUserRequest("visitor", Password: "visitor-password-1", Roles: ["guest"]), ProtocolJsonContext.Default.CreateUserRequest, ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var guest = await node.LoginAsync("visitor", "visitor-password-1", ct);
        var forgedKey = DeviceCredential.Generate().WithSession("ses_" + new string('0', 32), null);
        using var forged = node.SignedClient(forgedKey);

        using var document = JsonDocument.Parse(await node.Http.GetStringAsync("/openapi/v1.json", ct));
        var anonymous = new List<string>();
        var checkedOperations = 0;
        var permissionChecked = 0;
        foreach (var path in document.RootElement.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                var method = operation.Name.ToUpperInvariant();
                var name = $"{method} {path.Name}";
                if (operation.Value.TryGetProperty("x-greyos-anonymous", out _))
                {
                    anonymous.Add(name);
                    continue;
                }

                var url = PathParameter().Replace(path.Name, "1");
                checkedOperations++;
                using (var response = await node.Http.SendAsync(Request(method, url), ct))
                {
                    Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{name} without credentials answered {(int)response.StatusCode}");
                    await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized, "unauthenticated");
                }

                using (var response = await forged.SendAsync(Request(method, url), ct))
                {
                    Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{name} with a forged signature answered {(int)response.StatusCode}");
                    await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized, "invalid_signature");
                }

                using (var bearer = Request(method, url))
                {
                    bearer.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "gos_stolen");
                    using var response = await node.Http.SendAsync(bearer, ct);
                    Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{name} with a bearer token answered {(int)response.StatusCode}");
                }

                if (operation.Value.TryGetProperty("x-greyos-permission", out var permission))
                {
                    permissionChecked++;
                    using var response = await guest.SendAsync(Request(method, url), ct);
                    Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{name} (needs {permission.GetString()}) answered a guest {(int)response.StatusCode}");
                    await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Forbidden, "forbidden");
                }
            }
        }

        Assert.Equal(ExpectedAnonymous.Order(StringComparer.Ordinal), anonymous.Order(StringComparer.Ordinal));
        Assert.True(checkedOperations >= 30, $"only {checkedOperations} operations found");
        Assert.True(permissionChecked >= 15, $"only {permissionChecked} operations name a permission");
    }

    [Fact]
    public async Task SignedRequest_BodyTamperedAfterSigning_401AndNothingChanged()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var node = await TestNode.StartAsync(new TestNodeOptions { AdminPassword = TestNode.DefaultAdminPassword }, ct);
        var (admin, credential) = await node.LoginDeviceAsync(cancellationToken: ct);
        using var _ = admin;
        using var tampering = new HttpClient(new SigningHandler(credential, new Tamper())) { BaseAddress = node.BaseAddress };

        var response = await tampering.PostAsJsonAsync("/api/v1/groups", new CreateGroupRequest("honest"), ProtocolJsonContext.Default.CreateGroupRequest, ct);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized, "invalid_signature");
        var groups = await admin.GetFromJsonAsync("/api/v1/groups", ProtocolJsonContext.Default.GroupListResponse, ct);
        Assert.Empty(groups!.Groups);
    }

    [Fact]
    public async Task StepUp_StaleSession_403StepUpRequiredThenAllowedAfterPassword()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var node = await TestNode.StartAsync(
            new TestNodeOptions { AdminPassword = TestNode.DefaultAdminPassword, Environment = { ["GREYOS__Identity__StepUpWindow"] = "00:00:00" } }, ct);
        using var admin = await node.LoginAsync(cancellationToken: ct);

        var stale = await admin.PutAsJsonAsync("/api/v1/roles/auditor", new SaveRoleRequest(["audit.read"]), ProtocolJsonContext.Default.SaveRoleRequest, ct);
        var wrong = await admin.PostAsJsonAsync("/api/v1/auth/step-up", new StepUpRequest(Password: "not-the-password"), ProtocolJsonContext.Default.StepUpRequest, ct);

        await ProblemAssert.IsProblemAsync(stale, HttpStatusCode.Forbidden, "step_up_required");
        await ProblemAssert.IsProblemAsync(wrong, HttpStatusCode.Unauthorized, "invalid_credentials");
        var roles = await admin.GetFromJsonAsync("/api/v1/roles", ProtocolJsonContext.Default.RoleListResponse, ct);
        Assert.DoesNotContain(roles!.Roles, r => r.Name == "auditor");
    }

    [Fact]
    public async Task BrowserSession_UnsafeMethodWithoutCsrfToken_403_WithToken_Allowed()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var node = await TestNode.StartAsync(new TestNodeOptions { AdminPassword = TestNode.DefaultAdminPassword }, ct);
        using var browser = new HttpClient(new HttpClientHandler { UseCookies = true, CookieContainer = new CookieContainer() }) { BaseAddress = node.BaseAddress };

        var login = await browser.PostAsJsonAsync("/api/v1/auth/login", new LoginRequest("admin", TestNode.DefaultAdminPassword), ProtocolJsonContext.Default.LoginRequest, ct);
        var body = await login.Content.ReadFromJsonAsync(ProtocolJsonContext.Default.LoginResponse, ct);
        var cookie = login.Headers.GetValues("Set-Cookie").Single();
        var read = await browser.GetAsync("/api/v1/auth/session", ct);
        var withoutToken = await browser.PostAsJsonAsync("/api/v1/groups", new CreateGroupRequest("g1"), ProtocolJsonContext.Default.CreateGroupRequest, ct);
        using var withToken = new HttpRequestMessage(HttpMethod.Post, "/api/v1/groups") { Content = JsonContent.Create(new CreateGroupRequest("g2"), ProtocolJsonContext.Default.CreateGroupRequest) };
        withToken.Headers.Add("X-CSRF-Token", body!.CsrfToken);
        var allowed = await browser.SendAsync(withToken, ct);

        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("browser", body.Session.Kind);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        await ProblemAssert.IsProblemAsync(withoutToken, HttpStatusCode.Forbidden, "csrf_invalid");
        Assert.Equal(HttpStatusCode.Created, allowed.StatusCode);
    }

    private static HttpRequestMessage Request(string method, string url)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), url);
        if (method is "POST" or "PUT" or "PATCH")
        {
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        }

        return request;
    }

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex PathParameter();

    /// <summary>Swaps the body after the signer computed its digest, like a man in the middle.</summary>
    private sealed class Tamper() : DelegatingHandler(new SocketsHttpHandler())
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var digest = request.Content!.Headers.GetValues("Content-Digest").Single();
            request.Content = new StringContent("{\"name\":\"evil\"}", Encoding.UTF8, "application/json");
            request.Content.Headers.TryAddWithoutValidation("Content-Digest", digest);
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
    }
}
