using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using GreyOS.Testing;

namespace GreyOS.Cli.Tests;

public sealed class SessionTests
{
    private static TestNodeOptions ReadyNode => new() { AdminPassword = TestNode.DefaultAdminPassword };

    [Fact]
    public async Task Login_RightPassword_StoresWorkingTokenOwnerOnly()
    {
        await using var node = await TestNode.StartAsync(ReadyNode, TestContext.Current.CancellationToken);
        using var cli = new Cli(node.BaseAddress);

        var result = await cli.RunAsync(["login", "--password-stdin"], TestNode.DefaultAdminPassword + "\n");

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        Assert.Contains("Logged in", result.Out, StringComparison.Ordinal);
        Assert.Contains("admin", result.Out, StringComparison.Ordinal);
        var token = StoredToken(cli, node);
        Assert.DoesNotContain(token, result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(token, result.Error, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(cli.CredentialsPath));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(cli.ConfigDirectory));
        }

        Assert.Empty(Directory.GetFiles(cli.ConfigDirectory, "*.tmp"));
        Assert.Equal(HttpStatusCode.OK, await SessionStatusAsync(node, token));
    }

    [Fact]
    public async Task Login_UserFlag_LogsInThatUser()
    {
        await using var node = await TestNode.StartAsync(ReadyNode, TestContext.Current.CancellationToken);
        using var cli = new Cli(node.BaseAddress);

        var result = await cli.RunAsync(["login", "--user", "admin", "--password-stdin"], TestNode.DefaultAdminPassword + "\n");

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
    }

    [Fact]
    public async Task Login_Interactive_PromptsForThePassword()
    {
        await using var node = await TestNode.StartAsync(ReadyNode, TestContext.Current.CancellationToken);
        using var cli = new Cli(node.BaseAddress);

        var result = await cli.RunAsync(["login"], stdin: null, new ScriptedKeys(TestNode.DefaultAdminPassword));

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        Assert.Contains("Password for admin", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(TestNode.DefaultAdminPassword, result.Error, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, await SessionStatusAsync(node, StoredToken(cli, node)));
    }

    [Fact]
    public async Task Login_WrongPassword_ExitsOneWithOneLineAndStoresNothing()
    {
        await using var node = await TestNode.StartAsync(ReadyNode, TestContext.Current.CancellationToken);
        using var cli = new Cli(node.BaseAddress);

        var result = await cli.RunAsync(["login", "--password-stdin"], "not-the-password\n");

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.StartsWith("greyos: ", line, StringComparison.Ordinal);
        Assert.EndsWith("(invalid_credentials)", line, StringComparison.Ordinal);
        Assert.Empty(result.Out);
        Assert.False(File.Exists(cli.CredentialsPath));
    }

    [Fact]
    public async Task Login_NotInteractiveWithoutPasswordStdin_ExitsUsage()
    {
        using var cli = new Cli(new Uri("http://127.0.0.1:1"));

        var result = await cli.RunAsync("login");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("--password-stdin", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Login_Twice_ReplacesAndRevokesThePreviousSession()
    {
        await using var node = await TestNode.StartAsync(ReadyNode, TestContext.Current.CancellationToken);
        using var cli = new Cli(node.BaseAddress);
        await cli.RunAsync(["login", "--password-stdin"], TestNode.DefaultAdminPassword + "\n");
        var first = StoredToken(cli, node);

        var result = await cli.RunAsync(["login", "--password-stdin"], TestNode.DefaultAdminPassword + "\n");

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        var second = StoredToken(cli, node);
        Assert.NotEqual(first, second);
        Assert.Equal(HttpStatusCode.Unauthorized, await SessionStatusAsync(node, first));
        Assert.Equal(HttpStatusCode.OK, await SessionStatusAsync(node, second));
    }

    [Fact]
    public async Task Whoami_LoggedIn_ShowsUserAndRole()
    {
        await using var node = await TestNode.StartAsync(ReadyNode, TestContext.Current.CancellationToken);
        using var cli = new Cli(node.BaseAddress);
        await cli.RunAsync(["login", "--password-stdin"], TestNode.DefaultAdminPassword + "\n");

        var human = await cli.RunAsync("whoami");
        var json = await cli.RunAsync("whoami", "--json");

        Assert.True(human.ExitCode == ExitCodes.Success, human.ToString());
        Assert.Contains("admin", human.Out, StringComparison.Ordinal);
        Assert.True(json.ExitCode == ExitCodes.Success, json.ToString());
        using var document = JsonDocument.Parse(json.Out);
        Assert.Equal("admin", document.RootElement.GetProperty("session").GetProperty("userName").GetString());
        Assert.Equal(node.BaseAddress.ToString().TrimEnd('/'), document.RootElement.GetProperty("node").GetString());
        Assert.DoesNotContain(StoredToken(cli, node), json.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Whoami_NotLoggedIn_ExitsOneWithHint()
    {
        await using var node = await TestNode.StartAsync(ReadyNode, TestContext.Current.CancellationToken);
        using var cli = new Cli(node.BaseAddress);

        var result = await cli.RunAsync("whoami");

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Contains("not logged in", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Whoami_OtherNode_HasNoSessionThere()
    {
        await using var node = await TestNode.StartAsync(ReadyNode, TestContext.Current.CancellationToken);
        using var cli = new Cli(node.BaseAddress);
        await cli.RunAsync(["login", "--password-stdin"], TestNode.DefaultAdminPassword + "\n");

        using var other = new Cli(new Uri("http://127.0.0.1:1"));
        other.Environment["GREYOS_CONFIG_DIR"] = cli.ConfigDirectory;

        var result = await other.RunAsync("whoami");

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Contains("not logged in to http://127.0.0.1:1", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logout_LoggedIn_RevokesOnNodeAndForgetsToken()
    {
        await using var node = await TestNode.StartAsync(ReadyNode, TestContext.Current.CancellationToken);
        using var cli = new Cli(node.BaseAddress);
        await cli.RunAsync(["login", "--password-stdin"], TestNode.DefaultAdminPassword + "\n");
        var token = StoredToken(cli, node);

        var result = await cli.RunAsync("logout");

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        Assert.Contains("Logged out", result.Out, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, await SessionStatusAsync(node, token));
        Assert.DoesNotContain(token, await File.ReadAllTextAsync(cli.CredentialsPath, TestContext.Current.CancellationToken), StringComparison.Ordinal);
        var whoami = await cli.RunAsync("whoami");
        Assert.Equal(ExitCodes.Failure, whoami.ExitCode);
    }

    [Fact]
    public async Task Logout_NotLoggedIn_SucceedsQuietly()
    {
        using var cli = new Cli(new Uri("http://127.0.0.1:1"));

        var result = await cli.RunAsync("logout");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Empty(result.Error);
        Assert.Empty(result.Out);
    }

    [Fact]
    public async Task Logout_SessionAlreadyRevoked_StillForgetsToken()
    {
        await using var node = await TestNode.StartAsync(ReadyNode, TestContext.Current.CancellationToken);
        using var cli = new Cli(node.BaseAddress);
        await cli.RunAsync(["login", "--password-stdin"], TestNode.DefaultAdminPassword + "\n");
        using (var http = BearerClient(node, StoredToken(cli, node)))
        {
            using var revoke = await http.PostAsync(new Uri("/api/v1/auth/logout", UriKind.Relative), content: null, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        }

        var result = await cli.RunAsync("logout");

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        var whoami = await cli.RunAsync("whoami");
        Assert.Contains("not logged in", whoami.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Whoami_RevokedSession_ExitsOneWithLoginHint()
    {
        await using var node = await TestNode.StartAsync(ReadyNode, TestContext.Current.CancellationToken);
        using var cli = new Cli(node.BaseAddress);
        await cli.RunAsync(["login", "--password-stdin"], TestNode.DefaultAdminPassword + "\n");
        using (var http = BearerClient(node, StoredToken(cli, node)))
        {
            using var revoke = await http.PostAsync(new Uri("/api/v1/auth/logout", UriKind.Relative), content: null, TestContext.Current.CancellationToken);
        }

        var result = await cli.RunAsync("whoami");

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.Contains("greyos login", line, StringComparison.Ordinal);
        Assert.EndsWith("(unauthenticated)", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Whoami_DamagedCredentialFile_ExitsOneNamingTheFile()
    {
        using var cli = new Cli(new Uri("http://127.0.0.1:1"));
        Directory.CreateDirectory(cli.ConfigDirectory);
        await File.WriteAllTextAsync(cli.CredentialsPath, "{ not json", TestContext.Current.CancellationToken);

        var result = await cli.RunAsync("whoami");

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Contains(cli.CredentialsPath, Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    private static string StoredToken(Cli cli, TestNode node)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(cli.CredentialsPath));
        return document.RootElement.GetProperty("nodes").GetProperty(node.BaseAddress.ToString().TrimEnd('/')).GetProperty("token").GetString()!;
    }

    private static HttpClient BearerClient(TestNode node, string token)
    {
        var http = new HttpClient { BaseAddress = node.BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    private static async Task<HttpStatusCode> SessionStatusAsync(TestNode node, string token)
    {
        using var http = BearerClient(node, token);
        using var response = await http.GetAsync(new Uri("/api/v1/auth/session", UriKind.Relative), TestContext.Current.CancellationToken);
        return response.StatusCode;
    }
}
