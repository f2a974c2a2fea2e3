using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using GreyOS.Client;
using GreyOS.Protocol;
using GreyOS.Testing;

namespace GreyOS.Cli.Tests;

/// <summary>
/// <c>greyos run/ps/kill/logs/wait</c> and the client's process API end to end: a real node
/// (in-process, real HTTP and WebSocket on loopback) running real WebAssembly modules.
/// </summary>
public sealed class ProcessTests
{
    [Fact]
    public async Task Run_Hello_PrintsArgvAndExitsWithArgc()
    {
        await using var env = await LoggedInAsync();
        var hello = env.Module("hello", Wat.Hello);

        var result = await env.Cli.RunAsync("run", hello, "--", "a", "--b");

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.Equal("hello\0a\0--b\0", result.Out);
        Assert.Empty(result.Error);
    }

    [Fact]
    public async Task Run_NameAndEnv_ReachTheApp()
    {
        await using var env = await LoggedInAsync();
        var hello = env.Module("hello", Wat.Hello);
        var echoEnv = env.Module("echo-env", Wat.EchoEnv);

        var named = await env.Cli.RunAsync("run", hello, "--name", "greeter");
        var environment = await env.Cli.RunAsync("run", echoEnv, "--env", "A=1", "-e", "B=x=y", "--env", "A=2");

        Assert.True(named.ExitCode == 1, named.ToString());
        Assert.Equal("greeter\0", named.Out);
        Assert.True(environment.ExitCode == 0, environment.ToString());
        var variables = environment.Out.Split('\0', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("A=2", variables);
        Assert.Contains("B=x=y", variables);
        Assert.DoesNotContain("A=1", variables);
    }

    [Fact]
    public async Task Run_PipedStdin_AppReadsItAllThenEof()
    {
        await using var env = await LoggedInAsync();
        var count = env.Module("count", Wat.CountStdin);

        var small = await env.Cli.RunAsync(["run", count], stdin: "hello\n");
        var large = await env.Cli.RunAsync(["run", count], stdin: new string('x', 300));

        Assert.True(small.ExitCode == 6, small.ToString());
        Assert.True(large.ExitCode == 300 % 256, large.ToString()); // exit code 300, as the OS keeps it
    }

    [Fact]
    public async Task Run_StdinAtATerminal_AppGetsEofAtOnce()
    {
        await using var env = await LoggedInAsync();
        var count = env.Module("count", Wat.CountStdin);

        var result = await env.Cli.RunAsync(["run", count], stdin: null);

        Assert.True(result.ExitCode == 0, result.ToString());
    }

    [Fact]
    public async Task Run_Cat_LargeBinaryInputComesBackByteExact()
    {
        await using var env = await LoggedInAsync();
        var cat = env.Module("cat", Wat.Cat);
        var input = new byte[200 * 1024];
        new Random(42).NextBytes(input);

        var result = await env.Cli.RunRawAsync(["run", cat], input);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(input.Length, result.OutBytes.Length);
        Assert.True(input.AsSpan().SequenceEqual(result.OutBytes), "stdout differs from stdin");
        Assert.Empty(result.ErrorBytes);
    }

    [Fact]
    public async Task Run_BinaryStdoutAndStderr_WrittenByteExactToEachStream()
    {
        await using var env = await LoggedInAsync();
        var binary = env.Module("binary", Wat.BinaryOutput);

        var result = await env.Cli.RunRawAsync(["run", binary]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(new byte[] { 0x00, 0xFF, 0xFE, 0x80, (byte)'o', (byte)'k' }, result.OutBytes);
        Assert.Equal("warn\n"u8.ToArray(), result.ErrorBytes);
        Assert.Empty(result.Out);
        Assert.Empty(result.Error);
    }

    [Fact]
    public async Task Run_Trap_Exits134WithOneLineReason()
    {
        await using var env = await LoggedInAsync();
        var trap = env.Module("trap", Wat.Trap);

        var result = await env.Cli.RunAsync("run", trap);

        Assert.True(result.ExitCode == ExitCodes.AppFaulted, result.ToString());
        var line = Assert.Single(result.ErrorLines);
        Assert.Matches(@"^greyos: process \d+ faulted: \S", line);
    }

    [Fact]
    public async Task Run_CpuLimit_FaultsWith134()
    {
        await using var env = await LoggedInAsync();
        var spin = env.Module("spin", Wat.Spin);

        var result = await env.Cli.RunAsync("run", spin, "--cpu-seconds", "0.2");

        Assert.True(result.ExitCode == ExitCodes.AppFaulted, result.ToString());
        Assert.Matches(@"^greyos: process \d+ faulted: ", Assert.Single(result.ErrorLines));
    }

    [Fact]
    public async Task Run_Detach_PrintsPidThenPsKillWait()
    {
        await using var env = await LoggedInAsync();
        var spin = env.Module("spin", Wat.Spin);

        var run = await env.Cli.RunAsync("run", spin, "--detach", "--memory", "16");
        Assert.True(run.ExitCode == 0, run.ToString());
        var pid = long.Parse(run.Out.Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal($"{pid}\n", run.Out.Replace("\r\n", "\n", StringComparison.Ordinal));

        var ps = await env.Cli.RunAsync("ps");
        var psJson = await env.Cli.RunAsync("ps", "--json", "--state", "running");
        var kill = await env.Cli.RunAsync("kill", pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var wait = await env.Cli.RunAsync("wait", pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var waitJson = await env.Cli.RunAsync("wait", pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json");
        var killAgain = await env.Cli.RunAsync("kill", pid.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.True(ps.ExitCode == 0, ps.ToString());
        var header = ps.Out.Split('\n').First(line => line.Contains("PID", StringComparison.Ordinal));
        foreach (var column in new[] { "PID", "NAME", "SHAPE", "STATE", "EXIT/REASON", "CPU s", "STARTED" })
        {
            Assert.Contains(column, header, StringComparison.Ordinal);
        }

        var row = ps.Out.Split('\n').Single(line => line.TrimStart().StartsWith($"{pid} ", StringComparison.Ordinal));
        Assert.Contains("spin", row, StringComparison.Ordinal);
        Assert.Contains("command", row, StringComparison.Ordinal);
        Assert.Contains("running", row, StringComparison.Ordinal);

        Assert.True(psJson.ExitCode == 0, psJson.ToString());
        using (var document = JsonDocument.Parse(psJson.Out))
        {
            var listed = Assert.Single(document.RootElement.GetProperty("processes").EnumerateArray());
            Assert.Equal(pid, listed.GetProperty("pid").GetInt64());
            Assert.Equal(16, listed.GetProperty("limits").GetProperty("memoryMiB").GetInt32());
        }

        Assert.True(kill.ExitCode == 0, kill.ToString());
        Assert.Equal($"Killed process {pid}.", kill.Out.Trim());
        Assert.True(wait.ExitCode == ExitCodes.AppKilled, wait.ToString());
        Assert.Matches($@"^greyos: process {pid} was killed: .*admin", Assert.Single(wait.ErrorLines));
        Assert.True(waitJson.ExitCode == ExitCodes.AppKilled, waitJson.ToString());
        using (var document = JsonDocument.Parse(waitJson.Out))
        {
            Assert.Equal("killed", document.RootElement.GetProperty("state").GetString());
        }

        Assert.True(killAgain.ExitCode == 0, killAgain.ToString());
        Assert.StartsWith($"Process {pid} had already ended (killed", killAgain.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_CtrlC_KillsTheProcessAndExits130()
    {
        await using var env = await LoggedInAsync();
        var spin = env.Module("spin", Wat.Spin);
        using var interrupt = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);

        var run = env.Cli.RunAsync(["run", spin], stdin: null, cancellationToken: interrupt.Token);
        var running = await env.EventuallyAsync(async client => (await client.ListProcessesAsync(state: "running", cancellationToken: TestContext.Current.CancellationToken)).SingleOrDefault());
        await Task.Delay(200, TestContext.Current.CancellationToken); // attached by now, most likely; either way Ctrl+C must kill it
        await interrupt.CancelAsync();
        var result = await run;

        Assert.True(result.ExitCode == ExitCodes.Cancelled, result.ToString());
        Assert.Equal($"greyos: interrupted; killed process {running.Pid}", Assert.Single(result.ErrorLines));
        var ended = await env.Client.WaitAsync(running.Pid, TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal("killed", ended.State);
    }

    [Fact]
    public async Task Run_UploadsTheModuleOnlyWhenTheNodeLacksIt()
    {
        await using var env = await LoggedInAsync();
        var path = env.Module("hello", Wat.Hello);
        var sha256 = GreyOSClient.ModuleHash(await File.ReadAllBytesAsync(path, TestContext.Current.CancellationToken));
        Assert.Null(await env.Client.GetModuleAsync(sha256, TestContext.Current.CancellationToken));

        var first = await env.Cli.RunAsync("run", path);
        var module = await env.Client.GetModuleAsync(sha256, TestContext.Current.CancellationToken);
        var second = await env.Cli.RunAsync("run", path, "--", "again");

        Assert.True(first.ExitCode == 1, first.ToString());
        Assert.NotNull(module);
        Assert.Equal(("command", sha256), (module.Shape, module.Sha256));
        Assert.True(second.ExitCode == 2, second.ToString());
    }

    [Fact]
    public async Task Run_NotWebAssembly_ExitsOneWithInvalidModule()
    {
        await using var env = await LoggedInAsync();
        var path = Path.Combine(env.Files, "bogus.wasm");
        await File.WriteAllTextAsync(path, "this is not wasm", TestContext.Current.CancellationToken);

        var result = await env.Cli.RunAsync("run", path);

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.StartsWith("greyos: ", line, StringComparison.Ordinal);
        Assert.EndsWith("(invalid_module)", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_UnknownImport_ExitsOneNamingIt()
    {
        await using var env = await LoggedInAsync();
        var path = env.Module("alien", """(module (import "env" "launch_missiles" (func)) (memory (export "memory") 1) (func (export "_start")))""");

        var result = await env.Cli.RunAsync("run", path);

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.Contains("launch_missiles", line, StringComparison.Ordinal);
        Assert.EndsWith("(invalid_module)", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_MemoryAboveTheNodesMaximum_ExitsOneWithLimitOutOfRange()
    {
        await using var env = await LoggedInAsync();
        var hello = env.Module("hello", Wat.Hello);

        var result = await env.Cli.RunAsync("run", hello, "--memory", "1000000");

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.EndsWith("(limit_out_of_range)", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logs_EndedProcess_PrintsStdoutOrStderr()
    {
        await using var env = await LoggedInAsync();
        var talker = env.Module("talker", Wat.SlowTalker);
        var pid = await env.DetachAsync(talker);
        var wait = await env.Cli.RunAsync("wait", pid);

        var stdout = await env.Cli.RunAsync("logs", pid);
        var stderr = await env.Cli.RunAsync("logs", pid, "--stderr");
        var raw = await env.Cli.RunRawAsync(["logs", pid]);

        Assert.True(wait.ExitCode == 0, wait.ToString());
        Assert.True(stdout.ExitCode == 0, stdout.ToString());
        Assert.Equal("first\nsecond\n", stdout.Out);
        Assert.Equal("oops\n", stderr.Out);
        Assert.Empty(stderr.Error);
        Assert.Equal("first\nsecond\n"u8.ToArray(), raw.OutBytes);
    }

    [Fact]
    public async Task Logs_Follow_StreamsUntilTheProcessEnds()
    {
        await using var env = await LoggedInAsync();
        var talker = env.Module("talker", Wat.SlowTalker);
        var pid = await env.DetachAsync(talker);

        var follow = await env.Cli.RunAsync("logs", "-f", pid);
        var followStderr = await env.Cli.RunAsync("logs", pid, "--follow", "--stderr");

        Assert.True(follow.ExitCode == 0, follow.ToString());
        Assert.Equal("first\nsecond\n", follow.Out);
        Assert.True(followStderr.ExitCode == 0, followStderr.ToString());
        Assert.Equal("oops\n", followStderr.Out);
        var state = await env.Client.GetProcessAsync(long.Parse(pid, System.Globalization.CultureInfo.InvariantCulture), TestContext.Current.CancellationToken);
        Assert.Equal(("exited", 0), (state.State, state.ExitCode));
    }

    [Fact]
    public async Task PidVerbs_UnknownPid_ExitOneWithProcessNotFound()
    {
        await using var env = await LoggedInAsync();

        foreach (var verb in new[] { "kill", "wait", "logs" })
        {
            var result = await env.Cli.RunAsync(verb, "999999");

            Assert.True(result.ExitCode == ExitCodes.Failure, $"{verb}: {result}");
            Assert.EndsWith("(process_not_found)", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
        }

        var follow = await env.Cli.RunAsync("logs", "-f", "999999");
        Assert.True(follow.ExitCode == ExitCodes.Failure, follow.ToString());
        Assert.EndsWith("(process_not_found)", Assert.Single(follow.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ps_NoProcesses_SaysSo()
    {
        await using var env = await LoggedInAsync();

        var result = await env.Cli.RunAsync("ps", "--all");
        var json = await env.Cli.RunAsync("ps", "--json");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("No processes.", result.Out.Trim());
        using var document = JsonDocument.Parse(json.Out);
        Assert.Equal(0, document.RootElement.GetProperty("processes").GetArrayLength());
        Assert.Equal(env.Node.BaseAddress.ToString().TrimEnd('/'), document.RootElement.GetProperty("node").GetString());
    }

    [Fact]
    public async Task Ps_RevokedSession_ExitsOneWithLoginHint()
    {
        await using var env = await LoggedInAsync();
        await env.Client.LogoutAsync(TestContext.Current.CancellationToken);

        var result = await env.Cli.RunAsync("ps");

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.StartsWith("greyos: the stored session for ", line, StringComparison.Ordinal);
        Assert.Contains("expired or revoked", line, StringComparison.Ordinal);
        Assert.Contains("greyos login", line, StringComparison.Ordinal);
        Assert.EndsWith("(invalid_signature)", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Client_AttachSpawnedProcess_StreamsOutputFeedsStdinAndReturnsTheRecord()
    {
        await using var env = await LoggedInAsync();
        var ct = TestContext.Current.CancellationToken;
        var wasm = Wasmtime.Module.ConvertText(Wat.Cat);
        var module = await env.Client.PutModuleAsync(wasm, ct);
        var process = await env.Client.SpawnAsync(new SpawnProcessRequest(module.Sha256, Name: "cat", Attach: true), ct);

        await using var attachment = await env.Client.AttachAsync(process.Pid, ct);
        await attachment.SendInputAsync("ping\n"u8.ToArray(), ct);
        await attachment.CompleteInputAsync(ct);
        var output = new MemoryStream();
        await foreach (var frame in attachment.ReadOutputAsync(ct))
        {
            Assert.Equal(OutputChannel.Stdout, frame.Channel);
            output.Write(frame.Data.Span);
        }

        Assert.Equal("ping\n", Encoding.UTF8.GetString(output.ToArray()));
        Assert.NotNull(attachment.Result);
        Assert.Equal((process.Pid, "exited", 0), (attachment.Result.Pid, attachment.Result.State, attachment.Result.ExitCode));
        Assert.True(attachment.Result.HasEnded);
    }

    [Fact]
    public async Task Client_AttachRefused_ThrowsTheNodesProblem()
    {
        await using var env = await LoggedInAsync();
        using var http = new HttpClient { BaseAddress = env.Node.BaseAddress };
        var anonymous = new GreyOSClient(http);

        var unknown = await Assert.ThrowsAsync<GreyOSApiException>(() => env.Client.AttachAsync(999999, TestContext.Current.CancellationToken));
        var unauthenticated = await Assert.ThrowsAsync<GreyOSApiException>(() => anonymous.AttachAsync(1, TestContext.Current.CancellationToken));

        Assert.Equal((HttpStatusCode.NotFound, "process_not_found"), (unknown.StatusCode, unknown.Code));
        Assert.Equal((HttpStatusCode.Unauthorized, "unauthenticated"), (unauthenticated.StatusCode, unauthenticated.Code));
    }

    [Fact]
    public async Task Client_AttachUnreachable_ThrowsConnectionException()
    {
        using var http = new HttpClient { BaseAddress = new Uri("http://127.0.0.1:1/") };

        var ex = await Assert.ThrowsAsync<GreyOSConnectionException>(() => new GreyOSClient(http).AttachAsync(1, TestContext.Current.CancellationToken));

        Assert.Equal(new Uri("http://127.0.0.1:1/"), ex.NodeAddress);
        Assert.False(string.IsNullOrWhiteSpace(ex.Reason));
    }

    [Fact]
    public async Task Client_WaitOnARunningProcess_ReturnsAfterTheTimeoutNotEnded()
    {
        await using var env = await LoggedInAsync();
        var ct = TestContext.Current.CancellationToken;
        var module = await env.Client.PutModuleAsync(Wasmtime.Module.ConvertText(Wat.Spin), ct);
        var process = await env.Client.SpawnAsync(new SpawnProcessRequest(module.Sha256), ct);

        var waited = await env.Client.WaitAsync(process.Pid, TimeSpan.FromSeconds(1), ct);
        var killed = await env.Client.KillAsync(process.Pid, ct);
        var ended = await env.Client.WaitAsync(process.Pid, TimeSpan.FromSeconds(10), ct);
        var listed = await env.Client.ListProcessesAsync(state: "killed", cancellationToken: ct);
        var stdout = await env.Client.GetOutputAsync(process.Pid, OutputChannel.Stdout, ct);

        Assert.False(waited.HasEnded);
        Assert.Equal(process.Pid, killed.Pid);
        Assert.Equal("killed", ended.State);
        Assert.Equal(process.Pid, Assert.Single(listed).Pid);
        Assert.Empty(stdout);
    }

    [Fact]
    public async Task Client_PutModuleTwice_SameAnswerAndGetFindsIt()
    {
        await using var env = await LoggedInAsync();
        var ct = TestContext.Current.CancellationToken;
        var wasm = Wasmtime.Module.ConvertText(Wat.Hello);

        var first = await env.Client.PutModuleAsync(wasm, ct);
        var second = await env.Client.PutModuleAsync(wasm, ct);
        var found = await env.Client.GetModuleAsync(first.Sha256, ct);

        Assert.Equal(GreyOSClient.ModuleHash(wasm), first.Sha256);
        Assert.Equal(wasm.Length, first.Size);
        Assert.Contains("wasi_snapshot_preview1.fd_write", first.Imports);
        Assert.Equal(first.Sha256, second.Sha256);
        Assert.Equal(first.Sha256, found?.Sha256);
    }

    private static async Task<ProcessEnvironment> LoggedInAsync()
    {
        var node = await TestNode.StartAsync(new TestNodeOptions { AdminPassword = TestNode.DefaultAdminPassword }, TestContext.Current.CancellationToken);
        var env = new ProcessEnvironment(node);
        var login = await env.Cli.RunAsync(["login", "--password-stdin"], TestNode.DefaultAdminPassword + "\n");
        Assert.True(login.ExitCode == 0, login.ToString());
        env.Client.Credential = env.Cli.StoredCredential(node.BaseAddress);
        return env;
    }

    /// <summary>A node, a logged-in CLI, a client with the same session, and a folder for .wasm files.</summary>
    private sealed class ProcessEnvironment : IAsyncDisposable
    {
        private readonly TempDirectory _files = new("greyos-cli-wasm");
        private readonly HttpClient _http;

        public ProcessEnvironment(TestNode node)
        {
            Node = node;
            Cli = new Cli(node.BaseAddress);
            _http = new HttpClient { BaseAddress = node.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
            _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("greyos-cli-tests", "1"));
            Client = new GreyOSClient(_http);
        }

        public TestNode Node { get; }

        public Cli Cli { get; }

        public GreyOSClient Client { get; }

        public string Files => _files.Path;

        /// <summary>Writes <paramref name="wat"/> compiled to <c>NAME.wasm</c> and returns its path.</summary>
        public string Module(string name, string wat)
        {
            var path = Path.Combine(_files.Path, name + ".wasm");
            File.WriteAllBytes(path, Wasmtime.Module.ConvertText(wat));
            return path;
        }

        /// <summary><c>greyos run FILE --detach</c>; returns the PID as printed.</summary>
        public async Task<string> DetachAsync(string path)
        {
            var run = await Cli.RunAsync("run", path, "--detach");
            Assert.True(run.ExitCode == 0, run.ToString());
            return run.Out.Trim();
        }

        /// <summary>Polls <paramref name="probe"/> until it returns a value (10 s at most).</summary>
        public async Task<T> EventuallyAsync<T>(Func<GreyOSClient, Task<T?>> probe)
            where T : class
        {
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (true)
            {
                if (await probe(Client) is { } value)
                {
                    return value;
                }

                Assert.True(DateTime.UtcNow < deadline, "timed out waiting for the condition");
                await Task.Delay(50, TestContext.Current.CancellationToken);
            }
        }

        public async ValueTask DisposeAsync()
        {
            _http.Dispose();
            Cli.Dispose();
            await Node.DisposeAsync();
            _files.Dispose();
        }
    }
}
