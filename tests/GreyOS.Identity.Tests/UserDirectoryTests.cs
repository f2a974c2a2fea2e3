using GreyOS.Abstractions.Errors;
using GreyOS.Abstractions.Identity;
using GreyOS.Testing;

namespace GreyOS.Identity.Tests;

public sealed class UserDirectoryTests
{
    private const string Password = "correct-horse-battery";

    [Fact]
    public async Task CreateUser_DefaultsToUserRole_LogsInWithItsPassword()
    {
        using var temp = new TempDirectory();
        await using var harness = await IdentityHarness.StartAsync(temp.Path, Password);
        var directory = harness.Get<IUserDirectory>();
        var ct = TestContext.Current.CancellationToken;

        var created = await directory.CreateUserAsync(new NewUser("Bob", "Bob B.", "bobs-password-1", QuotaBytes: 1024), "test", ct);

        Assert.True(created.IsSuccess, created.Error?.Message);
        Assert.Equal(["user"], created.Value.Roles);
        Assert.Equal((UserStatus.Active, 1024L, "Bob B."), (created.Value.Status, created.Value.QuotaBytes, created.Value.DisplayName));
        Assert.StartsWith("usr_", created.Value.Id, StringComparison.Ordinal);
        Assert.True((await harness.Get<ISessionService>().LoginAsync("bob", "bobs-password-1", ct)).IsSuccess);
        Assert.Equal(new HashSet<string> { Permissions.ProcessesRun, Permissions.ModulesUpload }, await directory.PermissionsOfAsync(created.Value.Id, ct));
    }

    [Theory]
    [InlineData("")]
    [InlineData("../etc")]
    [InlineData("a b")]
    [InlineData("system")]
    [InlineData("-dash")]
    [InlineData("x\u0000y")]
    [InlineData("ünïcode")]
    public async Task CreateUser_BadName_RefusedAndNothingCreated(string name)
    {
        using var temp = new TempDirectory();
        await using var harness = await IdentityHarness.StartAsync(temp.Path, Password);
        var directory = harness.Get<IUserDirectory>();
        var ct = TestContext.Current.CancellationToken;

        var created = await directory.CreateUserAsync(new NewUser(name), "test", ct);

        Assert.Equal(ErrorCodes.InvalidRequest, created.Error?.Code);
        Assert.Single(await directory.ListUsersAsync(ct));
    }

    [Fact]
    public async Task CreateUser_DuplicateNameAnyCaseUnknownRoleWeakPassword_Refused()
    {
        using var temp = new TempDirectory();
        await using var harness = await IdentityHarness.StartAsync(temp.Path, Password);
        var directory = harness.Get<IUserDirectory>();
        var ct = TestContext.Current.CancellationToken;

        var duplicate = await directory.CreateUserAsync(new NewUser("ADMIN"), "test", ct);
        var unknownRole = await directory.CreateUserAsync(new NewUser("carol", Roles: ["wizard"]), "test", ct);
        var weak = await directory.CreateUserAsync(new NewUser("dave", Password: "short"), "test", ct);

        Assert.Equal(ErrorCodes.UserExists, duplicate.Error?.Code);
        Assert.Equal(ErrorCodes.RoleNotFound, unknownRole.Error?.Code);
        Assert.Equal(ErrorCodes.PasswordPolicy, weak.Error?.Code);
        Assert.Single(await directory.ListUsersAsync(ct));
    }

    [Fact]
    public async Task LastAdmin_CannotBeDemotedDisabledOrDeleted()
    {
        using var temp = new TempDirectory();
        await using var harness = await IdentityHarness.StartAsync(temp.Path, Password);
        var directory = harness.Get<IUserDirectory>();
        var ct = TestContext.Current.CancellationToken;

        var demote = await directory.UpdateUserAsync("admin", new UserChange(Roles: ["user"]), "test", ct);
        var disable = await directory.UpdateUserAsync("admin", new UserChange(Status: UserStatus.Disabled), "test", ct);
        var delete = await directory.DeleteUserAsync("admin", "test", ct);
        await directory.CreateUserAsync(new NewUser("root2", Roles: ["admin"]), "test", ct);
        var afterSecondAdmin = await directory.UpdateUserAsync("admin", new UserChange(Roles: ["user"]), "test", ct);

        Assert.All([demote, disable, delete], r => Assert.Equal(ErrorCodes.LastAdmin, r.Error?.Code));
        Assert.True(afterSecondAdmin.IsSuccess);
    }

    [Fact]
    public async Task Groups_NestedMembershipResolvedTransitively()
    {
        using var temp = new TempDirectory();
        await using var harness = await IdentityHarness.StartAsync(temp.Path, Password);
        var directory = harness.Get<IUserDirectory>();
        var ct = TestContext.Current.CancellationToken;
        var bob = (await directory.CreateUserAsync(new NewUser("bob"), "test", ct)).Value;
        var staff = (await directory.CreateGroupAsync("staff", "test", ct)).Value;
        var devs = (await directory.CreateGroupAsync("devs", "test", ct)).Value;
        var backend = (await directory.CreateGroupAsync("backend", "test", ct)).Value;

        await directory.AddMemberAsync("staff", GroupMemberKind.Group, "devs", "test", ct);
        await directory.AddMemberAsync("devs", GroupMemberKind.Group, "backend", "test", ct);
        var added = await directory.AddMemberAsync("backend", GroupMemberKind.User, "bob", "test", ct);

        Assert.Equal(new[] { backend.Id, devs.Id, staff.Id }.Order(StringComparer.Ordinal), (await directory.GroupsOfUserAsync(bob.Id, ct)).Order(StringComparer.Ordinal));
        Assert.Equal("bob", Assert.Single(added.Value.Members).Name);
        await directory.RemoveMemberAsync("devs", GroupMemberKind.Group, "backend", "test", ct);
        Assert.Equal([backend.Id], await directory.GroupsOfUserAsync(bob.Id, ct));
    }

