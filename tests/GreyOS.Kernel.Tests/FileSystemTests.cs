using System.Text;
using GreyOS.Abstractions.Errors;
using GreyOS.Abstractions.FileSystem;
using GreyOS.Abstractions.Processes;

namespace GreyOS.Kernel.Tests;

/// <summary>
/// The apps' file system on the real kernel, real Wasmtime and the real VFS on SQLite: granted folders
/// as WASI preopens, the grey fs_* and kv_* calls through the gate, limits, and grant validation.
/// </summary>
public sealed class FileSystemTests(AppsFixture apps)
{
    private static readonly FilePrincipal Alice = new("usr_alice", "alice", IsAdmin: false);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task WasiFiles_ConformanceOnAPreopen_EveryCheckPasses()
    {
        await using var kernel = await KernelHarness.StartAsync(files: true);
        await MkdirAsync(kernel, "/home/alice/box");

        var (info, stdout, _) = await RunAppAsync(kernel, "wasi_files", [Grant("/home/alice/box", "/box")]);

        Assert.True(info.ExitCode == 0, $"{info.State} {info.ExitCode} {info.FaultReason}\n{stdout}");
        Assert.Contains("preopen /box", stdout, StringComparison.Ordinal);
        Assert.Equal("abcdef", await ReadAsync(kernel, "/home/alice/box/a.txt"));
    }

    [Fact]
    public async Task FilesSample_StdioDirentGreyFsAndKv_FilesAppearInTheUsersFolder()
    {
        await using var kernel = await KernelHarness.StartAsync(files: true);
        await MkdirAsync(kernel, "/home/alice/work");
        await WriteAsync(kernel, "/home/alice/work/input.txt", "make me loud");

        var first = await RunAppAsync(kernel, "files", [Grant("/home/alice/work", "/work")], ["/work"], ["kv.read", "kv.write"], appId: "org.example.files");
        var second = await RunAppAsync(kernel, "files", [Grant("/home/alice/work", "/work")], ["/work"], ["kv.read", "kv.write"], appId: "org.example.files");

        Assert.True(first.Info.ExitCode == 0, $"{first.Info.State} {first.Info.FaultReason}\n{first.Stdout}");
        Assert.True(second.Info.ExitCode == 0, second.Stdout);
        Assert.Equal("hello from a GreyOS app\nsecond line\n", await ReadAsync(kernel, "/home/alice/work/notes.txt"));
        Assert.Equal("MAKE ME LOUD", await ReadAsync(kernel, "/home/alice/work/output.txt"));
        Assert.Equal("12345", await ReadAsync(kernel, "/home/alice/work/sub/moved.txt"));
        Assert.Equal("written with fs_write\n", await ReadAsync(kernel, "/home/alice/work/grey.txt"));
        Assert.Contains("runs: 1", first.Stdout, StringComparison.Ordinal);
        Assert.Contains("runs: 2", second.Stdout, StringComparison.Ordinal);
        Assert.Contains("fs.write /home/alice/work", first.Info.Capabilities);
    }

    [Fact]
    public async Task EscapeAttempts_DotDotAbsoluteSymlinksOutsideGrants_AllRefusedAndAudited()
    {
        await using var kernel = await KernelHarness.StartAsync(files: true);
        await MkdirAsync(kernel, "/home/alice/box");
        await MkdirAsync(kernel, "/home/alice/box/ok");

        var (info, stdout, _) = await RunAppAsync(kernel, "fs_escape", [Grant("/home/alice/box", "/work")], ["/work"]);

        Assert.True(info.ExitCode == 0, $"{info.State} {info.ExitCode} {info.FaultReason}\n{stdout}");
        Assert.True(info.SyscallsDenied >= 5, $"denials counted: {info.SyscallsDenied}");
        Assert.False((await kernel.Files.StatAsync(Alice, Path("/home/alice/secret.txt"), Ct)).IsSuccess);
        Assert.False((await kernel.Files.StatAsync(Alice, Path("/home/alice/escape"), Ct)).IsSuccess);
        Assert.True((await kernel.Files.StatAsync(Alice, Path("/home/alice/box/inside.txt"), Ct)).IsSuccess);
    }

