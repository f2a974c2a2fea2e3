using GreyOS.Abstractions.Errors;
using GreyOS.Abstractions.Identity;
using GreyOS.Client.Srp;
using GreyOS.Testing;

namespace GreyOS.Identity.Tests;

public sealed class SessionServiceTests
{
    private const string Password = "correct-horse-battery";

    [Fact]
    public async Task PasswordLogin_WithoutDevice_BrowserSessionWhoseCookieAuthenticates()
    {
        using var temp = new TempDirectory();
        await using var harness = await IdentityHarness.StartAsync(temp.Path, Password);
        var sessions = harness.Get<ISessionService>();
        var ct = TestContext.Current.CancellationToken;

        var login = (await sessions.LoginAsync("admin", Password, ct)).Value;

        Assert.Equal(SessionKind.Browser, login.Principal.Kind);
        Assert.StartsWith("gos_", login.CookieToken, StringComparison.Ordinal);
        Assert.Equal(sessions.CsrfTokenFor(login.Principal.SessionId), login.CsrfToken);
        var principal = await sessions.AuthenticateCookieAsync(login.CookieToken!, ct);
        Assert.Equal(login.Principal.SessionId, principal!.SessionId);
        Assert.Contains(BuiltInRoles.Admin, principal.Roles);
        Assert.Contains(Permissions.All, principal.Permissions);
    }