    [Fact]
    public async Task Groups_CycleOrSelfMembership_Refused()
    {
        using var temp = new TempDirectory();
        await using var harness = await IdentityHarness.StartAsync(temp.Path, Password);
        var directory = harness.Get<IUserDirectory>();
        var ct = TestContext.Current.CancellationToken;
        foreach (var name in new[] { "a", "b", "c" })
        {
            await directory.CreateGroupAsync(name, "test", ct);
        }

        await directory.AddMemberAsync("a", GroupMemberKind.Group, "b", "test", ct);
        await directory.AddMemberAsync("b", GroupMemberKind.Group, "c", "test", ct);
        var cycle = await directory.AddMemberAsync("c", GroupMemberKind.Group, "a", "test", ct);
        var self = await directory.AddMemberAsync("a", GroupMemberKind.Group, "a", "test", ct);
        var duplicate = await directory.CreateGroupAsync("A", "test", ct);

        Assert.Equal(ErrorCodes.GroupCycle, cycle.Error?.Code);
        Assert.Equal(ErrorCodes.GroupCycle, self.Error?.Code);
        Assert.Equal(ErrorCodes.GroupExists, duplicate.Error?.Code);
        Assert.Empty((await directory.FindGroupAsync("c", ct))!.Members);
    }

    [Fact]
    public async Task Roles_CustomRoleGrantsItsPermissions_BuiltInsImmutable()
    {
        using var temp = new TempDirectory();
        await using var harness = await IdentityHarness.StartAsync(temp.Path, Password);
        var directory = harness.Get<IUserDirectory>();
        var ct = TestContext.Current.CancellationToken;

        var auditor = await directory.SaveRoleAsync("auditor", [Permissions.AuditRead, "users.*"], "test", ct);
        var unknown = await directory.SaveRoleAsync("bad", ["fs.root"], "test", ct);
        var builtIn = await directory.SaveRoleAsync("admin", [], "test", ct);
        var deleteBuiltIn = await directory.DeleteRoleAsync("guest", "test", ct);
        var eve = (await directory.CreateUserAsync(new NewUser("eve", Roles: ["auditor", "guest"]), "test", ct)).Value;
        var permissions = await directory.PermissionsOfAsync(eve.Id, ct);
        await directory.DeleteRoleAsync("auditor", "test", ct);

        Assert.True(auditor.IsSuccess, auditor.Error?.Message);
        Assert.Equal(ErrorCodes.InvalidRequest, unknown.Error?.Code);
        Assert.Equal(ErrorCodes.RoleBuiltIn, builtIn.Error?.Code);
        Assert.Equal(ErrorCodes.RoleBuiltIn, deleteBuiltIn.Error?.Code);
        Assert.True(Permissions.Grants(permissions, Permissions.UsersWrite));
        Assert.False(Permissions.Grants(permissions, Permissions.GroupsWrite));
        Assert.Equal(["guest"], (await directory.FindUserAsync("eve", ct))!.Roles);
    }

    [Fact]
    public async Task SetPassword_ChangesBothPasswordAndSrpVerifier()
    {
        using var temp = new TempDirectory();
        await using var harness = await IdentityHarness.StartAsync(temp.Path, Password);
        var directory = harness.Get<IUserDirectory>();
        var sessions = harness.Get<ISessionService>();
        var ct = TestContext.Current.CancellationToken;

        await directory.SetPasswordAsync("admin", "a-new-password-2", "test", ct);
        var start = (await sessions.StartSrpAsync("admin", ct)).Value;
        var srp = GreyOS.Client.Srp.SrpClient.Respond("admin", "a-new-password-2", start.Salt, start.ServerPublic)!;

        Assert.False((await sessions.LoginAsync("admin", Password, ct)).IsSuccess);
        Assert.True((await sessions.LoginAsync("admin", "a-new-password-2", ct)).IsSuccess);
        Assert.True((await sessions.FinishSrpAsync(start.SrpId, srp.A, srp.M1, null, IdentityTestKit.Client, ct)).IsSuccess);
    }

    [Fact]
    public async Task DeleteUser_RemovesSessionsDevicesAndMemberships()
    {
        using var temp = new TempDirectory();
        await using var harness = await IdentityHarness.StartAsync(temp.Path, Password);
        var directory = harness.Get<IUserDirectory>();
        var sessions = harness.Get<ISessionService>();
        var ct = TestContext.Current.CancellationToken;
        var bob = (await directory.CreateUserAsync(new NewUser("bob", Password: Password), "test", ct)).Value;
        await directory.CreateGroupAsync("g", "test", ct);
        await directory.AddMemberAsync("g", GroupMemberKind.User, "bob", "test", ct);
        var login = await sessions.LoginDeviceAsync("bob", Password, new TestKey(), ct);

        await directory.DeleteUserAsync("bob", "test", ct);

        Assert.Null(await directory.FindUserAsync("bob", ct));
        Assert.Empty((await directory.FindGroupAsync("g", ct))!.Members);
        Assert.Empty(await sessions.ListDevicesAsync(bob.Id, ct));
        Assert.Empty(await sessions.ListSessionsAsync(bob.Id, ct));
        Assert.NotNull(login);
    }
}
