using System.Text.Json;
using GreyOS.Testing;

namespace GreyOS.Cli.Tests;

public sealed class StatusTests
{
    [Fact]
    public async Task Version_Flag_PrintsVersionAndExitsZero()
    {
        using var cli = new Cli();

        var result = await cli.RunAsync("--version");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Matches(@"^greyos \d+\.\d+\.\d+\S*\s*$", result.Out);
        Assert.Empty(result.Error);
    }

    [Fact]
    public async Task Help_Flag_ListsTheVerbs()
    {
        using var cli = new Cli();

        var result = await cli.RunAsync("--help");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        foreach (var verb in new[] { "status", "setup", "login", "logout", "whoami", "--node" })
        {
            Assert.Contains(verb, result.Out, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Status_RunningNode_PrintsInstanceDidAndPendingSetup()
    {
        await using var node = await TestNode.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        using var cli = new Cli(node.BaseAddress);

        var result = await cli.RunAsync("status");

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        Assert.Contains(node.InstanceDid, result.Out, StringComparison.Ordinal);
        Assert.Contains(node.BaseAddress.ToString().TrimEnd('/'), result.Out, StringComparison.Ordinal);
        Assert.Contains("pending", result.Out, StringComparison.Ordinal);
        Assert.Contains("ready", result.Out, StringComparison.Ordinal);
        Assert.Empty(result.Error);
    }

    [Fact]
    public async Task Status_Json_ParsesWithIdentityAndSetupState()
    {
        await using var node = await TestNode.StartAsync(new TestNodeOptions { AdminPassword = TestNode.DefaultAdminPassword }, TestContext.Current.CancellationToken);
        using var cli = new Cli(node.BaseAddress);

        var result = await cli.RunAsync("status", "--json");

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        using var json = JsonDocument.Parse(result.Out);
        var root = json.RootElement;
        Assert.Equal(node.InstanceDid, root.GetProperty("instance").GetString());
        Assert.Equal("ok", root.GetProperty("status").GetString());
        Assert.True(root.GetProperty("ready").GetBoolean());
        Assert.False(root.GetProperty("setupPending").GetBoolean());
        Assert.Equal(node.BaseAddress.ToString().TrimEnd('/'), root.GetProperty("node").GetString());
        Assert.Matches(@"^\d+\.\d+\.\d+", root.GetProperty("version").GetString());
        Assert.True(root.GetProperty("uptimeSeconds").GetDouble() >= 0);
    }

    [Fact]
    public async Task Status_NodeFromEnvironment_UsesGreyOSNode()
    {
        await using var node = await TestNode.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        using var cli = new Cli();
        cli.Environment["GREYOS_NODE"] = node.BaseAddress.ToString();

        var result = await cli.RunAsync("status", "--json");

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
        Assert.Contains(node.InstanceDid, result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_UnreachableNode_PrintsOneLineAndExitsUnreachable()
    {
        using var cli = new Cli(new Uri("http://127.0.0.1:1"));

        var result = await cli.RunAsync("status");

        Assert.Equal(ExitCodes.Unreachable, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.StartsWith("greyos: cannot reach the node at http://127.0.0.1:1: ", line, StringComparison.Ordinal);
        Assert.Empty(result.Out);
    }

    [Theory]
    [InlineData("ftp://example.org")]
    [InlineData("not a url")]
    [InlineData("/relative/path")]
    [InlineData("http://user:secret@example.org")]
    public async Task Status_MalformedNode_ExitsUsageWithOneLine(string url)
    {
        using var cli = new Cli();

        var result = await cli.RunAsync("status", "--node", url);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.StartsWith("greyos: --node must be", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_MalformedNodeInEnvironment_NamesTheVariable()
    {
        using var cli = new Cli();
        cli.Environment["GREYOS_NODE"] = "localhost:5080";

        var result = await cli.RunAsync("status");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.StartsWith("greyos: GREYOS_NODE must be", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.4, "0s")]
    [InlineData(59, "59s")]
    [InlineData(61, "1m 1s")]
    [InlineData(3723, "1h 2m 3s")]
    [InlineData(90061, "1d 1h 1m")]
    public void FormatUptime_Seconds_ReadsNaturally(double seconds, string expected) =>
        Assert.Equal(expected, StatusCommand.FormatUptime(seconds));
}
