using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text.Json;
using GreyOS.Client;
using GreyOS.Protocol;
using GreyOS.Testing;

namespace GreyOS.Server.IntegrationTests;

public sealed class ProcessApiTests
{
    private const string Hello = """
        (module
          (import "wasi_snapshot_preview1" "args_sizes_get" (func $sizes (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
          (memory (export "memory") 1)
          (data (i32.const 100) "hello\n")
          (func (export "_start")
            (drop (call $sizes (i32.const 0) (i32.const 4)))
            (i32.store (i32.const 16) (i32.const 100))
            (i32.store (i32.const 20) (i32.const 6))
            (drop (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24)))
            (call $exit (i32.load (i32.const 0)))))
        """;

    private const string Spin = WatApps.Spin;

    private const string CountStdin = """
        (module
          (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
          (memory (export "memory") 1)
          (func (export "_start") (local $total i32) (local $n i32)
            (i32.store (i32.const 0) (i32.const 1024))
            (i32.store (i32.const 4) (i32.const 4096))
            (block $eof (loop $l
              (drop (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))
              (local.set $n (i32.load (i32.const 8)))
              (br_if $eof (i32.eqz (local.get $n)))
              (local.set $total (i32.add (local.get $total) (local.get $n)))
              (br $l)))
            (call $exit (local.get $total))))
        """;

    [Fact]
    public async Task Run_UploadSpawnWait_ExitCodeAndOutput()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var node = await TestNode.StartAsync(new TestNodeOptions { AdminPassword = TestNode.DefaultAdminPassword }, ct);
        using var client = await node.LoginAsync(cancellationToken: ct);
        var sha = await UploadAsync(client, Hello);

        var spawned = await client.PostAsJsonAsync("/api/v1/processes", new SpawnProcessRequest(sha, ["a", "b"], Name: "hello"), ProtocolJsonContext.Default.SpawnProcessRequest, ct);
        Assert.Equal(HttpStatusCode.Created, spawned.StatusCode);
        var process = (await spawned.Content.ReadFromJsonAsync(ProtocolJsonContext.Default.ProcessResponse, ct))!;
        var ended = await WaitAsync(client, process.Pid);
        var stdout = await client.GetStringAsync($"/api/v1/processes/{process.Pid}/output?stream=stdout", ct);
        var list = await client.GetFromJsonAsync("/api/v1/processes?state=exited", ProtocolJsonContext.Default.ProcessListResponse, ct);

