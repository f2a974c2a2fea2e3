using GreyOS.Abstractions.Errors;
using GreyOS.Abstractions.Identity;
using GreyOS.Testing;

namespace GreyOS.Identity.Tests;

public sealed class SessionServiceTests
{
    private const string Password = "correct-horse-battery";

    [Fact]
    public async Task Login_RightPassword_OpensSessionThatValidates()
    {
        using var temp = new TempDirectory();
        await using var harness = await IdentityHarness.StartAsync(temp.Path, Password);
        var sessions = harness.Get<ISessionService>();
        var ct = TestContext.Current.CancellationToken;

        var login = await sessions.LoginAsync("admin", Password, ct);

        Assert.True(login.IsSuccess);
        Assert.StartsWith("gos_", login.Value.Token, StringComparison.Ordinal);
        var principal = await sessions.ValidateAsync(login.Value.Token, ct);
        Assert.Equal(login.Value.Principal, principal);
        Assert.Equal("admin", principal!.Role);
    }

    [Fact]
    public async Task Login_UserNameInOtherCase_Succeeds()
    {
        using var temp = new TempDirectory();
        await using var harness = await IdentityHarness.StartAsync(temp.Path, Password);

        Assert.True((await harness.Get<ISessionService>().LoginAsync("ADMIN", Password, TestContext.Current.CancellationToken)).IsSuccess);
    }

    [Fact]
    public async Task Login_WrongPasswordOrUnknownUser_SameErrorForBoth()
    {
        using var temp = new TempDirectory();
        await using var harness = await IdentityHarness.StartAsync(temp.Path, Password);
        var sessions = harness.Get<ISessionService>();
        var ct = TestContext.Current.CancellationToken;

        var wrongPassword = await sessions.LoginAsync("admin", "wrong-password-123", ct);
        var unknownUser = await sessions.LoginAsync("nobody", Password, ct);

        Assert.Equal(ErrorCodes.InvalidCredentials, wrongPassword.Error?.Code);
        Assert.Equal(wrongPassword.Error, unknownUser.Error);
    }

    [Fact]
    public async Task Login_AdminWithoutPasswordYet_Refused()
    {
        using var temp = new TempDirectory();
        await using var harness = await IdentityHarness.StartAsync(temp.Path);

        var login = await harness.Get<ISessionService>().LoginAsync("admin", "", TestContext.Current.CancellationToken);

        Assert.Equal(ErrorCodes.InvalidCredentials, login.Error?.Code);
    }

    [Fact]
    public async Task Validate_AfterRevoke_ReturnsNull()
    {
        using var temp = new TempDirectory();
        await using var harness = await IdentityHarness.StartAsync(temp.Path, Password);
        var sessions = harness.Get<ISessionService>();
        var ct = TestContext.Current.CancellationToken;
        var login = (await sessions.LoginAsync("admin", Password, ct)).Value;

        await sessions.RevokeAsync(login.Principal.SessionId, ct);

        Assert.Null(await sessions.ValidateAsync(login.Token, ct));
    }

    [Fact]
    public async Task Validate_AfterLifetime_ReturnsNull()
    {
        using var temp = new TempDirectory();
        await using var harness = await IdentityHarness.StartAsync(temp.Path, Password);
        var sessions = harness.Get<ISessionService>();
        var ct = TestContext.Current.CancellationToken;
        var login = (await sessions.LoginAsync("admin", Password, ct)).Value;

        harness.Time.Advance(new IdentityOptions().SessionLifetime - TimeSpan.FromSeconds(1));
        Assert.NotNull(await sessions.ValidateAsync(login.Token, ct));
        harness.Time.Advance(TimeSpan.FromSeconds(2));
        Assert.Null(await sessions.ValidateAsync(login.Token, ct));
    }

    [Theory]
    [InlineData("")]
    [InlineData("gos_")]
    [InlineData("gos_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("not-a-token")]
    public async Task Validate_ForgedToken_ReturnsNull(string token)
    {
        using var temp = new TempDirectory();
        await using var harness = await IdentityHarness.StartAsync(temp.Path, Password);

        Assert.Null(await harness.Get<ISessionService>().ValidateAsync(token, TestContext.Current.CancellationToken));
    }
}
