using System.Text.Json;
using GreyOS.Client;
using GreyOS.Testing;

namespace GreyOS.Cli.Tests;

/// <summary><c>greyos user/group/role/device/session/step-up</c> against a real node.</summary>
public sealed class AccountTests
{
    private const string AlicePassword = "alice-horse-battery-staple";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Admin_CreatesUserGroupAndRole_NewUserLogsInWithTheRole()
    {
        await using var node = await StartAsync();
        using var admin = await LoggedInAsync(node);

        var create = await admin.RunAsync(["user", "create", "alice", "--display-name", "Alice Liddell", "--password-stdin"], AlicePassword + "\n");
        var group = await admin.RunAsync("group", "create", "ops");
        var add = await admin.RunAsync("group", "add", "ops", "--user", "alice");
        var groupJson = await admin.RunAsync("group", "show", "ops", "--json");
        var role = await admin.RunAsync("role", "set", "auditor", "users.read", "audit.read");
        var assign = await admin.RunAsync("user", "set", "alice", "--role", "user", "--role", "auditor");
        var userJson = await admin.RunAsync("user", "show", "alice", "--json");

        Assert.True(create.ExitCode == 0, create.ToString());
        Assert.Contains("Created user alice", create.Out, StringComparison.Ordinal);
        Assert.True(group.ExitCode == 0, group.ToString());
        Assert.True(add.ExitCode == 0, add.ToString());
        Assert.Contains("Added user alice to group ops", add.Out, StringComparison.Ordinal);
        using (var document = JsonDocument.Parse(groupJson.Out))
        {
            var member = Assert.Single(document.RootElement.GetProperty("members").EnumerateArray());
            Assert.Equal("alice", member.GetProperty("name").GetString());
            Assert.Equal("user", member.GetProperty("kind").GetString());
        }

        Assert.True(role.ExitCode == 0, role.ToString());
        Assert.Contains("Saved role auditor: audit.read, users.read", role.Out, StringComparison.Ordinal);
        Assert.True(assign.ExitCode == 0, assign.ToString());
        using (var document = JsonDocument.Parse(userJson.Out))
        {
            Assert.Equal("Alice Liddell", document.RootElement.GetProperty("displayName").GetString());
            Assert.Equal(["user", "auditor"], document.RootElement.GetProperty("roles").EnumerateArray().Select(r => r.GetString()).Order(StringComparer.Ordinal).Reverse());
        }

        using var alice = new Cli(node.BaseAddress);
        var login = await alice.RunAsync(["login", "--user", "alice", "--password-stdin"], AlicePassword + "\n");
        var whoami = await alice.RunAsync("whoami");
        var whoamiJson = await alice.RunAsync("whoami", "--json");
        var users = await alice.RunAsync("user", "list");
        var roles = await alice.RunAsync("role", "list");

        Assert.True(login.ExitCode == 0, login.ToString());
        Assert.Contains("as alice", login.Out, StringComparison.Ordinal);
        Assert.True(whoami.ExitCode == 0, whoami.ToString());
        Assert.Contains("auditor", whoami.Out, StringComparison.Ordinal);
        using (var document = JsonDocument.Parse(whoamiJson.Out))
        {
            var session = document.RootElement.GetProperty("session");
            Assert.Contains("auditor", session.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
            Assert.Contains("users.read", session.GetProperty("permissions").EnumerateArray().Select(r => r.GetString()));
        }

        Assert.True(users.ExitCode == 0, users.ToString());
        Assert.Contains("alice", users.Out, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Failure, roles.ExitCode);
        Assert.EndsWith("(forbidden)", Assert.Single(roles.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListCommands_PrintTablesAndJson()
    {
        await using var node = await StartAsync();
        using var admin = await LoggedInAsync(node);
        await admin.RunAsync(["user", "create", "bob", "--quota", "1G", "--password-stdin"], AlicePassword + "\n");
        await admin.RunAsync("group", "create", "ops");
        await admin.RunAsync("group", "create", "dev");
        await admin.RunAsync("group", "add", "ops", "--group", "dev");

        var users = await admin.RunAsync("user", "list");
        var usersJson = await admin.RunAsync("user", "list", "--json");
        var bob = await admin.RunAsync("user", "show", "bob");
        var groups = await admin.RunAsync("group", "list");
        var roles = await admin.RunAsync("role", "list");
        var rolesJson = await admin.RunAsync("role", "list", "--json");

        Assert.True(users.ExitCode == 0, users.ToString());
        var header = users.Out.Split('\n')[0];
        foreach (var column in new[] { "ID", "NAME", "DISPLAY NAME", "STATUS", "ROLES", "QUOTA", "CREATED" })
        {
            Assert.Contains(column, header, StringComparison.Ordinal);
        }

        Assert.Contains(users.Out.Split('\n'), l => l.Contains("bob", StringComparison.Ordinal) && l.Contains("1 GiB", StringComparison.Ordinal) && l.Contains("active", StringComparison.Ordinal));
        using (var document = JsonDocument.Parse(usersJson.Out))
        {
            Assert.Equal(2, document.RootElement.GetProperty("users").GetArrayLength());
        }

        Assert.Contains("1073741824 bytes", bob.Out, StringComparison.Ordinal);
        Assert.Contains(groups.Out.Split('\n'), l => l.Contains("ops", StringComparison.Ordinal) && l.Contains("group:dev", StringComparison.Ordinal));
        Assert.Contains(roles.Out.Split('\n'), l => l.StartsWith("admin", StringComparison.Ordinal) && l.Contains("built-in", StringComparison.Ordinal));
        Assert.Contains("Permissions a role may hold:", roles.Out, StringComparison.Ordinal);
        using (var document = JsonDocument.Parse(rolesJson.Out))
        {
            Assert.Contains("users.read", document.RootElement.GetProperty("knownPermissions").EnumerateArray().Select(p => p.GetString()));
        }
    }

    [Theory]
    [InlineData("group", "add", "ops")]
    [InlineData("group", "add", "ops", "--user", "a", "--group", "b")]
    [InlineData("group", "remove", "ops")]
    [InlineData("user", "create", "bob", "--quota", "lots")]
    [InlineData("user", "set", "bob", "--status", "asleep")]
    [InlineData("role", "set", "auditor")]
    public async Task BadUsage_ExitsUsageWithOneLine(params string[] args)
    {
        using var cli = new Cli(new Uri("http://127.0.0.1:1"));

        var result = await cli.RunAsync(args);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.StartsWith("greyos: ", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UserSet_NothingToChange_ExitsUsage()
    {
        using var cli = new Cli(new Uri("http://127.0.0.1:1"));

        var result = await cli.RunAsync("user", "set", "bob");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("nothing to change", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UserCreate_NoTerminalNoPasswordStdin_ExitsUsage()
    {
        await using var node = await StartAsync();
        using var admin = await LoggedInAsync(node);

        var result = await admin.RunAsync("user", "create", "bob");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("--password-stdin", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task NodeRefusals_ExitOneWithTheirCodes()
    {
        await using var node = await StartAsync();
        using var admin = await LoggedInAsync(node);
        await admin.RunAsync("group", "create", "a");
        await admin.RunAsync("group", "create", "b");
        await admin.RunAsync("group", "add", "a", "--group", "b");

        var cycle = await admin.RunAsync("group", "add", "b", "--group", "a");
        var builtIn = await admin.RunAsync("role", "delete", "admin");
        var lastAdmin = await admin.RunAsync("user", "delete", "admin");
        var exists = await admin.RunAsync(["user", "create", "admin", "--password-stdin"], AlicePassword + "\n");
        var missing = await admin.RunAsync("user", "show", "nobody");

        Assert.EndsWith("(group_cycle)", Assert.Single(cycle.ErrorLines), StringComparison.Ordinal);
        Assert.EndsWith("(role_built_in)", Assert.Single(builtIn.ErrorLines), StringComparison.Ordinal);
        Assert.EndsWith("(last_admin)", Assert.Single(lastAdmin.ErrorLines), StringComparison.Ordinal);
        Assert.EndsWith("(user_exists)", Assert.Single(exists.ErrorLines), StringComparison.Ordinal);
        Assert.EndsWith("(user_not_found)", Assert.Single(missing.ErrorLines), StringComparison.Ordinal);
        Assert.All([cycle, builtIn, lastAdmin, exists, missing], r => Assert.Equal(ExitCodes.Failure, r.ExitCode));
    }

    [Fact]
    public async Task GroupRemoveAndDelete_RoleDelete_UserDelete_Succeed()
    {
        await using var node = await StartAsync();
        using var admin = await LoggedInAsync(node);
        await admin.RunAsync(["user", "create", "bob", "--password-stdin"], AlicePassword + "\n");
        await admin.RunAsync("group", "create", "ops");
        await admin.RunAsync("group", "add", "ops", "--user", "bob");
        await admin.RunAsync("role", "set", "auditor", "audit.read");

        var remove = await admin.RunAsync("group", "remove", "ops", "--user", "bob");
        var deleteGroup = await admin.RunAsync("group", "delete", "ops");
        var deleteRole = await admin.RunAsync("role", "delete", "auditor");
        var deleteUser = await admin.RunAsync("user", "delete", "bob");
        var groups = await admin.RunAsync("group", "list");
        var users = await admin.RunAsync("user", "list", "--json");

        Assert.True(remove.ExitCode == 0, remove.ToString());
        Assert.Contains("Removed user bob from group ops", remove.Out, StringComparison.Ordinal);
        Assert.True(deleteGroup.ExitCode == 0, deleteGroup.ToString());
        Assert.True(deleteRole.ExitCode == 0, deleteRole.ToString());
        Assert.True(deleteUser.ExitCode == 0, deleteUser.ToString());
        Assert.Equal("No groups.", groups.Out.Trim());
        Assert.DoesNotContain("\"bob\"", users.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Passwd_Own_NewPasswordWorksAtNextLogin()
    {
        await using var node = await StartAsync();
        using var admin = await LoggedInAsync(node);
        const string NewPassword = "a-brand-new-horse-battery";

        var passwd = await admin.RunAsync(["user", "passwd", "--password-stdin"], NewPassword + "\n");
        var oldLogin = await admin.RunAsync(["login", "--password-stdin"], TestNode.DefaultAdminPassword + "\n");
        var newLogin = await admin.RunAsync(["login", "--password-stdin"], NewPassword + "\n");

        Assert.True(passwd.ExitCode == 0, passwd.ToString());
        Assert.Contains("Changed the password of admin", passwd.Out, StringComparison.Ordinal);
        Assert.EndsWith("(invalid_credentials)", Assert.Single(oldLogin.ErrorLines), StringComparison.Ordinal);
        Assert.True(newLogin.ExitCode == 0, newLogin.ToString());
    }

    [Fact]
    public async Task StepUp_NotFresh_NoPassword_SaysRunStepUp_PasswordStdin_StepsUpAndRetries()
    {
        var window = StepUpWindow;
        await using var node = await StartAsync(window);
        using var admin = await LoggedInAsync(node);
        await WaitUntilStaleAsync(admin, node, window);

        var refused = await admin.RunAsync("role", "set", "auditor", "audit.read");
        var retried = await admin.RunAsync(["role", "set", "auditor", "audit.read", "--password-stdin"], TestNode.DefaultAdminPassword + "\n");

        Assert.Equal(ExitCodes.Failure, refused.ExitCode);
        var line = Assert.Single(refused.ErrorLines);
        Assert.Contains("this action needs a fresh proof: run 'greyos step-up", line, StringComparison.Ordinal);
        Assert.True(retried.ExitCode == 0, retried.ToString());
        Assert.Contains("Saved role auditor", retried.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StepUp_Command_AllowsTheSensitiveAction()
    {
        var window = StepUpWindow;
        await using var node = await StartAsync(window);
        using var admin = await LoggedInAsync(node);
        await WaitUntilStaleAsync(admin, node, window);

        var wrong = await admin.RunAsync(["step-up", "--password-stdin"], "not-the-password\n");
        var stepUp = await admin.RunAsync(["step-up", "--password-stdin"], TestNode.DefaultAdminPassword + "\n");
        var role = await admin.RunAsync("role", "set", "auditor", "audit.read");

        Assert.Equal(ExitCodes.Failure, wrong.ExitCode);
        Assert.EndsWith("(invalid_credentials)", Assert.Single(wrong.ErrorLines), StringComparison.Ordinal);
        Assert.True(stepUp.ExitCode == 0, stepUp.ToString());
        Assert.Contains("Fresh proof accepted", stepUp.Out, StringComparison.Ordinal);
        Assert.True(role.ExitCode == 0, role.ToString());
    }

    [Fact]
    public async Task StepUp_Interactive_PromptsForThePasswordAndRetries()
    {
        var window = StepUpWindow;
        await using var node = await StartAsync(window);
        using var admin = await LoggedInAsync(node);
        await WaitUntilStaleAsync(admin, node, window);

        var result = await admin.RunAsync(["user", "set", "admin", "--role", "admin"], stdin: null, new ScriptedKeys(TestNode.DefaultAdminPassword));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("fresh proof", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(TestNode.DefaultAdminPassword, result.Error, StringComparison.Ordinal);
        Assert.Contains("Updated user admin", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RevokedSession_CommandsFailWithLoginHint()
    {
        await using var node = await StartAsync();
        using var cli = await LoggedInAsync(node);
        var stored = cli.StoredCredential(node.BaseAddress);
        var (other, otherCredential) = await node.LoginDeviceAsync(cancellationToken: Ct);
        other.Dispose();
        await new GreyOSClient(node.Http) { Credential = otherCredential }.RevokeSessionAsync(stored.SessionId!, Ct);

        foreach (var args in new[] { new[] { "user", "list" }, ["group", "list"], ["device", "list"], ["session", "list"], ["ps"] })
        {
            var result = await cli.RunAsync(args);

            Assert.True(result.ExitCode == ExitCodes.Failure, result.ToString());
            var line = Assert.Single(result.ErrorLines);
            Assert.Contains("expired or revoked", line, StringComparison.Ordinal);
            Assert.Contains("run 'greyos login", line, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Devices_ListMarksThisComputer_RevokingItForgetsTheKey()
    {
        await using var node = await StartAsync();
        using var cli = await LoggedInAsync(node);
        var stored = cli.StoredCredential(node.BaseAddress);

        var list = await cli.RunAsync("device", "list");
        var json = await cli.RunAsync("device", "list", "--user", "admin", "--json");
        var revoke = await cli.RunAsync("device", "revoke", stored.DeviceId!);
        var whoami = await cli.RunAsync("whoami");

        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Contains(list.Out.Split('\n'), l => l.Contains(stored.DeviceId!, StringComparison.Ordinal) && l.Contains("this computer", StringComparison.Ordinal) && l.Contains(stored.Did, StringComparison.Ordinal));
        using (var document = JsonDocument.Parse(json.Out))
        {
            Assert.Equal(stored.DeviceId, document.RootElement.GetProperty("currentDeviceId").GetString());
        }

        Assert.True(revoke.ExitCode == 0, revoke.ToString());
        Assert.Contains("this computer's device", revoke.Out, StringComparison.Ordinal);
        Assert.Null(cli.StoredEntry(node.BaseAddress));
        Assert.Equal(ExitCodes.Failure, whoami.ExitCode);
        Assert.Contains("not logged in", whoami.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sessions_ListMarksThisOne_RevokingItKeepsTheKey()
    {
        await using var node = await StartAsync();
        using var cli = await LoggedInAsync(node);
        var stored = cli.StoredCredential(node.BaseAddress);
        var (other, _) = await node.LoginDeviceAsync(cancellationToken: Ct);
        other.Dispose();

        var list = await cli.RunAsync("session", "list");
        var all = await cli.RunAsync("session", "list", "--all");
        var revoke = await cli.RunAsync("session", "revoke", stored.SessionId!);
        var key = await cli.RunAsync("login", "--key");

        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.Contains(list.Out.Split('\n'), l => l.Contains(stored.SessionId!, StringComparison.Ordinal) && l.Contains("this one", StringComparison.Ordinal));
        Assert.True(all.ExitCode == 0, all.ToString());
        Assert.Contains("USER", all.Out.Split('\n')[0], StringComparison.Ordinal);
        Assert.Contains(all.Out.Split('\n'), l => l.Contains(stored.SessionId!, StringComparison.Ordinal) && l.Contains("admin", StringComparison.Ordinal));
        Assert.True(revoke.ExitCode == 0, revoke.ToString());
        Assert.Contains("this computer's session", revoke.Out, StringComparison.Ordinal);
        Assert.True(key.ExitCode == 0, key.ToString());
        Assert.Equal(stored.Did, cli.StoredCredential(node.BaseAddress).Did);
    }

    [Fact]
    public async Task GroupCommand_Bare_PrintsHelp()
    {
        using var cli = new Cli();

        var result = await cli.RunAsync("user");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains("create", result.Out, StringComparison.Ordinal);
        Assert.Contains("passwd", result.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0", 0L)]
    [InlineData("1073741824", 1073741824L)]
    [InlineData("512K", 512L * 1024)]
    [InlineData("10G", 10L << 30)]
    [InlineData("2GiB", 2L << 30)]
    [InlineData("3 MB", 3L << 20)]
    public void TryParseBytes_Valid_Parses(string text, long expected)
    {
        Assert.True(AccountOptions.TryParseBytes(text, out var bytes));
        Assert.Equal(expected, bytes);
    }

    [Theory]
    [InlineData("")]
    [InlineData("G")]
    [InlineData("-1")]
    [InlineData("1.5G")]
    [InlineData("99999999999T")]
    public void TryParseBytes_Invalid_Refuses(string text) =>
        Assert.False(AccountOptions.TryParseBytes(text, out _));

    /// <summary>A proof stays fresh for only a few seconds on nodes started with it, so a test can outlive it.</summary>
    private static readonly TimeSpan StepUpWindow = TimeSpan.FromSeconds(3);

    private static Task<TestNode> StartAsync(TimeSpan? stepUpWindow = null)
    {
        var options = new TestNodeOptions { AdminPassword = TestNode.DefaultAdminPassword };
        if (stepUpWindow is { } window)
        {
            options.Environment["GREYOS__Identity__StepUpWindow"] = window.ToString("c", System.Globalization.CultureInfo.InvariantCulture);
        }

        return TestNode.StartAsync(options, Ct);
    }

    private static async Task<Cli> LoggedInAsync(TestNode node)
    {
        var cli = new Cli(node.BaseAddress);
        var login = await cli.RunAsync(["login", "--password-stdin"], TestNode.DefaultAdminPassword + "\n");
        Assert.True(login.ExitCode == 0, login.ToString());
        return cli;
    }

    private static async Task WaitUntilStaleAsync(Cli cli, TestNode node, TimeSpan window)
    {
        var session = await new GreyOSClient(node.Http) { Credential = cli.StoredCredential(node.BaseAddress) }.GetSessionAsync(Ct);
        var wait = session.FreshUntil - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(200);
        Assert.True(wait <= window + TimeSpan.FromSeconds(1), $"the session is fresh for {wait}: the short window did not apply");
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, Ct);
        }
    }
}
