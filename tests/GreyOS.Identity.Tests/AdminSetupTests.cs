using GreyOS.Abstractions.Errors;
using GreyOS.Abstractions.Identity;
using GreyOS.Abstractions.Node;
using GreyOS.Testing;

namespace GreyOS.Identity.Tests;

public sealed class AdminSetupTests
{
    private const string Password = "correct-horse-battery";

    [Fact]
    public async Task Initialize_FirstBoot_IssuesCodeAndOwnerOnlyCodeFile()
    {
        using var temp = new TempDirectory();
        await using var harness = await IdentityHarness.StartAsync(temp.Path);
        var setup = harness.Get<IAdminSetup>();

        Assert.NotNull(setup.IssuedCode);
        Assert.True(await setup.IsPendingAsync(TestContext.Current.CancellationToken));
        var file = temp.File("setup-code");
        Assert.Equal(setup.IssuedCode, (await File.ReadAllTextAsync(file, TestContext.Current.CancellationToken)).Trim());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
    }

    [Fact]
    public async Task Complete_ValidCode_SetsPasswordAndSpendsTheCode()
    {
        using var temp = new TempDirectory();
        await using var harness = await IdentityHarness.StartAsync(temp.Path);
        var setup = harness.Get<IAdminSetup>();
        var code = setup.IssuedCode!;
        var ct = TestContext.Current.CancellationToken;

        var result = await setup.CompleteAsync(code, Password, ct);

        Assert.True(result.IsSuccess);
        Assert.Equal("admin", result.Value);
        Assert.False(await setup.IsPendingAsync(ct));
        Assert.Null(setup.IssuedCode);
        Assert.False(File.Exists(temp.File("setup-code")));
        Assert.True((await harness.Get<ISessionService>().LoginAsync("admin", Password, ct)).IsSuccess);

        var reused = await setup.CompleteAsync(code, "another-password-1", ct);
        Assert.Equal(ErrorCodes.SetupCodeInvalid, reused.Error?.Code);
        Assert.True((await harness.Get<ISessionService>().LoginAsync("admin", Password, ct)).IsSuccess);
    }

    [Fact]
    public async Task Complete_WrongCode_RefusedAndChangesNothing()
    {
        using var temp = new TempDirectory();
        await using var harness = await IdentityHarness.StartAsync(temp.Path);
        var setup = harness.Get<IAdminSetup>();
        var ct = TestContext.Current.CancellationToken;

        var result = await setup.CompleteAsync("00000-00000-00000-00000", Password, ct);

        Assert.Equal(ErrorCodes.SetupCodeInvalid, result.Error?.Code);
        Assert.True(await setup.IsPendingAsync(ct));
        Assert.True((await setup.CompleteAsync(setup.IssuedCode!, Password, ct)).IsSuccess);
    }

    [Fact]
    public async Task Complete_WeakPassword_RefusedAndCodeStillValid()
    {
        using var temp = new TempDirectory();
        await using var harness = await IdentityHarness.StartAsync(temp.Path);
        var setup = harness.Get<IAdminSetup>();
        var ct = TestContext.Current.CancellationToken;

        var result = await setup.CompleteAsync(setup.IssuedCode!, "short", ct);

        Assert.Equal(ErrorCodes.PasswordPolicy, result.Error?.Code);
        Assert.True((await setup.CompleteAsync(setup.IssuedCode!, Password, ct)).IsSuccess);
    }

    [Fact]
    public async Task Complete_ConcurrentUsesOfOneCode_ExactlyOneSucceeds()
    {
        using var temp = new TempDirectory();
        await using var harness = await IdentityHarness.StartAsync(temp.Path);
        var setup = harness.Get<IAdminSetup>();
        var code = setup.IssuedCode!;

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Task.Run(async () =>
            await setup.CompleteAsync(code, $"password-number-{i}", TestContext.Current.CancellationToken))));

        Assert.Single(results, r => r.IsSuccess);
        Assert.All(results.Where(r => !r.IsSuccess), r => Assert.Equal(ErrorCodes.SetupCodeInvalid, r.Error?.Code));
    }

    [Fact]
    public async Task Initialize_RestartBeforeSetup_IssuesNewCodeAndOldOneStopsWorking()
    {
        using var temp = new TempDirectory();
        string first;
        await using (var harness = await IdentityHarness.StartAsync(temp.Path))
        {
            first = harness.Get<IAdminSetup>().IssuedCode!;
        }

        await using var restarted = await IdentityHarness.StartAsync(temp.Path);
        var setup = restarted.Get<IAdminSetup>();

        Assert.NotEqual(first, setup.IssuedCode);
        Assert.Equal(ErrorCodes.SetupCodeInvalid, (await setup.CompleteAsync(first, Password, TestContext.Current.CancellationToken)).Error?.Code);
        Assert.True((await setup.CompleteAsync(setup.IssuedCode!, Password, TestContext.Current.CancellationToken)).IsSuccess);
    }

    [Fact]
    public async Task Initialize_InitialAdminPassword_SetsPasswordAndIssuesNoCode()
    {
        using var temp = new TempDirectory();
        await using var harness = await IdentityHarness.StartAsync(temp.Path, initialAdminPassword: Password);
        var ct = TestContext.Current.CancellationToken;

        Assert.Null(harness.Get<IAdminSetup>().IssuedCode);
        Assert.False(await harness.Get<IAdminSetup>().IsPendingAsync(ct));
        Assert.False(File.Exists(temp.File("setup-code")));
        Assert.True((await harness.Get<ISessionService>().LoginAsync("admin", Password, ct)).IsSuccess);
    }

    [Fact]
    public async Task Initialize_InitialAdminPasswordAfterSetup_IsIgnored()
    {
        using var temp = new TempDirectory();
        await (await IdentityHarness.StartAsync(temp.Path, initialAdminPassword: Password)).DisposeAsync();

        await using var harness = await IdentityHarness.StartAsync(temp.Path, initialAdminPassword: "a-different-password");
        var sessions = harness.Get<ISessionService>();
        var ct = TestContext.Current.CancellationToken;

        Assert.True((await sessions.LoginAsync("admin", Password, ct)).IsSuccess);
        Assert.False((await sessions.LoginAsync("admin", "a-different-password", ct)).IsSuccess);
    }

    [Fact]
    public async Task Initialize_WeakInitialAdminPassword_RefusesToStart()
    {
        using var temp = new TempDirectory();

        var error = await Assert.ThrowsAsync<NodeStartupException>(() => IdentityHarness.StartAsync(temp.Path, initialAdminPassword: "short"));

        Assert.Contains("GREYOS_ADMIN_PASSWORD", error.Message, StringComparison.Ordinal);
    }
}
