using System.Net;
using System.Net.Sockets;
using GreyOS.Testing;

namespace GreyOS.Server.IntegrationTests;

/// <summary>The node as an operator meets it: a process, what it prints, how it exits.</summary>
public sealed class NodeProcessTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Start_FirstBoot_PrintsAddressDidAndSetupCodeThenStopsCleanlyOnSigterm()
    {
        using var data = new TempDirectory();
        using var node = NodeProcess.Start(["--urls", "http://127.0.0.1:0", "--data", data.Path]);

        var address = await node.WaitUntilListeningAsync(Timeout);
        using var http = new HttpClient { BaseAddress = address };
        var health = await http.GetAsync("/api/v1/health", TestContext.Current.CancellationToken);
        node.Terminate();
        var exitCode = await node.WaitForExitAsync(Timeout);

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(0, exitCode);
        Assert.Matches(@"instance\s+did:key:z6Mk", node.StandardOutput);
        var code = (await File.ReadAllTextAsync(Path.Combine(data.Path, "setup-code"), TestContext.Current.CancellationToken)).Trim();
        Assert.Contains($"/setup#code={code}", node.StandardOutput, StringComparison.Ordinal);
        Assert.Contains($"greyos setup --node {address.ToString().TrimEnd('/')} --code {code}", node.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain(code, node.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_PortInUse_OneLineAndExit1()
    {
        using var data = new TempDirectory();
        using var occupied = new TcpListener(IPAddress.Loopback, 0);
        occupied.Start();
        var port = ((IPEndPoint)occupied.LocalEndpoint).Port;

        using var node = NodeProcess.Start(["--urls", $"http://127.0.0.1:{port}", "--data", data.Path]);

        Assert.Equal(1, await node.WaitForExitAsync(Timeout));
        AssertOneErrorLine(node, $"cannot listen on http://127.0.0.1:{port}");
    }

    [Fact]
    public async Task Start_CorruptedDatabase_OneLineAndExit1()
    {
        using var data = new TempDirectory();
        await File.WriteAllBytesAsync(Path.Combine(data.Path, "greyos.db"), Enumerable.Repeat((byte)0xA5, 16384).ToArray(), TestContext.Current.CancellationToken);

        using var node = NodeProcess.Start(["--urls", "http://127.0.0.1:0", "--data", data.Path]);

        Assert.Equal(1, await node.WaitForExitAsync(Timeout));
        AssertOneErrorLine(node, "is corrupted");
    }

    [Fact]
    public async Task Start_DataFolderNotWritable_OneLineAndExit1()
    {
        using var data = new TempDirectory();
        var blocker = Path.Combine(data.Path, "a-file");
        await File.WriteAllTextAsync(blocker, "x", TestContext.Current.CancellationToken);

        using var node = NodeProcess.Start(["--urls", "http://127.0.0.1:0", "--data", Path.Combine(blocker, "data")]);

        Assert.Equal(1, await node.WaitForExitAsync(Timeout));
        AssertOneErrorLine(node, "is not writable");
    }

    [Fact]
    public async Task Start_UnknownSettingInEnvironment_OneLineNamingItAndExit1()
    {
        using var data = new TempDirectory();

        using var node = NodeProcess.Start(["--data", data.Path], new Dictionary<string, string?> { ["GREYOS__PROT"] = "80" });

        Assert.Equal(1, await node.WaitForExitAsync(Timeout));
        AssertOneErrorLine(node, "unknown setting 'GreyOS:PROT'");
    }

    [Fact]
    public async Task Start_BadUrlsVariable_OneLineAndExit1()
    {
        using var data = new TempDirectory();

        using var node = NodeProcess.Start(["--data", data.Path], new Dictionary<string, string?> { ["GREYOS_URLS"] = "localhost" });

        Assert.Equal(1, await node.WaitForExitAsync(Timeout));
        AssertOneErrorLine(node, "setting 'GreyOS:Urls' = 'localhost' is invalid");
    }

    [Fact]
    public async Task Start_UnknownFlag_UsageLineAndExit2()
    {
        using var node = NodeProcess.Start(["--port", "80"]);

        Assert.Equal(2, await node.WaitForExitAsync(Timeout));
        Assert.Equal("greyos-server: unknown option '--port'; run with --help", node.StandardError.Trim());
    }

    [Fact]
    public async Task Start_AdminPasswordVariable_NoSetupCodeAndLoginWorks()
    {
        using var data = new TempDirectory();
        using var node = NodeProcess.Start(
            ["--urls", "http://127.0.0.1:0", "--data", data.Path],
            new Dictionary<string, string?> { ["GREYOS_ADMIN_PASSWORD"] = TestNode.DefaultAdminPassword });

        var address = await node.WaitUntilListeningAsync(Timeout);
        using var http = new HttpClient { BaseAddress = address };
        var login = await http.PostAsync(
            "/api/v1/auth/login",
            new StringContent($"{{\"userName\":\"admin\",\"password\":\"{TestNode.DefaultAdminPassword}\"}}", System.Text.Encoding.UTF8, "application/json"),
            TestContext.Current.CancellationToken);
        node.Terminate();
        await node.WaitForExitAsync(Timeout);

        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.DoesNotContain("setup#code", node.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain(TestNode.DefaultAdminPassword, node.StandardOutput + node.StandardError, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(data.Path, "setup-code")));
    }

    [Fact]
    public async Task Version_Flag_PrintsVersion()
    {
        using var node = NodeProcess.Start(["--version"]);

        Assert.Equal(0, await node.WaitForExitAsync(Timeout));
        Assert.Matches(@"^GreyOS \d+\.\d+\.\d+", node.StandardOutput);
    }

    private static void AssertOneErrorLine(NodeProcess node, string expected)
    {
        var lines = node.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(lines.Length == 1, $"expected one line on stderr, got:\n{node.StandardError}");
        Assert.StartsWith("greyos-server: error: ", lines[0], StringComparison.Ordinal);
        Assert.Contains(expected, lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", node.StandardOutput + node.StandardError, StringComparison.Ordinal);
    }
}
