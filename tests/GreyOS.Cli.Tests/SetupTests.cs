using GreyOS.Testing;

namespace GreyOS.Cli.Tests;

public sealed class SetupTests
{
    private const string NewPassword = "a-brand-new-password";

    [Fact]
    public async Task Setup_CodeAndPasswordFromStdin_SucceedsAndSaysWhoCanLogIn()
    {
        await using var node = await TestNode.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        using var cli = new Cli(node.BaseAddress);

        var result = await cli.RunAsync(["setup", "--code", node.SetupCode!, "--password-stdin"], NewPassword + "\n");

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        Assert.Contains("'admin' can now log in", result.Out, StringComparison.Ordinal);
        Assert.Contains("greyos login --node", result.Out, StringComparison.Ordinal);
        Assert.Empty(result.Error);
        using var session = await node.LoginAsync("admin", NewPassword, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Setup_CodeUsedTwice_SecondFailsWithSetupCodeInvalid()
    {
        await using var node = await TestNode.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        using var cli = new Cli(node.BaseAddress);
        var code = node.SetupCode!;
        var first = await cli.RunAsync(["setup", "--code", code, "--password-stdin"], NewPassword + "\n");
        Assert.True(first.ExitCode == ExitCodes.Success, first.ToString());

        var second = await cli.RunAsync(["setup", "--code", code, "--password-stdin"], "another-good-password\n");

        Assert.Equal(ExitCodes.Failure, second.ExitCode);
        var line = Assert.Single(second.ErrorLines);
        Assert.StartsWith("greyos: ", line, StringComparison.Ordinal);
        Assert.EndsWith("(setup_code_invalid)", line, StringComparison.Ordinal);
        Assert.Empty(second.Out);
    }

    [Fact]
    public async Task Setup_WeakPassword_FailsWithPasswordPolicy()
    {
        await using var node = await TestNode.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        using var cli = new Cli(node.BaseAddress);

        var result = await cli.RunAsync(["setup", "--code", node.SetupCode!, "--password-stdin"], "short\n");

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.EndsWith("(password_policy)", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Setup_Interactive_PromptsForCodeAndPasswordTwice()
    {
        await using var node = await TestNode.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        using var cli = new Cli(node.BaseAddress);

        var result = await cli.RunAsync(["setup"], stdin: null, new ScriptedKeys(node.SetupCode!, NewPassword, NewPassword));

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        Assert.Contains("Setup code", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(NewPassword, result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(NewPassword, result.Out, StringComparison.Ordinal);
        using var session = await node.LoginAsync("admin", NewPassword, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Setup_InteractivePasswordsNeverMatch_FailsWithoutSpendingTheCode()
    {
        await using var node = await TestNode.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        using var cli = new Cli(node.BaseAddress);
        var keys = new ScriptedKeys(node.SetupCode!, "first-password-1", "other-password-1", "first-password-1", "other-password-1", "first-password-1", "other-password-1");

        var result = await cli.RunAsync(["setup"], stdin: null, keys);

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.EndsWith("greyos: the passwords did not match", result.Error.TrimEnd(), StringComparison.Ordinal);
        Assert.NotNull(node.SetupCode);
        var retry = await cli.RunAsync(["setup", "--code", node.SetupCode!, "--password-stdin"], NewPassword + "\n");
        Assert.True(retry.ExitCode == ExitCodes.Success, retry.ToString());
    }

    [Fact]
    public async Task Setup_InteractiveAfterSetupIsComplete_FailsBeforePrompting()
    {
        await using var node = await TestNode.StartAsync(new TestNodeOptions { AdminPassword = TestNode.DefaultAdminPassword }, TestContext.Current.CancellationToken);
        using var cli = new Cli(node.BaseAddress);

        var result = await cli.RunAsync(["setup"], stdin: null, new ScriptedKeys());

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Contains("setup is already complete", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Setup_NotInteractiveWithoutCode_ExitsUsage()
    {
        using var cli = new Cli(new Uri("http://127.0.0.1:1"));

        var result = await cli.RunAsync(["setup", "--password-stdin"], NewPassword + "\n");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.StartsWith("greyos: --code is required", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Setup_NotInteractiveWithoutPasswordStdin_ExitsUsage()
    {
        using var cli = new Cli(new Uri("http://127.0.0.1:1"));

        var result = await cli.RunAsync("setup", "--code", "ABCDE");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("--password-stdin", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Setup_EmptyStdin_ExitsUsage()
    {
        using var cli = new Cli(new Uri("http://127.0.0.1:1"));

        var result = await cli.RunAsync(["setup", "--code", "ABCDE", "--password-stdin"], string.Empty);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("standard input has no password", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }
}
