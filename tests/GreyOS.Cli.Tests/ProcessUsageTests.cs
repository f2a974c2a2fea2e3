using System.Text;
using GreyOS.Client;
using GreyOS.Protocol;
using GreyOS.Testing;

namespace GreyOS.Cli.Tests;

/// <summary>The process verbs without a node: parsing, validation, exit-code mapping, framing.</summary>
public sealed class ProcessUsageTests : IDisposable
{
    /// <summary>Nothing listens here: a test that got as far as the network would fail with exit 3.</summary>
    private static readonly Uri NoNode = new("http://127.0.0.1:1");

    private readonly TempDirectory _files = new("greyos-cli-run");

    public void Dispose() => _files.Dispose();

    [Theory]
    [InlineData("FOO")]
    [InlineData("=value")]
    [InlineData("")]
    public async Task Run_EnvWithoutNameAndEquals_ExitsUsageWithOneLine(string env)
    {
        using var cli = new Cli(NoNode);

        var result = await cli.RunAsync("run", WasmFile(), "--env", env);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.StartsWith("greyos: --env expects NAME=VALUE", line, StringComparison.Ordinal);
        Assert.EndsWith("(run 'greyos run --help')", line, StringComparison.Ordinal);
        Assert.Empty(result.Out);
    }

    [Theory]
    [InlineData("--memory", "abc")]
    [InlineData("--memory", "0")]
    [InlineData("--memory", "1.5")]
    [InlineData("--memory", "99999999999")]
    [InlineData("--cpu-seconds", "0")]
    [InlineData("--cpu-seconds", "soon")]
    [InlineData("--cpu-seconds", "NaN")]
    [InlineData("--cpu-seconds", "Infinity")]
    [InlineData("--output-bytes", "1e6")]
    [InlineData("--output-bytes", "0")]
    public async Task Run_BadLimit_ExitsUsageNamingTheFlag(string flag, string value)
    {
        using var cli = new Cli(NoNode);

        var result = await cli.RunAsync("run", WasmFile(), flag, value);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.StartsWith($"greyos: {flag} must be", line, StringComparison.Ordinal);
        Assert.Contains($"'{value}'", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_NegativeLimit_ExitsUsage()
    {
        using var cli = new Cli(NoNode);

        var result = await cli.RunAsync("run", WasmFile(), "--memory", "-5");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.StartsWith("greyos: ", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_NoFile_ExitsUsage()
    {
        using var cli = new Cli(NoNode);

        var result = await cli.RunAsync("run");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.StartsWith("greyos: ", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_MissingFile_ExitsOneWithOneLineNamingIt()
    {
        using var cli = new Cli(NoNode);
        var path = Path.Combine(_files.Path, "nowhere", "app.wasm");

        var result = await cli.RunAsync("run", path);

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Equal($"greyos: cannot read {path}: no such file", Assert.Single(result.ErrorLines));
        Assert.Empty(result.Out);
    }

    [Fact]
    public async Task Run_Folder_ExitsOneWithOneLine()
    {
        using var cli = new Cli(NoNode);

        var result = await cli.RunAsync("run", _files.Path);

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Equal($"greyos: cannot read {_files.Path}: it is a folder, not a .wasm file", Assert.Single(result.ErrorLines));
    }

    [Fact]
    public async Task Run_NotLoggedIn_ExitsOneBeforeTalkingToTheNode()
    {
        using var cli = new Cli(NoNode);

        var result = await cli.RunAsync("run", WasmFile(), "--env", "A=b=c", "--memory", "16", "--", "x", "--y");

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Equal("greyos: not logged in to http://127.0.0.1:1 (run 'greyos login --node http://127.0.0.1:1')", Assert.Single(result.ErrorLines));
    }

    [Theory]
    [InlineData("kill", "abc")]
    [InlineData("kill", "0")]
    [InlineData("kill", "-3")]
    [InlineData("wait", "1.5")]
    [InlineData("logs", "x")]
    public async Task PidVerbs_BadPid_ExitUsage(string verb, string pid)
    {
        using var cli = new Cli(NoNode);

        var result = await cli.RunAsync(verb, pid);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.StartsWith("greyos: ", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kill_NoPid_ExitsUsage()
    {
        using var cli = new Cli(NoNode);

        var result = await cli.RunAsync("kill");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
    }

    [Fact]
    public async Task Ps_UnknownState_ExitsUsageListingStates()
    {
        using var cli = new Cli(NoNode);

        var result = await cli.RunAsync("ps", "--state", "sleeping");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.Contains("--state must be one of starting, running, idle, exited, faulted, killed, lost, not 'sleeping'", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ps_NotLoggedIn_ExitsOne()
    {
        using var cli = new Cli(NoNode);

        var result = await cli.RunAsync("ps");

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.StartsWith("greyos: not logged in to ", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_ListsTheProcessVerbs()
    {
        using var cli = new Cli();

        var result = await cli.RunAsync("--help");

        foreach (var verb in new[] { "run", "ps", "kill", "logs", "wait" })
        {
            Assert.Contains($"  {verb} ", result.Out, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("exited", 0, 0)]
    [InlineData("exited", 3, 3)]
    [InlineData("exited", 255, 255)]
    [InlineData("exited", 256, 0)]
    [InlineData("exited", 300, 44)]
    [InlineData("exited", -1, 255)]
    [InlineData("killed", null, 137)]
    [InlineData("faulted", null, 134)]
    [InlineData("lost", null, 1)]
    public void ExitCode_EndedProcess_MapsLikeAShell(string state, int? exitCode, int expected)
    {
        Assert.Equal(expected, ProcessOutcome.ExitCode(Process(state, exitCode)));
    }

    [Fact]
    public void Message_KilledFaultedLost_OneLineWithReason()
    {
        Assert.Null(ProcessOutcome.Message(Process("exited", 0)));
        Assert.Equal("process 7 was killed: killed by admin", ProcessOutcome.Message(Process("killed", null, "killed by admin")));
        Assert.Equal("process 7 faulted: memory limit exceeded", ProcessOutcome.Message(Process("faulted", null, "memory limit\nexceeded")));
        Assert.Equal("process 7 faulted: no reason given", ProcessOutcome.Message(Process("faulted", null)));
        Assert.Equal("process 7 was lost: its node stopped while it was running", ProcessOutcome.Message(Process("lost", null)));
    }

    [Fact]
    public void ExitOrReason_ByState_ShowsCodeOrReason()
    {
        Assert.Equal("3", ProcessCommands.ExitOrReason(Process("exited", 3)));
        Assert.Equal("trap: unreachable", ProcessCommands.ExitOrReason(Process("faulted", null, "trap: unreachable")));
        Assert.Equal("-", ProcessCommands.ExitOrReason(Process("running", null)));
    }

    [Theory]
    [InlineData("/tmp/hello.wasm", "hello")]
    [InlineData("build/my-app_2.wasm", "my-app_2")]
    [InlineData("tool", "tool")]
    [InlineData("/tmp/my app.wasm", null)]
    [InlineData("/tmp/.wasm", null)]
    public void DefaultName_FromFileName_PlainNamesOnly(string path, string? expected)
    {
        Assert.Equal(expected, RunCommand.DefaultName(path));
    }

    [Fact]
    public void TryParseEnvironmentVariable_SplitsAtTheFirstEquals()
    {
        Assert.True(ProcessOptions.TryParseEnvironmentVariable("A=b=c", out var name, out var value));
        Assert.Equal(("A", "b=c"), (name, value));
        Assert.True(ProcessOptions.TryParseEnvironmentVariable("EMPTY=", out name, out value));
        Assert.Equal(("EMPTY", ""), (name, value));
        Assert.False(ProcessOptions.TryParseEnvironmentVariable("NOEQUALS", out _, out _));
        Assert.False(ProcessOptions.TryParseEnvironmentVariable("=x", out _, out _));
    }

    [Fact]
    public void Codec_Stdin_TagThenBytes()
    {
        Assert.Equal(new byte[] { AttachFrames.Stdin, 0xFF, 0x00, 0x41 }, AttachFrameCodec.EncodeStdin([0xFF, 0x00, 0x41]));
        Assert.Equal(new byte[] { AttachFrames.Stdin }, AttachFrameCodec.EncodeStdin([]));
        Assert.Equal(new byte[] { AttachFrames.StdinEof }, AttachFrameCodec.EncodeStdinEof());
        Assert.Throws<ArgumentOutOfRangeException>(() => AttachFrameCodec.EncodeStdin(new byte[AttachFrameCodec.MaxStdinFrameData + 1]));
    }

    [Fact]
    public void Codec_Output_DecodesStdoutAndStderrIgnoresTheRest()
    {
        Assert.True(AttachFrameCodec.TryDecodeOutput(new byte[] { 1, 0xC3, 0xA9 }, out var stdout));
        Assert.Equal(OutputChannel.Stdout, stdout.Channel);
        Assert.Equal(new byte[] { 0xC3, 0xA9 }, stdout.Data.ToArray());
        Assert.True(AttachFrameCodec.TryDecodeOutput(new byte[] { 2, 0x0A }, out var stderr));
        Assert.Equal(OutputChannel.Stderr, stderr.Channel);
        Assert.Equal(new byte[] { 0x0A }, stderr.Data.ToArray());
        Assert.False(AttachFrameCodec.TryDecodeOutput(ReadOnlyMemory<byte>.Empty, out _));
        Assert.False(AttachFrameCodec.TryDecodeOutput(new byte[] { 0, 1 }, out _));
        Assert.False(AttachFrameCodec.TryDecodeOutput(new byte[] { 9, 1 }, out _));
    }

    [Fact]
    public async Task OutputSink_CharacterSplitAcrossFrames_DecodedWhole()
    {
        using var writer = new StringWriter();
        var sink = new OutputSink(writer, openStream: null);
        var bytes = Encoding.UTF8.GetBytes("é€!");

        foreach (var b in bytes)
        {
            await sink.WriteAsync(new[] { b }, TestContext.Current.CancellationToken);
        }

        await sink.CompleteAsync(TestContext.Current.CancellationToken);
        Assert.Equal("é€!", writer.ToString());
    }

    [Fact]
    public async Task OutputSink_RawStream_BytesUnchangedAfterEarlierText()
    {
        using var writer = new StringWriter();
        using var stream = new MemoryStream();
        var sink = new OutputSink(writer, () => stream);

        await sink.WriteAsync(new byte[] { 0xFF, 0x00, 0xC3 }, TestContext.Current.CancellationToken);
        await sink.CompleteAsync(TestContext.Current.CancellationToken);

        Assert.Equal(new byte[] { 0xFF, 0x00, 0xC3 }, stream.ToArray());
        Assert.Empty(writer.ToString());
    }

    private string WasmFile()
    {
        var path = Path.Combine(_files.Path, $"app-{Guid.NewGuid():N}.wasm");
        File.WriteAllBytes(path, [0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00]);
        return path;
    }

    private static ProcessResponse Process(string state, int? exitCode, string? reason = null) => new(
        7, null, "u1", "app", new string('a', 64), "command", state, exitCode, reason,
        new ProcessLimitsDto(64, 60, 1024), [], DateTimeOffset.UnixEpoch, null, 0.5, 10, 0);
}
