using System.Security.Cryptography;
using System.Text;
using GreyOS.Abstractions.Errors;
using GreyOS.Abstractions.Identity;
using GreyOS.Abstractions.Storage;
using GreyOS.Testing;

namespace GreyOS.Identity.Tests;

/// <summary>App passwords and HTTP Basic verification for /dav, on a real SQLite database.</summary>
public sealed class AppPasswordTests
{
    private const string Password = "correct-horse-battery";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Create_SecretHas160BitsShownOnceStoredAsSha256Only()
    {
        using var temp = new TempDirectory();
        await using var harness = await IdentityHarness.StartAsync(temp.Path, Password);
        var admin = (await harness.Get<IUserDirectory>().FindUserAsync("admin", Ct))!;
        var service = harness.Get<IAppPasswordService>();

        var created = (await service.CreateAsync(admin.Id, " laptop davfs2 ", admin.Id, Ct)).Value;
        var other = (await service.CreateAsync(admin.Id, "phone", admin.Id, Ct)).Value;
        var listed = await service.ListAsync(admin.Id, Ct);
        var stored = await StoredHashesAsync(harness);

        Assert.Matches("^[a-km-np-z2-9]{4}(-[a-km-np-z2-9]{4}){7}$", created.Secret);
        Assert.NotEqual(created.Secret, other.Secret);
        Assert.Equal("laptop davfs2", created.Record.Label);
        Assert.Equal(["phone", "laptop davfs2"], listed.Select(l => l.Label));
        Assert.Contains(stored, h => h.SequenceEqual(SHA256.HashData(Encoding.UTF8.GetBytes(created.Secret))));
        Assert.All(stored, h => Assert.Equal(32, h.Length));
    }

    [Fact]
    public async Task Authenticate_AppPasswordUntilRevoked_NotAnotherUsers()
    {
        using var temp = new TempDirectory();
        await using var harness = await IdentityHarness.StartAsync(temp.Path, Password);
        var directory = harness.Get<IUserDirectory>();
        var admin = (await directory.FindUserAsync("admin", Ct))!;
        await directory.CreateUserAsync(new NewUser("carol", Password: "carol-password-1", Roles: ["user"]), admin.Id, Ct);
        var service = harness.Get<IAppPasswordService>();
        var basic = harness.Get<IBasicAuthenticator>();
        var created = (await service.CreateAsync(admin.Id, "nas", admin.Id, Ct)).Value;

        var ok = await basic.AuthenticateAsync("ADMIN", created.Secret.ToUpperInvariant(), IdentityTestKit.Client, Ct);
        var asCarol = await basic.AuthenticateAsync("carol", created.Secret, IdentityTestKit.Client, Ct);
        var revoked = await service.RevokeAsync(created.Record.Id, admin.Id, admin.Id, Ct);
        var afterRevoke = await basic.AuthenticateAsync("admin", created.Secret, IdentityTestKit.Client, Ct);
        var notMine = await service.RevokeAsync(created.Record.Id, "usr_someone_else", "usr_someone_else", Ct);

        Assert.Equal((admin.Id, "admin", created.Record.Id), (ok.Value.UserId, ok.Value.UserName, ok.Value.AppPasswordId));
        Assert.Contains(Permissions.All, ok.Value.Permissions);
        Assert.Equal(ErrorCodes.InvalidCredentials, asCarol.Error?.Code);
        Assert.NotNull(revoked.Value.RevokedAt);
        Assert.Equal(ErrorCodes.InvalidCredentials, afterRevoke.Error?.Code);
        Assert.Equal(ErrorCodes.AppPasswordNotFound, notMine.Error?.Code);
        Assert.NotNull((await service.ListAsync(admin.Id, Ct)).Single().LastUsedAt);
    }

    [Fact]
    public async Task DisablingOrDeletingTheUser_RevokesOrRemovesTheirAppPasswords()
    {
        using var temp = new TempDirectory();
        await using var harness = await IdentityHarness.StartAsync(temp.Path, Password);
        var directory = harness.Get<IUserDirectory>();
        var admin = (await directory.FindUserAsync("admin", Ct))!;
        var carol = (await directory.CreateUserAsync(new NewUser("carol", Password: "carol-password-1", Roles: ["user"]), admin.Id, Ct)).Value;
        var service = harness.Get<IAppPasswordService>();
        var secret = (await service.CreateAsync(carol.Id, "laptop", carol.Id, Ct)).Value.Secret;

        await directory.UpdateUserAsync("carol", new UserChange(Status: UserStatus.Disabled), admin.Id, Ct);
        await directory.UpdateUserAsync("carol", new UserChange(Status: UserStatus.Active), admin.Id, Ct);
        var afterReenable = await harness.Get<IBasicAuthenticator>().AuthenticateAsync("carol", secret, IdentityTestKit.Client, Ct);
        var revokedAt = (await service.ListAsync(carol.Id, Ct)).Single().RevokedAt;
        await directory.DeleteUserAsync("carol", admin.Id, Ct);

        Assert.Equal(ErrorCodes.InvalidCredentials, afterReenable.Error?.Code);
        Assert.NotNull(revokedAt);
        Assert.Empty(await service.ListAsync(carol.Id, Ct));
    }

