using System.Net;
using System.Net.Http.Json;
using System.Text;
using GreyOS.Protocol;
using GreyOS.Testing;

namespace GreyOS.Server.IntegrationTests;

public sealed class SetupAndLoginTests
{
    private const string Password = TestNode.DefaultAdminPassword;

    [Fact]
    public async Task Setup_CodeUsedTwice_SecondUseRefusedAndFirstPasswordKept()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var node = await TestNode.StartAsync(cancellationToken: ct);
        var code = node.SetupCode!;

        var first = await node.Http.PostAsJsonAsync("/api/v1/setup", new SetupRequest(code, Password), ProtocolJsonContext.Default.SetupRequest, ct);
        var second = await node.Http.PostAsJsonAsync("/api/v1/setup", new SetupRequest(code, "another-password-1"), ProtocolJsonContext.Default.SetupRequest, ct);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("admin", (await first.Content.ReadFromJsonAsync(ProtocolJsonContext.Default.SetupResponse, ct))!.UserName);
        await ProblemAssert.IsProblemAsync(second, HttpStatusCode.Forbidden, "setup_code_invalid");
        using var session = await node.LoginAsync(password: Password, cancellationToken: ct);
        var health = await node.Http.GetFromJsonAsync("/api/v1/health", ProtocolJsonContext.Default.HealthResponse, ct);
        Assert.False(health!.SetupPending);
    }

    [Fact]
    public async Task Setup_WeakPassword_400PasswordPolicy()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var node = await TestNode.StartAsync(cancellationToken: ct);

        var response = await node.Http.PostAsJsonAsync("/api/v1/setup", new SetupRequest(node.SetupCode!, "short"), ProtocolJsonContext.Default.SetupRequest, ct);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "password_policy");
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("{}")]
    [InlineData("[]")]
    [InlineData("{\"code\": 5, \"password\": true}")]
    public async Task Setup_MalformedBody_400InvalidRequest(string body)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var node = await TestNode.StartAsync(cancellationToken: ct);

        var response = await node.Http.PostAsync("/api/v1/setup", new StringContent(body, Encoding.UTF8, "application/json"), ct);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "invalid_request");
        Assert.NotNull(node.SetupCode);
    }

    [Fact]
    public async Task Login_OversizedBody_RefusedBeforeReading()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var node = await TestNode.StartAsync(new TestNodeOptions { AdminPassword = Password }, ct);
        var huge = $"{{\"userName\":\"admin\",\"password\":\"{new string('x', 2 * 1024 * 1024)}\"}}";

        var response = await node.Http.PostAsync("/api/v1/auth/login", new StringContent(huge, Encoding.UTF8, "application/json"), ct);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "invalid_request");
    }

    [Fact]
    public async Task Login_SessionThenLogout_TokenStopsWorking()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var node = await TestNode.StartAsync(new TestNodeOptions { AdminPassword = Password }, ct);
        using var client = await node.LoginAsync(cancellationToken: ct);

        var session = await client.GetFromJsonAsync("/api/v1/auth/session", ProtocolJsonContext.Default.SessionInfo, ct);
        var logout = await client.PostAsync("/api/v1/auth/logout", null, ct);
        var after = await client.GetAsync("/api/v1/auth/session", ct);

        Assert.Equal("admin", session!.UserName);
        Assert.Contains("admin", session.Roles);
        Assert.Equal("device", session.Kind);
        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        await ProblemAssert.IsProblemAsync(after, HttpStatusCode.Unauthorized, "invalid_signature");
        Assert.Equal("Signature", after.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Fact]
    public async Task Login_WrongPasswordAndUnknownUser_IdenticalProblems()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var node = await TestNode.StartAsync(new TestNodeOptions { AdminPassword = Password }, ct);

        var wrong = await node.Http.PostAsJsonAsync("/api/v1/auth/login", new LoginRequest("admin", "wrong-password-1"), ProtocolJsonContext.Default.LoginRequest, ct);
        var unknown = await node.Http.PostAsJsonAsync("/api/v1/auth/login", new LoginRequest("mallory", "wrong-password-1"), ProtocolJsonContext.Default.LoginRequest, ct);

        var a = await ProblemAssert.IsProblemAsync(wrong, HttpStatusCode.Unauthorized, "invalid_credentials");
        var b = await ProblemAssert.IsProblemAsync(unknown, HttpStatusCode.Unauthorized, "invalid_credentials");
        Assert.Equal(a.Detail, b.Detail);
    }

    [Fact]
    public async Task Login_RepeatedAttempts_ThrottledWithRetryAfter()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var node = await TestNode.StartAsync(new TestNodeOptions { AdminPassword = Password }, ct);
        HttpResponseMessage? limited = null;

        for (var i = 0; i < 30 && limited is null; i++)
        {
            var response = await node.Http.PostAsJsonAsync("/api/v1/auth/login", new LoginRequest("admin", "wrong-password-1"), ProtocolJsonContext.Default.LoginRequest, ct);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited = response;
            }
        }

        // The per-name back-off answers first (after 5 failures); the per-address rate limit backs it up.
        Assert.NotNull(limited);
        await ProblemAssert.IsProblemAsync(limited, HttpStatusCode.TooManyRequests, "login_throttled");
        Assert.NotNull(limited.Headers.RetryAfter);
    }
}