    [Fact]
    public async Task Flood_OpenFilesAndBufferedBytes_EmfileThenEdquot()
    {
        await using var kernel = await KernelHarness.StartAsync(configure: o =>
        {
            o.MaxOpenFiles = 40;
            o.MaxBufferedFileBytes = 3 * 1024 * 1024;
            o.FileBufferMemoryBytes = 256 * 1024; // spills to a temp file on the way
        }, files: true);
        await MkdirAsync(kernel, "/home/alice/box");

        var (info, stdout, _) = await RunAppAsync(kernel, "fs_flood", [Grant("/home/alice/box", "/work")], ["/work"]);

        Assert.True(info.ExitCode == 0, $"{info.State} {info.ExitCode} {info.FaultReason}\n{stdout}");
        Assert.Contains("opened 40,", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GreyFsAndKv_WithoutGrants_ErrorValuesNotTraps()
    {
        await using var kernel = await KernelHarness.StartAsync(files: true);
        var module = kernel.Load("""
            (module
              (import "grey" "fs_open" (func $open (param i32 i32 i32) (result i32)))
              (import "grey" "kv_get" (func $get (param i32 i32 i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
              (memory (export "memory") 1)
              (data (i32.const 16) "/work/x.txt")
              (func (export "_start")
                ;; exit code = (-fs_open) * 16 + (-kv_get): 1 * 16 + 1 = 17 when both are EACCES
                (call $exit
                  (i32.add
                    (i32.mul (i32.sub (i32.const 0) (call $open (i32.const 16) (i32.const 11) (i32.const 1))) (i32.const 16))
                    (i32.sub (i32.const 0) (call $get (i32.const 16) (i32.const 3) (i32.const 0) (i32.const 0)))))))
            """);

        var (info, _, _) = await kernel.RunAsync(module);

        Assert.Equal((ProcessState.Exited, 17), (info.State, info.ExitCode));
        Assert.Equal(2, info.SyscallsDenied);
    }

    [Fact]
    public async Task Kill_WhileWriting_DiscardsUncommittedWrites()
    {
        await using var kernel = await KernelHarness.StartAsync(files: true);
        await MkdirAsync(kernel, "/home/alice/box");
        await WriteAsync(kernel, "/home/alice/box/keep.txt", "old content");
        var module = kernel.Load("""
            (module
              (import "grey" "fs_open" (func $open (param i32 i32 i32) (result i32)))
              (import "grey" "fs_write" (func $write (param i32 i32 i32) (result i32)))
              (memory (export "memory") 1)
              (data (i32.const 16) "/work/keep.txt")
              (data (i32.const 64) "new content that must never land")
              (func (export "_start") (local $h i32)
                (local.set $h (call $open (i32.const 16) (i32.const 14) (i32.const 18))) ;; WRITE|TRUNC
                (drop (call $write (local.get $h) (i32.const 64) (i32.const 32)))
                (loop $spin (br $spin))))
            """);

        var started = await kernel.Processes.SpawnAsync(Request(module, [Grant("/home/alice/box", "/work")]), Ct);
        Assert.True(started.IsSuccess, started.Error?.Message);
        await Task.Delay(300, Ct);
        await kernel.Processes.KillAsync(started.Value.Pid, "test", Ct);
        var ended = await kernel.Processes.WaitAsync(started.Value.Pid, Ct);

        Assert.Equal(ProcessState.Killed, ended.Value.State);
        Assert.Equal("old content", await ReadAsync(kernel, "/home/alice/box/keep.txt"));
    }

    [Fact]
    public async Task NormalExit_WithoutClose_CommitsOpenFiles()
    {
        await using var kernel = await KernelHarness.StartAsync(files: true);
        await MkdirAsync(kernel, "/home/alice/box");
        var module = kernel.Load("""
            (module
              (import "grey" "fs_open" (func $open (param i32 i32 i32) (result i32)))
              (import "grey" "fs_write" (func $write (param i32 i32 i32) (result i32)))
              (memory (export "memory") 1)
              (data (i32.const 16) "/work/exit.txt")
              (data (i32.const 64) "flushed at exit")
              (func (export "_start")
                (drop (call $write (call $open (i32.const 16) (i32.const 14) (i32.const 6)) (i32.const 64) (i32.const 15)))))
            """);

        var (info, _, _) = await RunModuleAsync(kernel, module, [Grant("/home/alice/box", "/work")]);

        Assert.Equal((ProcessState.Exited, 0), (info.State, info.ExitCode));
        Assert.Equal("flushed at exit", await ReadAsync(kernel, "/home/alice/box/exit.txt"));
    }

    [Fact]
    public async Task Spawn_FolderTheOwnerMayNotAccess_RefusedBeforeRunning()
    {
        await using var kernel = await KernelHarness.StartAsync(files: true);
        var module = kernel.Load("(module (func (export \"_start\")))");

        var other = await kernel.Processes.SpawnAsync(Request(module, [Grant("/home/bob", "/bob")]), Ct);
        var missing = await kernel.Processes.SpawnAsync(Request(module, [Grant("/home/alice/nothing", "/x")]), Ct);
        var escape = await kernel.Processes.SpawnAsync(Request(module, [new DirectoryGrant(Path("/home/alice"), "/a/../b")]), Ct);
        var twice = await kernel.Processes.SpawnAsync(Request(module, [Grant("/home/alice", "/a"), Grant("/shared", "/a")]), Ct);
        var named = await kernel.Processes.SpawnAsync(Request(module, []) with { Capabilities = ["fs.read"] }, Ct);
        var systemWritable = await kernel.Processes.SpawnAsync(Request(module, [Grant("/system", "/sys")]), Ct);

        Assert.Equal(ErrorCodes.Forbidden, other.Error?.Code);
        Assert.Equal(ErrorCodes.FileNotFound, missing.Error?.Code);
        Assert.Equal(ErrorCodes.InvalidPath, escape.Error?.Code);
        Assert.Equal(ErrorCodes.InvalidRequest, twice.Error?.Code);
        Assert.Equal(ErrorCodes.InvalidRequest, named.Error?.Code);
        Assert.Equal(ErrorCodes.Forbidden, systemWritable.Error?.Code); // readable, but not writable: only with :ro
        Assert.Contains("read-only (:ro)", systemWritable.Error?.Message, StringComparison.Ordinal);
        Assert.Empty(await kernel.Processes.ListAsync(new ProcessQuery(KernelHarness.Owner), Ct));
        var systemReadOnly = await kernel.Processes.SpawnAsync(Request(module, [new DirectoryGrant(Path("/system"), "/sys", ReadOnly: true)]), Ct);
        Assert.True(systemReadOnly.IsSuccess, systemReadOnly.Error?.Message);
    }

    [Fact]
    public async Task ReadOnlyGrant_WritesRefused_ReadsWork()
    {
        await using var kernel = await KernelHarness.StartAsync(files: true);
        await MkdirAsync(kernel, "/home/alice/ro");
        await WriteAsync(kernel, "/home/alice/ro/data.txt", "readable");
        var module = kernel.Load("""
            (module
              (import "grey" "fs_open" (func $open (param i32 i32 i32) (result i32)))
              (import "grey" "fs_read" (func $read (param i32 i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
              (memory (export "memory") 1)
              (data (i32.const 16) "/ro/data.txt")
              (func (export "_start")
                ;; exit = bytes read (8) * 16 + -fs_open(WRITE) (EACCES 1) = 129
                (call $exit (i32.add
                  (i32.mul (call $read (call $open (i32.const 16) (i32.const 12) (i32.const 1)) (i32.const 100) (i32.const 50)) (i32.const 16))
                  (i32.sub (i32.const 0) (call $open (i32.const 16) (i32.const 12) (i32.const 2)))))))
            """);

        var (info, _, _) = await RunModuleAsync(kernel, module, [new DirectoryGrant(Path("/home/alice/ro"), "/ro", ReadOnly: true)]);

        Assert.Equal(129, info.ExitCode);
        Assert.DoesNotContain("fs.write /home/alice/ro", info.Capabilities);
    }

    // ------------------------------------------------------------------ helpers

    private static DirectoryGrant Grant(string path, string guest) => new(Path(path), guest);

    private static VfsPath Path(string path) => VfsPath.Parse(path).Value;

    private static SpawnRequest Request(string module, IReadOnlyList<DirectoryGrant> dirs, string[]? args = null, IReadOnlyList<string>? capabilities = null, string? appId = null) =>
        new(module, Alice.UserId, args ?? [], new Dictionary<string, string>(), Capabilities: capabilities, Directories: dirs, Files: Alice, AppId: appId);

    private async Task<(ProcessInfo Info, string Stdout, string Stderr)> RunAppAsync(
        KernelHarness kernel, string app, IReadOnlyList<DirectoryGrant> dirs, string[]? args = null, IReadOnlyList<string>? capabilities = null, string? appId = null)
    {
        var loaded = kernel.Runtime.LoadModule(apps.Wasm(app));
        Assert.True(loaded.IsSuccess, loaded.Error?.Message);
        return await RunModuleAsync(kernel, loaded.Value.Sha256, dirs, args, capabilities, appId);
    }

    private static async Task<(ProcessInfo Info, string Stdout, string Stderr)> RunModuleAsync(
        KernelHarness kernel, string sha256, IReadOnlyList<DirectoryGrant> dirs, string[]? args = null, IReadOnlyList<string>? capabilities = null, string? appId = null)
    {
        var started = await kernel.Processes.SpawnAsync(Request(sha256, dirs, args, capabilities, appId), Ct);
        Assert.True(started.IsSuccess, started.Error?.Message);
        var info = (await kernel.Processes.WaitAsync(started.Value.Pid, Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(60), Ct)).Value;
        var (stdout, stderr) = await kernel.OutputAsync(started.Value.Pid);
        return (info, stdout, stderr);
    }

    private static async Task MkdirAsync(KernelHarness kernel, string path) =>
        Assert.True((await kernel.Files.CreateFolderAsync(Alice, Path(path), true, Ct)).IsSuccess);

    private static async Task WriteAsync(KernelHarness kernel, string path, string content)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(content));
        var written = await kernel.Files.WriteAsync(Alice, Path(path), stream, new WriteOptions(), Ct);
        Assert.True(written.IsSuccess, written.Error?.Message);
    }

    private static async Task<string> ReadAsync(KernelHarness kernel, string path)
    {
        var opened = await kernel.Files.OpenReadAsync(Alice, Path(path), 0, null, Ct);
        Assert.True(opened.IsSuccess, $"{path}: {opened.Error?.Message}");
        await using var content = opened.Value.Content;
        using var reader = new StreamReader(content);
        return await reader.ReadToEndAsync(Ct);
    }
}
