using System.Diagnostics;

namespace GreyOS.Cli.Tests;

public sealed class UsageTests
{
    [Fact]
    public async Task RunAsync_UnknownVerb_ExitsUsageWithOneLine()
    {
        using var cli = new Cli();

        var result = await cli.RunAsync("frob");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.Equal("greyos: unrecognized command or argument 'frob' (run 'greyos --help')", line);
        Assert.Empty(result.Out);
    }

    [Fact]
    public async Task RunAsync_UnknownFlag_ExitsUsageWithOneLineNamingTheCommand()
    {
        using var cli = new Cli();

        var result = await cli.RunAsync("status", "--frob");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.Contains("'--frob'", line, StringComparison.Ordinal);
        Assert.EndsWith("(run 'greyos status --help')", line, StringComparison.Ordinal);
        Assert.Empty(result.Out);
    }

    [Fact]
    public async Task RunAsync_FlagWithoutValue_ExitsUsageWithOneLine()
    {
        using var cli = new Cli();

        var result = await cli.RunAsync("login", "--user");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.StartsWith("greyos: ", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_NoVerb_PrintsHelp()
    {
        using var cli = new Cli();

        var result = await cli.RunAsync();

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains("status", result.Out, StringComparison.Ordinal);
        Assert.Empty(result.Error);
    }

    [Fact]
    public async Task Process_UnknownVerb_ExitCodeIsUsage()
    {
        var result = await RunProcessAsync("frob");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Equal("greyos: unrecognized command or argument 'frob' (run 'greyos --help')", Assert.Single(result.ErrorLines));
        Assert.Empty(result.Out);
    }

    [Fact]
    public async Task Process_Version_ExitsZero()
    {
        var result = await RunProcessAsync("--version");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.StartsWith("greyos ", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Process_UnreachableNode_ExitCodeIsUnreachable()
    {
        var result = await RunProcessAsync("status", "--node", "http://127.0.0.1:1");

        Assert.Equal(ExitCodes.Unreachable, result.ExitCode);
        Assert.StartsWith("greyos: cannot reach the node at http://127.0.0.1:1: ", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    /// <summary>Runs the built CLI (<c>dotnet GreyOS.Cli.dll</c>, copied next to the tests) as a real process.</summary>
    private static async Task<CliResult> RunProcessAsync(params string[] args)
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var dll = Path.Combine(AppContext.BaseDirectory, "GreyOS.Cli.dll");
        Assert.True(File.Exists(dll), $"the CLI is not built at {dll}");
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var config = new Testing.TempDirectory("greyos-cli-config");
        start.Environment["GREYOS_CONFIG_DIR"] = config.Path;
        start.Environment.Remove("GREYOS_NODE");
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return new CliResult(process.ExitCode, await output, await error);
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)
            ? host
            : Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
}
