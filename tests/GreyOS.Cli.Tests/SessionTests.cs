using System.Net;
using System.Text.Json;
using GreyOS.Client;
using GreyOS.Testing;

namespace GreyOS.Cli.Tests;

public sealed class SessionTests
{
    private static TestNodeOptions ReadyNode => new() { AdminPassword = TestNode.DefaultAdminPassword };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Login_RightPassword_StoresDeviceKeyOwnerOnlyWithoutPassword()
    {
        await using var node = await TestNode.StartAsync(ReadyNode, Ct);
        using var cli = new Cli(node.BaseAddress);

        var result = await cli.RunAsync(["login", "--password-stdin"], TestNode.DefaultAdminPassword + "\n");

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        Assert.Contains("Logged in", result.Out, StringComparison.Ordinal);
        Assert.Contains("admin", result.Out, StringComparison.Ordinal);
        var text = await File.ReadAllTextAsync(cli.CredentialsPath, Ct);
        using (var document = JsonDocument.Parse(text))
        {
            Assert.Equal(2, document.RootElement.GetProperty("version").GetInt32());
        }

        var entry = cli.StoredEntry(node.BaseAddress)!.Value;
        Assert.Equal("admin", entry.GetProperty("userName").GetString());
        Assert.StartsWith("ses_", entry.GetProperty("sessionId").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("dev_", entry.GetProperty("deviceId").GetString(), StringComparison.Ordinal);
        Assert.Equal(
            ["deviceId", "expiresAt", "privateKey", "savedAt", "sessionId", "userName"],
            entry.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        var privateKey = entry.GetProperty("privateKey").GetString()!;
        Assert.Equal(43, privateKey.Length); // base64url of 32 bytes, no padding
        Assert.DoesNotContain(TestNode.DefaultAdminPassword, text, StringComparison.Ordinal);
        Assert.DoesNotContain(privateKey, result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(privateKey, result.Error, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(cli.CredentialsPath));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(cli.ConfigDirectory));
        }

        Assert.Empty(Directory.GetFiles(cli.ConfigDirectory, "*.tmp"));
        Assert.Equal(HttpStatusCode.OK, await SessionStatusAsync(node, cli.StoredCredential(node.BaseAddress)));
    }

    [Fact]
    public async Task Login_NewKey_RegisteredAsUserAtHost()
    {
        await using var node = await TestNode.StartAsync(ReadyNode, Ct);
        using var cli = new Cli(node.BaseAddress);
        await cli.RunAsync(["login", "--password-stdin"], TestNode.DefaultAdminPassword + "\n");
        var credential = cli.StoredCredential(node.BaseAddress);

        var devices = await ClientFor(node, credential).ListDevicesAsync(cancellationToken: Ct);

        var device = Assert.Single(devices, d => d.Id == credential.DeviceId);
        Assert.Equal(credential.Did, device.Did);
        Assert.Equal(CommandContext.DeviceName("admin"), device.Name);
        Assert.StartsWith("admin@", device.Name, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Login_UserFlag_LogsInThatUser()
    {
        await using var node = await TestNode.StartAsync(ReadyNode, Ct);
        using var cli = new Cli(node.BaseAddress);

        var result = await cli.RunAsync(["login", "--user", "admin", "--password-stdin"], TestNode.DefaultAdminPassword + "\n");

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
    }

    [Fact]
    public async Task Login_Interactive_PromptsForThePassword()
    {
        await using var node = await TestNode.StartAsync(ReadyNode, Ct);
        using var cli = new Cli(node.BaseAddress);

        var result = await cli.RunAsync(["login"], stdin: null, new ScriptedKeys(TestNode.DefaultAdminPassword));

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        Assert.Contains("Password for admin", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(TestNode.DefaultAdminPassword, result.Error, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, await SessionStatusAsync(node, cli.StoredCredential(node.BaseAddress)));
    }

    [Fact]
    public async Task Login_WrongPassword_ExitsOneWithOneLineAndStoresNothing()
    {
        await using var node = await TestNode.StartAsync(ReadyNode, Ct);
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

    [Theory]
    [InlineData("--key", "--srp")]
    [InlineData("--key", "--password-stdin")]
    public async Task Login_ConflictingFlags_ExitsUsage(string first, string second)
    {
        using var cli = new Cli(new Uri("http://127.0.0.1:1"));

        var result = await cli.RunAsync("login", first, second);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.StartsWith("greyos: ", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Login_Twice_NewKeyAndThePreviousDeviceIsRevoked()
    {
        await using var node = await TestNode.StartAsync(ReadyNode, Ct);
        using var cli = new Cli(node.BaseAddress);
        await cli.RunAsync(["login", "--password-stdin"], TestNode.DefaultAdminPassword + "\n");
        var first = cli.StoredCredential(node.BaseAddress);

        var result = await cli.RunAsync(["login", "--password-stdin"], TestNode.DefaultAdminPassword + "\n");

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        var second = cli.StoredCredential(node.BaseAddress);
        Assert.NotEqual(first.Did, second.Did);
        Assert.NotEqual(first.SessionId, second.SessionId);
        Assert.Equal(HttpStatusCode.Unauthorized, await SessionStatusAsync(node, first));
        Assert.Equal(HttpStatusCode.OK, await SessionStatusAsync(node, second));
        var devices = await ClientFor(node, second).ListDevicesAsync(cancellationToken: Ct);
        Assert.NotNull(Assert.Single(devices, d => d.Id == first.DeviceId).RevokedAt);
        Assert.Null(Assert.Single(devices, d => d.Id == second.DeviceId).RevokedAt);
    }

    [Fact]
    public async Task Login_Srp_LogsInWithoutSendingThePassword()
    {
        await using var node = await TestNode.StartAsync(ReadyNode, Ct);
        using var cli = new Cli(node.BaseAddress);

        var result = await cli.RunAsync(["login", "--srp", "--password-stdin"], TestNode.DefaultAdminPassword + "\n");
        var whoami = await cli.RunAsync("whoami", "--json");

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        Assert.Contains("SRP", result.Out, StringComparison.Ordinal);
        Assert.True(whoami.ExitCode == ExitCodes.Success, whoami.ToString());
        var credential = cli.StoredCredential(node.BaseAddress);
        using var document = JsonDocument.Parse(whoami.Out);
        Assert.Equal(credential.DeviceId, document.RootElement.GetProperty("session").GetProperty("deviceId").GetString());
        // The node recorded an SRP login for this session (the password login path was not used).
        var audit = await ClientFor(node, credential).ListAuditAsync(cancellationToken: Ct);
        Assert.Contains(audit, e => e.Detail == $"srp {credential.SessionId}");
        Assert.DoesNotContain(audit, e => e.Detail == $"password {credential.SessionId}");
    }

    [Fact]
    public async Task Login_SrpWrongPassword_ExitsOneAndStoresNothing()
    {
        await using var node = await TestNode.StartAsync(ReadyNode, Ct);
        using var cli = new Cli(node.BaseAddress);

        var result = await cli.RunAsync(["login", "--srp", "--password-stdin"], "not-the-password\n");

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.EndsWith("(invalid_credentials)", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
        Assert.False(File.Exists(cli.CredentialsPath));
    }

    [Fact]
    public async Task Logout_ThenLoginKey_SameKeyNewSession()
    {
        await using var node = await TestNode.StartAsync(ReadyNode, Ct);
        using var cli = new Cli(node.BaseAddress);
        await cli.RunAsync(["login", "--password-stdin"], TestNode.DefaultAdminPassword + "\n");
        var first = cli.StoredCredential(node.BaseAddress);

        var logout = await cli.RunAsync("logout");
        var whoamiAfterLogout = await cli.RunAsync("whoami");
        var login = await cli.RunAsync("login", "--key");
        var whoami = await cli.RunAsync("whoami");

        Assert.True(logout.ExitCode == ExitCodes.Success, logout.ToString());
        Assert.Contains("Logged out", logout.Out, StringComparison.Ordinal);
        Assert.Contains("greyos login --key", logout.Out, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, await SessionStatusAsync(node, first));
        Assert.Equal(ExitCodes.Failure, whoamiAfterLogout.ExitCode);
        Assert.Contains("not logged in", Assert.Single(whoamiAfterLogout.ErrorLines), StringComparison.Ordinal);
        Assert.Contains("greyos login --key", whoamiAfterLogout.Error, StringComparison.Ordinal);

        Assert.True(login.ExitCode == ExitCodes.Success, login.ToString());
        Assert.Contains("stored device key", login.Out, StringComparison.Ordinal);
        var second = cli.StoredCredential(node.BaseAddress);
        Assert.Equal(first.Did, second.Did);
        Assert.Equal(first.DeviceId, second.DeviceId);
        Assert.NotEqual(first.SessionId, second.SessionId);
        Assert.Equal(HttpStatusCode.OK, await SessionStatusAsync(node, second));
        Assert.True(whoami.ExitCode == ExitCodes.Success, whoami.ToString());
        Assert.Contains(second.DeviceId!, whoami.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoginKey_NothingStored_ExitsOneWithHint()
    {
        using var cli = new Cli(new Uri("http://127.0.0.1:1"));

        var result = await cli.RunAsync("login", "--key");

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.Contains("no device key is stored", line, StringComparison.Ordinal);
        Assert.Contains("greyos login", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoginKey_DeviceRevoked_ExitsOneWithPasswordHint()
    {
        await using var node = await TestNode.StartAsync(ReadyNode, Ct);
        using var cli = new Cli(node.BaseAddress);
        await cli.RunAsync(["login", "--password-stdin"], TestNode.DefaultAdminPassword + "\n");
        var stored = cli.StoredCredential(node.BaseAddress);
        await cli.RunAsync("logout");
        var (admin, _) = await node.LoginDeviceAsync(cancellationToken: Ct);
        using (admin)
        {
            using var revoke = await admin.DeleteAsync(new Uri($"/api/v1/devices/{stored.DeviceId}", UriKind.Relative), Ct);
            Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        }

        var result = await cli.RunAsync("login", "--key");

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.Contains("refused the device key", line, StringComparison.Ordinal);
        Assert.Contains("greyos login", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logout_Forget_RevokesDeviceAndDeletesKey()
    {
        await using var node = await TestNode.StartAsync(ReadyNode, Ct);
        using var cli = new Cli(node.BaseAddress);
        await cli.RunAsync(["login", "--password-stdin"], TestNode.DefaultAdminPassword + "\n");
        var stored = cli.StoredCredential(node.BaseAddress);

        var result = await cli.RunAsync("logout", "--forget");
        var key = await cli.RunAsync("login", "--key");

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        Assert.Contains($"revoked this computer's device {stored.DeviceId}", result.Out, StringComparison.Ordinal);
        Assert.Null(cli.StoredEntry(node.BaseAddress));
        Assert.Equal(ExitCodes.Failure, key.ExitCode);
        Assert.True(await DeviceRevokedAsync(node, stored.DeviceId!));
    }

    [Fact]
    public async Task Logout_ForgetAfterLogout_StillRevokesTheDevice()
    {
        await using var node = await TestNode.StartAsync(ReadyNode, Ct);
        using var cli = new Cli(node.BaseAddress);
        await cli.RunAsync(["login", "--password-stdin"], TestNode.DefaultAdminPassword + "\n");
        var stored = cli.StoredCredential(node.BaseAddress);
        await cli.RunAsync("logout");

        var result = await cli.RunAsync("logout", "--forget");

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        Assert.Null(cli.StoredEntry(node.BaseAddress));
        Assert.True(await DeviceRevokedAsync(node, stored.DeviceId!));
    }

    [Fact]
    public async Task Whoami_LoggedIn_ShowsUserRolesSessionDeviceExpiry()
    {
        await using var node = await TestNode.StartAsync(ReadyNode, Ct);
        using var cli = new Cli(node.BaseAddress);
        await cli.RunAsync(["login", "--password-stdin"], TestNode.DefaultAdminPassword + "\n");
        var stored = cli.StoredCredential(node.BaseAddress);

        var human = await cli.RunAsync("whoami");
        var json = await cli.RunAsync("whoami", "--json");

        Assert.True(human.ExitCode == ExitCodes.Success, human.ToString());
        var lines = human.Out.Split('\n', StringSplitOptions.TrimEntries);
        Assert.Contains(lines, l => l.StartsWith("User", StringComparison.Ordinal) && l.EndsWith("admin", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("Roles", StringComparison.Ordinal) && l.EndsWith("admin", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("Session", StringComparison.Ordinal) && l.Contains($"{stored.SessionId} (device)", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("Device", StringComparison.Ordinal) && l.Contains(stored.DeviceId!, StringComparison.Ordinal) && l.Contains(stored.Did, StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("Expires", StringComparison.Ordinal) && l.EndsWith('Z'));
        Assert.Contains(lines, l => l.StartsWith("Fresh proof", StringComparison.Ordinal) && l.Contains("until", StringComparison.Ordinal));
        Assert.True(json.ExitCode == ExitCodes.Success, json.ToString());
        using var document = JsonDocument.Parse(json.Out);
        var session = document.RootElement.GetProperty("session");
        Assert.Equal("admin", session.GetProperty("userName").GetString());
        Assert.Equal("device", session.GetProperty("kind").GetString());
        Assert.Equal(stored.DeviceId, session.GetProperty("deviceId").GetString());
        Assert.Contains("admin", session.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(node.BaseAddress.ToString().TrimEnd('/'), document.RootElement.GetProperty("node").GetString());
        var privateKey = cli.StoredEntry(node.BaseAddress)!.Value.GetProperty("privateKey").GetString()!;
        Assert.DoesNotContain(privateKey, json.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(privateKey, human.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Whoami_NotLoggedIn_ExitsOneWithHint()
    {
        await using var node = await TestNode.StartAsync(ReadyNode, Ct);
        using var cli = new Cli(node.BaseAddress);

        var result = await cli.RunAsync("whoami");

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Contains("not logged in", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Whoami_OtherNode_HasNoSessionThere()
    {
        await using var node = await TestNode.StartAsync(ReadyNode, Ct);
        using var cli = new Cli(node.BaseAddress);
        await cli.RunAsync(["login", "--password-stdin"], TestNode.DefaultAdminPassword + "\n");

        using var other = new Cli(new Uri("http://127.0.0.1:1"));
        other.Environment["GREYOS_CONFIG_DIR"] = cli.ConfigDirectory;

        var result = await other.RunAsync("whoami");

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Contains("not logged in to http://127.0.0.1:1", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
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
    public async Task Logout_SessionAlreadyRevoked_StillForgetsSession()
    {
        await using var node = await TestNode.StartAsync(ReadyNode, Ct);
        using var cli = new Cli(node.BaseAddress);
        await cli.RunAsync(["login", "--password-stdin"], TestNode.DefaultAdminPassword + "\n");
        await RevokeAsync(node, cli.StoredCredential(node.BaseAddress));

        var result = await cli.RunAsync("logout");

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        var whoami = await cli.RunAsync("whoami");
        Assert.Contains("not logged in", whoami.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Whoami_RevokedSession_ExitsOneWithLoginHint()
    {
        await using var node = await TestNode.StartAsync(ReadyNode, Ct);
        using var cli = new Cli(node.BaseAddress);
        await cli.RunAsync(["login", "--password-stdin"], TestNode.DefaultAdminPassword + "\n");
        await RevokeAsync(node, cli.StoredCredential(node.BaseAddress));

        var result = await cli.RunAsync("whoami");

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.Contains("expired or revoked", line, StringComparison.Ordinal);
        Assert.Contains("greyos login", line, StringComparison.Ordinal);
        Assert.EndsWith("(invalid_signature)", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Whoami_DamagedCredentialFile_ExitsOneNamingTheFile()
    {
        using var cli = new Cli(new Uri("http://127.0.0.1:1"));
        Directory.CreateDirectory(cli.ConfigDirectory);
        await File.WriteAllTextAsync(cli.CredentialsPath, "{ not json", Ct);

        var result = await cli.RunAsync("whoami");

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Contains(cli.CredentialsPath, Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Whoami_BadPrivateKey_ExitsOneNamingTheFile()
    {
        using var cli = new Cli(new Uri("http://127.0.0.1:1"));
        Directory.CreateDirectory(cli.ConfigDirectory);
        await File.WriteAllTextAsync(cli.CredentialsPath, """
            {"version":2,"nodes":{"http://127.0.0.1:1":{"userName":"admin","sessionId":"ses_1","deviceId":"dev_1","privateKey":"c2hvcnQ","savedAt":"2030-01-01T00:00:00Z"}}}
            """, Ct);

        var result = await cli.RunAsync("whoami");

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.Contains(cli.CredentialsPath, line, StringComparison.Ordinal);
        Assert.Contains("damaged", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Whoami_Version1BearerFile_SaysLogInAgainThenLoginReplacesIt()
    {
        await using var node = await TestNode.StartAsync(ReadyNode, Ct);
        using var cli = new Cli(node.BaseAddress);
        Directory.CreateDirectory(cli.ConfigDirectory);
        var key = node.BaseAddress.ToString().TrimEnd('/');
        await File.WriteAllTextAsync(cli.CredentialsPath, $$$$"""
            {"version":1,"nodes":{"{{{{key}}}}":{"token":"gos_oldbearertoken","sessionId":"ses_old","userName":"admin","expiresAt":"2030-01-01T00:00:00Z","savedAt":"2025-01-01T00:00:00Z"}}}
            """, Ct);

        var whoami = await cli.RunAsync("whoami");
        var loginKey = await cli.RunAsync("login", "--key");
        var login = await cli.RunAsync(["login", "--password-stdin"], TestNode.DefaultAdminPassword + "\n");

        Assert.Equal(ExitCodes.Failure, whoami.ExitCode);
        var line = Assert.Single(whoami.ErrorLines);
        Assert.Contains("older greyos", line, StringComparison.Ordinal);
        Assert.Contains("greyos login", line, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Failure, loginKey.ExitCode);
        Assert.True(login.ExitCode == ExitCodes.Success, login.ToString());
        var text = await File.ReadAllTextAsync(cli.CredentialsPath, Ct);
        Assert.DoesNotContain("gos_oldbearertoken", text, StringComparison.Ordinal);
        Assert.Contains("\"version\": 2", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logout_Version1BearerFile_DropsTheOldToken()
    {
        using var cli = new Cli(new Uri("http://127.0.0.1:1"));
        Directory.CreateDirectory(cli.ConfigDirectory);
        await File.WriteAllTextAsync(cli.CredentialsPath, """
            {"version":1,"nodes":{"http://127.0.0.1:1":{"token":"gos_oldbearertoken","sessionId":"ses_old","userName":"admin","expiresAt":"2030-01-01T00:00:00Z","savedAt":"2025-01-01T00:00:00Z"}}}
            """, Ct);

        var result = await cli.RunAsync("logout");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.DoesNotContain("gos_oldbearertoken", await File.ReadAllTextAsync(cli.CredentialsPath, Ct), StringComparison.Ordinal);
    }

    [Fact]
    public void StoredSession_ToString_HidesThePrivateKey()
    {
        var stored = StoredSession.From("admin", DeviceCredential.Generate().WithSession("ses_1", "dev_1"), DateTimeOffset.UtcNow);

        var text = stored.ToString();

        Assert.DoesNotContain(stored.PrivateKey, text, StringComparison.Ordinal);
        Assert.Contains("ses_1", text, StringComparison.Ordinal);
    }

    private static GreyOSClient ClientFor(TestNode node, DeviceCredential credential) =>
        new(node.Http) { Credential = credential };

    /// <summary>Ends the session on the node, as another program with the same key would.</summary>
    private static async Task RevokeAsync(TestNode node, DeviceCredential credential) =>
        await ClientFor(node, credential).LogoutAsync(Ct);

    private static async Task<HttpStatusCode> SessionStatusAsync(TestNode node, DeviceCredential credential)
    {
        using var http = node.SignedClient(credential);
        using var response = await http.GetAsync(new Uri("/api/v1/auth/session", UriKind.Relative), Ct);
        return response.StatusCode;
    }

    private static async Task<bool> DeviceRevokedAsync(TestNode node, string deviceId)
    {
        var (admin, credential) = await node.LoginDeviceAsync(cancellationToken: Ct);
        admin.Dispose();
        var devices = await ClientFor(node, credential).ListDevicesAsync(cancellationToken: Ct);
        return devices.Single(d => d.Id == deviceId).RevokedAt is not null;
    }
}