        Assert.Equal(("exited", 3), (ended.State, ended.ExitCode));
        Assert.Equal("hello\n", stdout);
        Assert.Contains(list!.Processes, p => p.Pid == process.Pid && p.Name == "hello");
    }

    [Fact]
    public async Task Upload_NotWebAssembly_400InvalidModule()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var node = await TestNode.StartAsync(new TestNodeOptions { AdminPassword = TestNode.DefaultAdminPassword }, ct);
        using var client = await node.LoginAsync(cancellationToken: ct);
        var bytes = "not wasm at all"u8.ToArray();

        var response = await client.PutAsync($"/api/v1/modules/{Convert.ToHexStringLower(SHA256.HashData(bytes))}", new ByteArrayContent(bytes), ct);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "invalid_module");
    }

    [Fact]
    public async Task Upload_UnknownImports_ListsThemAll()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var node = await TestNode.StartAsync(new TestNodeOptions { AdminPassword = TestNode.DefaultAdminPassword }, ct);
        using var client = await node.LoginAsync(cancellationToken: ct);
        var bytes = Wasmtime.Module.ConvertText("""
            (module (import "grey" "no_such_call" (func)) (import "env" "foo" (func)) (memory (export "memory") 1) (func (export "_start")))
            """);

        var response = await client.PutAsync($"/api/v1/modules/{Convert.ToHexStringLower(SHA256.HashData(bytes))}", new ByteArrayContent(bytes), ct);

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "invalid_module");
        Assert.Contains("grey.no_such_call", problem.Detail, StringComparison.Ordinal);
        Assert.Contains("env.foo", problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_HashMismatch_400()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var node = await TestNode.StartAsync(new TestNodeOptions { AdminPassword = TestNode.DefaultAdminPassword }, ct);
        using var client = await node.LoginAsync(cancellationToken: ct);

        var response = await client.PutAsync($"/api/v1/modules/{new string('0', 64)}", new ByteArrayContent(Wasmtime.Module.ConvertText(Spin)), ct);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "invalid_request");
    }

    [Fact]
    public async Task Spawn_UnknownModuleOrBadLimits_Refused()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var node = await TestNode.StartAsync(new TestNodeOptions { AdminPassword = TestNode.DefaultAdminPassword }, ct);
        using var client = await node.LoginAsync(cancellationToken: ct);
        var sha = await UploadAsync(client, Spin);

        var unknown = await client.PostAsJsonAsync("/api/v1/processes", new SpawnProcessRequest(new string('a', 64)), ProtocolJsonContext.Default.SpawnProcessRequest, ct);
        var tooBig = await client.PostAsJsonAsync("/api/v1/processes", new SpawnProcessRequest(sha, Limits: new ProcessLimitsDto(MemoryMiB: 1_000_000)), ProtocolJsonContext.Default.SpawnProcessRequest, ct);

        await ProblemAssert.IsProblemAsync(unknown, HttpStatusCode.NotFound, "module_not_found");
        await ProblemAssert.IsProblemAsync(tooBig, HttpStatusCode.BadRequest, "limit_out_of_range");
    }

    [Fact]
    public async Task Kill_Spinner_KilledAndNodeKeepsServing()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var node = await TestNode.StartAsync(new TestNodeOptions { AdminPassword = TestNode.DefaultAdminPassword }, ct);
        using var client = await node.LoginAsync(cancellationToken: ct);
        var sha = await UploadAsync(client, Spin);
        var spawned = await client.PostAsJsonAsync("/api/v1/processes", new SpawnProcessRequest(sha), ProtocolJsonContext.Default.SpawnProcessRequest, ct);
        var pid = (await spawned.Content.ReadFromJsonAsync(ProtocolJsonContext.Default.ProcessResponse, ct))!.Pid;

        var health = await node.Http.GetAsync("/api/v1/health", ct);
        var killed = await client.DeleteAsync($"/api/v1/processes/{pid}", ct);
        var ended = await WaitAsync(client, pid);

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, killed.StatusCode);
        Assert.Equal("killed", ended.State);
        Assert.Equal("killed by admin", ended.FaultReason);
    }

    [Fact]
    public async Task Attach_AfterTheProcessEnded_StillGetsItsOutput()
    {
        var ct = TestContext.Current.CancellationToken;
        for (var round = 0; round < 3; round++)
        {
            await using var node = await TestNode.StartAsync(new TestNodeOptions { AdminPassword = TestNode.DefaultAdminPassword }, ct);
            var (client, credential) = await node.LoginDeviceAsync(cancellationToken: ct);
            using var disposeClient = client;
            var sha = await UploadAsync(client, Hello);
            var spawned = await client.PostAsJsonAsync("/api/v1/processes", new SpawnProcessRequest(sha, ["x"]), ProtocolJsonContext.Default.SpawnProcessRequest, ct);
            var pid = (await spawned.Content.ReadFromJsonAsync(ProtocolJsonContext.Default.ProcessResponse, ct))!.Pid;
            await WaitAsync(client, pid);

            using var socket = new ClientWebSocket();
            using var signer = new HttpMessageInvoker(new SigningHandler(credential));
            await socket.ConnectAsync(new Uri($"ws://{node.BaseAddress.Authority}/api/v1/processes/{pid}/attach"), signer, ct);
            var stdout = new List<byte>();
            ProcessResponse? final = null;
            var buffer = new byte[65536];
            while (final is null)
            {
                var received = await socket.ReceiveAsync(buffer, ct);
                Assert.NotEqual(WebSocketMessageType.Close, received.MessageType);
                if (received.MessageType == WebSocketMessageType.Text)
                {
                    final = JsonSerializer.Deserialize(buffer.AsSpan(0, received.Count), ProtocolJsonContext.Default.ProcessResponse);
                }
                else if (buffer[0] == AttachFrames.Stdout)
                {
                    stdout.AddRange(buffer.AsSpan(1, received.Count - 1).ToArray());
                }
            }

            Assert.Equal("hello\n", System.Text.Encoding.UTF8.GetString([.. stdout]));
            Assert.Equal(2, final!.ExitCode);
        }
    }

    [Fact]
    public async Task Attach_WebSocket_StdinInOutputOutFinalRecord()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var node = await TestNode.StartAsync(new TestNodeOptions { AdminPassword = TestNode.DefaultAdminPassword }, ct);
        var (client, credential) = await node.LoginDeviceAsync(cancellationToken: ct);
        using var disposeClient = client;
        var sha = await UploadAsync(client, CountStdin);
        var spawned = await client.PostAsJsonAsync("/api/v1/processes", new SpawnProcessRequest(sha, Attach: true), ProtocolJsonContext.Default.SpawnProcessRequest, ct);
        var pid = (await spawned.Content.ReadFromJsonAsync(ProtocolJsonContext.Default.ProcessResponse, ct))!.Pid;

        using var socket = new ClientWebSocket();
        using var signer = new HttpMessageInvoker(new SigningHandler(credential));
        await socket.ConnectAsync(new Uri($"ws://{node.BaseAddress.Authority}/api/v1/processes/{pid}/attach"), signer, ct);
        await socket.SendAsync(new byte[] { AttachFrames.Stdin, (byte)'a', (byte)'b', (byte)'c' }, WebSocketMessageType.Binary, true, ct);
        await socket.SendAsync(new byte[] { AttachFrames.StdinEof }, WebSocketMessageType.Binary, true, ct);

        ProcessResponse? final = null;
        var buffer = new byte[65536];
        while (final is null)
        {
            var received = await socket.ReceiveAsync(buffer, ct);
            Assert.NotEqual(WebSocketMessageType.Close, received.MessageType);
            if (received.MessageType == WebSocketMessageType.Text)
            {
                final = JsonSerializer.Deserialize(buffer.AsSpan(0, received.Count), ProtocolJsonContext.Default.ProcessResponse);
            }
        }

        Assert.Equal(("exited", 3), (final!.State, final.ExitCode));
    }

    [Fact]
    public async Task Processes_Anonymous_401()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var node = await TestNode.StartAsync(cancellationToken: ct);

        await ProblemAssert.IsProblemAsync(await node.Http.GetAsync("/api/v1/processes", ct), HttpStatusCode.Unauthorized, "unauthenticated");
    }

    private static async Task<string> UploadAsync(HttpClient client, string wat)
    {
        var bytes = Wasmtime.Module.ConvertText(wat);
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/wasm");
        var response = await client.PutAsync($"/api/v1/modules/{sha}", content, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return sha;
    }

    private static async Task<ProcessResponse> WaitAsync(HttpClient client, long pid)
    {
        for (var i = 0; i < 10; i++)
        {
            var record = await client.GetFromJsonAsync($"/api/v1/processes/{pid}/wait?timeoutSeconds=10", ProtocolJsonContext.Default.ProcessResponse, TestContext.Current.CancellationToken);
            if (record!.HasEnded)
            {
                return record;
            }
        }

        throw new TimeoutException($"process {pid} did not end");
    }
}