    [Fact]
    public async Task CsrfToken_DiffersPerSession()
    {
        using var temp = new TempDirectory();
        await using var harness = await IdentityHarness.StartAsync(temp.Path, Password);
        var sessions = harness.Get<ISessionService>();

        Assert.NotEqual(sessions.CsrfTokenFor("ses_a"), sessions.CsrfTokenFor("ses_b"));
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
    public async Task Cookie_AfterRevokeOrLifetime_NoLongerAuthenticates()
    {
        using var temp = new TempDirectory();
        await using var harness = await IdentityHarness.StartAsync(temp.Path, Password);
        var sessions = harness.Get<ISessionService>();
        var ct = TestContext.Current.CancellationToken;
        var revoked = (await sessions.LoginAsync("admin", Password, ct)).Value;
        var expiring = (await sessions.LoginAsync("admin", Password, ct)).Value;

        await sessions.RevokeSessionAsync(revoked.Principal.SessionId, null, "test", ct);
        harness.Time.Advance(new IdentityOptions().SessionLifetime - TimeSpan.FromSeconds(1));
        Assert.NotNull(await sessions.AuthenticateCookieAsync(expiring.CookieToken!, ct));
        harness.Time.Advance(TimeSpan.FromSeconds(2));

        Assert.Null(await sessions.AuthenticateCookieAsync(revoked.CookieToken!, ct));
        Assert.Null(await sessions.AuthenticateCookieAsync(expiring.CookieToken!, ct));
    }

    [Theory]
    [InlineData("")]
    [InlineData("gos_")]
    [InlineData("gos_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("not-a-token")]
    public async Task Cookie_Forged_DoesNotAuthenticate(string token)
    {
        using var temp = new TempDirectory();
        await using var harness = await IdentityHarness.StartAsync(temp.Path, Password);

        Assert.Null(await harness.Get<ISessionService>().AuthenticateCookieAsync(token, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task DeviceLogin_SignedRequest_Authenticates()
    {
        using var temp = new TempDirectory();
        await using var harness = await IdentityHarness.StartAsync(temp.Path, Password);
        var sessions = harness.Get<ISessionService>();
        var ct = TestContext.Current.CancellationToken;
        var key = new TestKey();

        var login = await sessions.LoginDeviceAsync("admin", Password, key, ct);
        var result = await sessions.AuthenticateSignatureAsync(IdentityTestKit.Signed(key, login.Principal.SessionId, harness.Time.GetUtcNow()), IdentityTestKit.Client, ct);

        Assert.Equal(SessionKind.Device, login.Principal.Kind);
        Assert.Null(login.CookieToken);
        Assert.Equal(key.Did, login.Device!.Did);
        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal(login.Device.Id, result.Value.DeviceId);
    }

    [Fact]
    public async Task SignedRequest_ReplayedStaleForgedOrRevoked_RefusedUniformly()
    {
        using var temp = new TempDirectory();
        await using var harness = await IdentityHarness.StartAsync(temp.Path, Password);
        var sessions = harness.Get<ISessionService>();
        var ct = TestContext.Current.CancellationToken;
        var key = new TestKey();
        var login = await sessions.LoginDeviceAsync("admin", Password, key, ct);
        var session = login.Principal.SessionId;
        var now = harness.Time.GetUtcNow();

        var first = IdentityTestKit.Signed(key, session, now, nonce: "nonce-nonce-nonce-1");
        Assert.True((await sessions.AuthenticateSignatureAsync(first, IdentityTestKit.Client, ct)).IsSuccess);
        var refused = new List<Result<SessionPrincipal>>
        {
            await sessions.AuthenticateSignatureAsync(first, IdentityTestKit.Client, ct), // replay
            await sessions.AuthenticateSignatureAsync(IdentityTestKit.Signed(key, session, now - TimeSpan.FromMinutes(6)), IdentityTestKit.Client, ct), // stale
            await sessions.AuthenticateSignatureAsync(IdentityTestKit.Signed(key, session, now + TimeSpan.FromMinutes(6)), IdentityTestKit.Client, ct), // future
            await sessions.AuthenticateSignatureAsync(IdentityTestKit.Signed(new TestKey(), session, now), IdentityTestKit.Client, ct), // other key
            await sessions.AuthenticateSignatureAsync(IdentityTestKit.Signed(key, "ses_00000000000000000000000000000000", now), IdentityTestKit.Client, ct), // unknown session
            await sessions.AuthenticateSignatureAsync(IdentityTestKit.Signed(key, session, now, nonce: "short"), IdentityTestKit.Client, ct), // bad nonce
            await sessions.AuthenticateSignatureAsync(IdentityTestKit.Signed(key, "../../etc", now), IdentityTestKit.Client, ct), // malformed keyid
        };
        await sessions.RevokeDeviceAsync(login.Device!.Id, null, "test", ct);
        refused.Add(await sessions.AuthenticateSignatureAsync(IdentityTestKit.Signed(key, session, now), IdentityTestKit.Client, ct)); // revoked device

        Assert.All(refused, r => Assert.Equal((ErrorCodes.InvalidSignature, "the request signature is not valid"), (r.Error?.Code, r.Error?.Message)));
        var audit = await harness.Get<IIdentityAudit>().ListAsync(null, 100, ct);
        Assert.Contains(audit, e => e.Event == "signature.rejected" && e.Detail!.Contains("replayed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task KeyLogin_RegisteredDeviceSignsChallenge_OpensSessionOnce()
    {
        using var temp = new TempDirectory();
        await using var harness = await IdentityHarness.StartAsync(temp.Path, Password);
        var sessions = harness.Get<ISessionService>();
        var ct = TestContext.Current.CancellationToken;
        var key = new TestKey();
        var first = await sessions.LoginDeviceAsync("admin", Password, key, ct);

        var challenge = await sessions.CreateChallengeAsync(ct);
        var login = await sessions.LoginWithKeyAsync(challenge.ChallengeId, key.Did, key.SignChallenge(challenge), IdentityTestKit.Client, ct);
        var reused = await sessions.LoginWithKeyAsync(challenge.ChallengeId, key.Did, key.SignChallenge(challenge), IdentityTestKit.Client, ct);

        Assert.True(login.IsSuccess, login.Error?.Message);
        Assert.Equal(first.Device!.Id, login.Value.Principal.DeviceId);
        Assert.NotEqual(first.Principal.SessionId, login.Value.Principal.SessionId);
        Assert.Equal(ErrorCodes.InvalidCredentials, reused.Error?.Code);
    }

    [Fact]
    public async Task KeyLogin_UnknownKeyWrongMessageOrExpiredChallenge_Refused()
    {
        using var temp = new TempDirectory();
        await using var harness = await IdentityHarness.StartAsync(temp.Path, Password);
        var sessions = harness.Get<ISessionService>();
        var ct = TestContext.Current.CancellationToken;
        var key = new TestKey();
        await sessions.LoginDeviceAsync("admin", Password, key, ct);
        var stranger = new TestKey();

        var c1 = await sessions.CreateChallengeAsync(ct);
        var unknownKey = await sessions.LoginWithKeyAsync(c1.ChallengeId, stranger.Did, stranger.SignChallenge(c1), IdentityTestKit.Client, ct);
        var c2 = await sessions.CreateChallengeAsync(ct);
        var otherNode = await sessions.LoginWithKeyAsync(c2.ChallengeId, key.Did, key.SignChallenge(c2 with { NodeDid = stranger.Did }), IdentityTestKit.Client, ct);
        var c3 = await sessions.CreateChallengeAsync(ct);
        var forgedDid = await sessions.LoginWithKeyAsync(c3.ChallengeId, "did:key:z6MkNotARealKey", key.SignChallenge(c3), IdentityTestKit.Client, ct);
        var c4 = await sessions.CreateChallengeAsync(ct);
        harness.Time.Advance(TimeSpan.FromSeconds(61));
        var expired = await sessions.LoginWithKeyAsync(c4.ChallengeId, key.Did, key.SignChallenge(c4), IdentityTestKit.Client, ct);

        Assert.All([unknownKey, otherNode, forgedDid, expired], r => Assert.Equal(ErrorCodes.InvalidCredentials, r.Error?.Code));
    }

    [Fact]
    public async Task Srp_RightPassword_SessionAndServerProofVerifies()
    {
        using var temp = new TempDirectory();
        await using var harness = await IdentityHarness.StartAsync(temp.Path, Password);
        var sessions = harness.Get<ISessionService>();
        var ct = TestContext.Current.CancellationToken;

        var start = (await sessions.StartSrpAsync("Admin", ct)).Value;
        var client = SrpClient.Respond("Admin", Password, start.Salt, start.ServerPublic)!;
        var finish = await sessions.FinishSrpAsync(start.SrpId, client.A, client.M1, null, IdentityTestKit.Client, ct);

        Assert.True(finish.IsSuccess, finish.Error?.Message);
        Assert.True(client.TryVerifyServer(finish.Value.ServerProof, out _));
        Assert.NotNull(await sessions.AuthenticateCookieAsync(finish.Value.Login.CookieToken!, ct));
    }

    [Fact]
    public async Task Srp_WrongPasswordOrUnknownUser_RefusedAlike()
    {
        using var temp = new TempDirectory();
        await using var harness = await IdentityHarness.StartAsync(temp.Path, Password);
        var sessions = harness.Get<ISessionService>();
        var ct = TestContext.Current.CancellationToken;

        var real = (await sessions.StartSrpAsync("admin", ct)).Value;
        var wrong = SrpClient.Respond("admin", "wrong-password-1", real.Salt, real.ServerPublic)!;
        var wrongResult = await sessions.FinishSrpAsync(real.SrpId, wrong.A, wrong.M1, null, IdentityTestKit.Client, ct);
        var decoy = (await sessions.StartSrpAsync("nobody", ct)).Value;
        var decoyAgain = (await sessions.StartSrpAsync("nobody", ct)).Value;
        var guess = SrpClient.Respond("nobody", Password, decoy.Salt, decoy.ServerPublic)!;
        var decoyResult = await sessions.FinishSrpAsync(decoy.SrpId, guess.A, guess.M1, null, IdentityTestKit.Client, ct);

        Assert.Equal(wrongResult.Error, decoyResult.Error);
        Assert.Equal(ErrorCodes.InvalidCredentials, decoyResult.Error?.Code);
        Assert.Equal(decoy.Salt, decoyAgain.Salt); // a decoy salt is stable per name, like a real one
        Assert.Equal((real.Salt.Length, real.ServerPublic.Length), (decoy.Salt.Length, decoy.ServerPublic.Length));
    }

    [Fact]
    public async Task Lockout_AfterFiveFailures_BacksOffThenRecovers()
    {
        using var temp = new TempDirectory();
        await using var harness = await IdentityHarness.StartAsync(temp.Path, Password);
        var sessions = harness.Get<ISessionService>();
        var ct = TestContext.Current.CancellationToken;

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(ErrorCodes.InvalidCredentials, (await sessions.LoginAsync("admin", "wrong-password-1", ct)).Error?.Code);
        }

        var throttled = await sessions.LoginAsync("admin", Password, ct); // even the right password waits
        harness.Time.Advance(TimeSpan.FromSeconds(1.5));
        var after = await sessions.LoginAsync("admin", Password, ct);

        Assert.Equal(ErrorCodes.LoginThrottled, throttled.Error?.Code);
        Assert.NotNull(throttled.Error!.RetryAfter);
        Assert.True(after.IsSuccess, after.Error?.Message);
    }

    [Fact]
    public async Task Lockout_BackOffDoublesAndIsCapped_UnknownNamesAlike()
    {
        using var temp = new TempDirectory();
        await using var harness = await IdentityHarness.StartAsync(temp.Path, Password);
        var sessions = harness.Get<ISessionService>();
        var ct = TestContext.Current.CancellationToken;
        TimeSpan? last = null;

        for (var i = 0; i < 8; i++)
        {
            var attempt = await sessions.LoginAsync("nobody", "wrong-password-1", ct);
            if (attempt.Error?.Code == ErrorCodes.LoginThrottled)
            {
                last = attempt.Error.RetryAfter;
                harness.Time.Advance(last!.Value);
            }
        }

        var throttle = harness.Get<GreyOS.Identity.Sessions.LoginThrottle>();
        Assert.NotNull(last);
        Assert.Equal(TimeSpan.FromSeconds(4), throttle.Delay(7));
        Assert.Equal(new IdentityOptions().LockoutMaxDelay, throttle.Delay(1000));
    }

    [Fact]
    public async Task StepUp_AfterWindow_PasswordRefreshesFreshness()
    {
        using var temp = new TempDirectory();
        await using var harness = await IdentityHarness.StartAsync(temp.Path, Password);
        var sessions = harness.Get<ISessionService>();
        var ct = TestContext.Current.CancellationToken;
        var key = new TestKey();
        var login = await sessions.LoginDeviceAsync("admin", Password, key, ct);
        harness.Time.Advance(TimeSpan.FromMinutes(6));

        var stale = await sessions.AuthenticateSignatureAsync(IdentityTestKit.Signed(key, login.Principal.SessionId, harness.Time.GetUtcNow()), IdentityTestKit.Client, ct);
        var wrong = await sessions.StepUpWithPasswordAsync(login.Principal.SessionId, "wrong-password-1", IdentityTestKit.Client, ct);
        var stepped = await sessions.StepUpWithPasswordAsync(login.Principal.SessionId, Password, IdentityTestKit.Client, ct);
        var challenge = await sessions.CreateChallengeAsync(ct);
        var byKey = await sessions.StepUpWithKeyAsync(login.Principal.SessionId, challenge.ChallengeId, key.SignChallenge(challenge), IdentityTestKit.Client, ct);

        Assert.True(stale.Value.FreshUntil < harness.Time.GetUtcNow());
        Assert.Equal(ErrorCodes.InvalidCredentials, wrong.Error?.Code);
        Assert.True(stepped.Value.FreshUntil > harness.Time.GetUtcNow());
        Assert.True(byKey.IsSuccess, byKey.Error?.Message);
    }

    [Fact]
    public async Task DisabledUser_CannotLogInAndLosesSessions()
    {
        using var temp = new TempDirectory();
        await using var harness = await IdentityHarness.StartAsync(temp.Path, Password);
        var sessions = harness.Get<ISessionService>();
        var directory = harness.Get<IUserDirectory>();
        var ct = TestContext.Current.CancellationToken;
        await directory.CreateUserAsync(new NewUser("bob", Password: Password), "test", ct);
        var session = (await sessions.LoginAsync("bob", Password, ct)).Value;

        await directory.UpdateUserAsync("bob", new UserChange(Status: UserStatus.Disabled), "test", ct);

        Assert.Null(await sessions.AuthenticateCookieAsync(session.CookieToken!, ct));
        Assert.Equal(ErrorCodes.InvalidCredentials, (await sessions.LoginAsync("bob", Password, ct)).Error?.Code);
    }

    [Fact]
    public async Task Devices_ListAddRevoke_OwnerScoped()
    {
        using var temp = new TempDirectory();
        await using var harness = await IdentityHarness.StartAsync(temp.Path, Password);
        var sessions = harness.Get<ISessionService>();
        var ct = TestContext.Current.CancellationToken;
        var admin = (await harness.Get<IUserDirectory>().FindUserAsync("admin", ct))!;
        var bob = (await harness.Get<IUserDirectory>().CreateUserAsync(new NewUser("bob"), "test", ct)).Value;
        var key = new TestKey();

        var added = await sessions.AddDeviceAsync(admin.Id, new DeviceRegistration("laptop", key.Did), admin.Id, ct);
        var duplicate = await sessions.AddDeviceAsync(bob.Id, new DeviceRegistration("stolen", key.Did), bob.Id, ct);
        var notAKey = await sessions.AddDeviceAsync(admin.Id, new DeviceRegistration("bad", "did:web:example.org"), admin.Id, ct);
        var notBobs = await sessions.RevokeDeviceAsync(added.Value.Id, bob.Id, bob.Id, ct);
        var revoked = await sessions.RevokeDeviceAsync(added.Value.Id, admin.Id, admin.Id, ct);

        Assert.Equal(ErrorCodes.DeviceExists, duplicate.Error?.Code);
        Assert.Equal(ErrorCodes.InvalidRequest, notAKey.Error?.Code);
        Assert.Equal(ErrorCodes.DeviceNotFound, notBobs.Error?.Code);
        Assert.NotNull(revoked.Value.RevokedAt);
        Assert.Single(await sessions.ListDevicesAsync(admin.Id, ct));
        Assert.Empty(await sessions.ListDevicesAsync(bob.Id, ct));
    }

    [Fact]
    public async Task Audit_FailedLogin_RecordedWithoutThePassword()
    {
        using var temp = new TempDirectory();
        await using var harness = await IdentityHarness.StartAsync(temp.Path, Password);
        var ct = TestContext.Current.CancellationToken;

        await harness.Get<ISessionService>().LoginAsync("admin", "secret-guess-123", ct);
        var entries = await harness.Get<IIdentityAudit>().ListAsync(null, 10, ct);

        var failed = Assert.Single(entries, e => e.Event == "login.failed");
        Assert.Equal("192.0.2.10", failed.Client);
        Assert.DoesNotContain(entries, e => (e.Detail ?? string.Empty).Contains("secret-guess", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Usage_LoginRecordedThenDeletedByTheUser()
    {
        using var temp = new TempDirectory();
        await using var harness = await IdentityHarness.StartAsync(temp.Path, Password);
        var audit = harness.Get<IIdentityAudit>();
        var ct = TestContext.Current.CancellationToken;
        var login = (await harness.Get<ISessionService>().LoginAsync("admin", Password, ct)).Value;
        await harness.Get<ISessionService>().LoginAsync("admin", Password, ct);

        var usage = Assert.Single(await audit.UsageOfAsync(login.Principal.UserId, ct));
        var removed = await audit.DeleteUsageAsync(login.Principal.UserId, ct);

        Assert.Equal(("tests", "192.0.2.0/24", 2L), (usage.App, usage.Place, usage.Count));
        Assert.Equal(1, removed);
        Assert.Empty(await audit.UsageOfAsync(login.Principal.UserId, ct));
    }

    [Fact]
    public async Task SignedRequest_AfterRoleOrStatusChange_SeesTheChangeAtOnce()
    {
        using var temp = new TempDirectory();
        await using var harness = await IdentityHarness.StartAsync(temp.Path, Password);
        var sessions = harness.Get<ISessionService>();
        var directory = harness.Get<IUserDirectory>();
        var ct = TestContext.Current.CancellationToken;
        await directory.CreateUserAsync(new NewUser("bob", Password: Password), "test", ct);
        var key = new TestKey();
        var login = await sessions.LoginDeviceAsync("bob", Password, key, ct);
        var now = harness.Time.GetUtcNow();

        var before = await sessions.AuthenticateSignatureAsync(IdentityTestKit.Signed(key, login.Principal.SessionId, now), IdentityTestKit.Client, ct);
        await directory.UpdateUserAsync("bob", new UserChange(Roles: ["guest"]), "test", ct);
        var demoted = await sessions.AuthenticateSignatureAsync(IdentityTestKit.Signed(key, login.Principal.SessionId, now), IdentityTestKit.Client, ct);
        await directory.SaveRoleAsync("helper", [Permissions.AuditRead], "test", ct);
        await directory.UpdateUserAsync("bob", new UserChange(Roles: ["helper"]), "test", ct);
        await directory.SaveRoleAsync("helper", [Permissions.UsersRead], "test", ct);
        var roleChanged = await sessions.AuthenticateSignatureAsync(IdentityTestKit.Signed(key, login.Principal.SessionId, now), IdentityTestKit.Client, ct);
        await directory.UpdateUserAsync("bob", new UserChange(Status: UserStatus.Disabled), "test", ct);
        var disabled = await sessions.AuthenticateSignatureAsync(IdentityTestKit.Signed(key, login.Principal.SessionId, now), IdentityTestKit.Client, ct);

        Assert.Contains(Permissions.ProcessesRun, before.Value.Permissions);
        Assert.Empty(demoted.Value.Permissions);
        Assert.Equal([Permissions.UsersRead], roleChanged.Value.Permissions);
        Assert.Equal(ErrorCodes.InvalidSignature, disabled.Error?.Code);
    }
}