    [Fact]
    public async Task Create_LabelRulesAndLimitPerUser()
    {
        using var temp = new TempDirectory();
        await using var harness = await IdentityHarness.StartAsync(temp.Path, Password);
        var admin = (await harness.Get<IUserDirectory>().FindUserAsync("admin", Ct))!;
        var service = harness.Get<IAppPasswordService>();

        var empty = await service.CreateAsync(admin.Id, "  ", admin.Id, Ct);
        var control = await service.CreateAsync(admin.Id, "a\nb", admin.Id, Ct);
        for (var i = 0; i < IAppPasswordService.MaxPerUser; i++)
        {
            Assert.True((await service.CreateAsync(admin.Id, $"device {i}", admin.Id, Ct)).IsSuccess);
        }

        var overLimit = await service.CreateAsync(admin.Id, "one too many", admin.Id, Ct);

        Assert.Equal(ErrorCodes.InvalidRequest, empty.Error?.Code);
        Assert.Equal(ErrorCodes.InvalidRequest, control.Error?.Code);
        Assert.Equal(ErrorCodes.AppPasswordLimit, overLimit.Error?.Code);
    }

    [Fact]
    public async Task AccountPassword_ThrottledAfterFailures_AppPasswordStillWorks()
    {
        using var temp = new TempDirectory();
        await using var harness = await IdentityHarness.StartAsync(temp.Path, Password);
        var admin = (await harness.Get<IUserDirectory>().FindUserAsync("admin", Ct))!;
        var basic = harness.Get<IBasicAuthenticator>();
        var secret = (await harness.Get<IAppPasswordService>().CreateAsync(admin.Id, "laptop", admin.Id, Ct)).Value.Secret;

        for (var i = 0; i < 6; i++)
        {
            await basic.AuthenticateAsync("admin", "wrong-password-" + i, IdentityTestKit.Client, Ct);
        }

        var throttled = await basic.AuthenticateAsync("admin", Password, IdentityTestKit.Client, Ct);
        var appPassword = await basic.AuthenticateAsync("admin", secret, IdentityTestKit.Client, Ct);
        harness.Time.Advance(TimeSpan.FromMinutes(20));
        var afterWait = await basic.AuthenticateAsync("admin", Password, IdentityTestKit.Client, Ct);

        Assert.Equal(ErrorCodes.LoginThrottled, throttled.Error?.Code);
        Assert.NotNull(throttled.Error!.RetryAfter);
        Assert.True(appPassword.IsSuccess);
        Assert.True(afterWait.IsSuccess);
    }

    [Fact]
    public async Task AccountPassword_CachedSuccess_EndsWhenThePasswordChangesOrTheUserIsDisabled()
    {
        using var temp = new TempDirectory();
        await using var harness = await IdentityHarness.StartAsync(temp.Path, Password);
        var directory = harness.Get<IUserDirectory>();
        var admin = (await directory.FindUserAsync("admin", Ct))!;
        await directory.CreateUserAsync(new NewUser("carol", Password: "carol-password-1", Roles: ["user"]), admin.Id, Ct);
        var basic = harness.Get<IBasicAuthenticator>();

        var first = await basic.AuthenticateAsync("carol", "carol-password-1", IdentityTestKit.Client, Ct);
        var cached = await basic.AuthenticateAsync("carol", "carol-password-1", IdentityTestKit.Client, Ct);
        await directory.SetPasswordAsync("carol", "carol-password-2", admin.Id, Ct);
        var oldAfterChange = await basic.AuthenticateAsync("carol", "carol-password-1", IdentityTestKit.Client, Ct);
        var fresh = await basic.AuthenticateAsync("carol", "carol-password-2", IdentityTestKit.Client, Ct);
        await directory.UpdateUserAsync("carol", new UserChange(Status: UserStatus.Disabled), admin.Id, Ct);
        var disabled = await basic.AuthenticateAsync("carol", "carol-password-2", IdentityTestKit.Client, Ct);

        Assert.True(first.IsSuccess);
        Assert.True(cached.IsSuccess);
        Assert.Null(cached.Value.AppPasswordId);
        Assert.Equal(ErrorCodes.InvalidCredentials, oldAfterChange.Error?.Code);
        Assert.True(fresh.IsSuccess);
        Assert.Equal(ErrorCodes.InvalidCredentials, disabled.Error?.Code);
    }

    private static async Task<List<byte[]>> StoredHashesAsync(IdentityHarness harness)
    {
        await using var connection = await harness.Get<IDatabase>().OpenConnectionAsync(Ct);
        await using var select = connection.CreateCommand("SELECT secret_hash FROM app_passwords;");
        await using var reader = await select.ExecuteReaderAsync(Ct);
        var hashes = new List<byte[]>();
        while (await reader.ReadAsync(Ct))
        {
            hashes.Add((byte[])reader.GetValue(0));
        }

        return hashes;
    }
}
