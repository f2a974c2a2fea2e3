using System.Text;
using GreyOS.Abstractions.FileSystem;
using GreyOS.Abstractions.Node;
using GreyOS.Abstractions.Processes;
using GreyOS.Abstractions.Runtime;
using GreyOS.FileSystem;
using GreyOS.Identity;
using GreyOS.Kernel.Processes;
using GreyOS.Runtime.Wasmtime;
using GreyOS.Storage.Sqlite;
using GreyOS.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GreyOS.Kernel.Tests;

/// <summary>A real kernel on a real runtime and a real SQLite database in a temp data folder.</summary>
internal sealed class KernelHarness : IAsyncDisposable
{
    public const string Owner = "usr_test";

    private readonly ServiceProvider _services;
    private readonly TempDirectory? _owned;

    private KernelHarness(ServiceProvider services, TempDirectory? owned)
    {
        _services = services;
        _owned = owned;
    }

    public IProcessManager Processes => _services.GetRequiredService<IProcessManager>();

    public IWasmRuntime Runtime => _services.GetRequiredService<IWasmRuntime>();

    internal ProcessManager Manager => _services.GetRequiredService<ProcessManager>();

    /// <summary>The VFS (when started with <c>files: true</c>).</summary>
    public IFileSystem Files => _services.GetRequiredService<IFileSystem>();

    public T Get<T>()
        where T : notnull => _services.GetRequiredService<T>();

    public static async Task<KernelHarness> StartAsync(string? dataDirectory = null, Action<KernelOptions>? configure = null, bool files = false)
    {
        var owned = dataDirectory is null ? new TempDirectory("greyos-kernel") : null;
        var data = dataDirectory ?? owned!.Path;
        Directory.CreateDirectory(data);
        var collection = new ServiceCollection()
            .AddLogging(b => b.SetMinimumLevel(LogLevel.Warning))
            .AddSingleton(TimeProvider.System)
            .AddSingleton(new DataDirectory(data))
            .AddSqliteStorage()
            .AddWasmtimeRuntime()
            .AddGreyOSKernel()
            .Configure<KernelOptions>(o => configure?.Invoke(o));
        if (files)
        {
            collection.AddSingleton<Microsoft.Extensions.Configuration.IConfiguration>(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build());
            collection.AddGreyOSIdentity().AddGreyOSFileSystem();
        }

        var services = collection.BuildServiceProvider();
        foreach (var step in services.GetServices<INodeInitializer>().OrderBy(s => s.Order))
        {
            await step.InitializeAsync(CancellationToken.None);
        }

        return new KernelHarness(services, owned);
    }

    /// <summary>Loads a WAT module and returns its hash.</summary>
    public string Load(string wat)
    {
        var result = Runtime.LoadModule(Wasmtime.Module.ConvertText(wat));
        Assert.True(result.IsSuccess, result.Error?.Message);
        return result.Value.Sha256;
    }

    public async Task<ProcessInfo> SpawnAsync(string sha256, string[]? args = null, ProcessLimits? limits = null, IReadOnlyList<string>? capabilities = null, bool keepStdinOpen = false, Dictionary<string, string>? environment = null)
    {
        var result = await Processes.SpawnAsync(
            new SpawnRequest(sha256, Owner, args ?? [], environment ?? [], limits, capabilities, KeepStdinOpen: keepStdinOpen),
            TestContext.Current.CancellationToken);
        Assert.True(result.IsSuccess, result.Error?.Message);
        return result.Value;
    }

    /// <summary>Runs a process to its end and returns its record and its stdout/stderr.</summary>
    public async Task<(ProcessInfo Info, string Stdout, string Stderr)> RunAsync(string sha256, string[]? args = null, ProcessLimits? limits = null, IReadOnlyList<string>? capabilities = null, Dictionary<string, string>? environment = null)
    {
        var started = await SpawnAsync(sha256, args, limits, capabilities, environment: environment);
        var info = (await Processes.WaitAsync(started.Pid, TestContext.Current.CancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(30))).Value;
        var (stdout, stderr) = await OutputAsync(started.Pid);
        return (info, stdout, stderr);
    }

    public async Task<(string Stdout, string Stderr)> OutputAsync(long pid)
    {
        await using var session = Processes.Attach(pid).Value;
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        await foreach (var chunk in session.ReadOutputAsync(TestContext.Current.CancellationToken))
        {
            (chunk.Channel == OutputChannel.Stdout ? stdout : stderr).Append(Encoding.UTF8.GetString(chunk.Data.Span));
        }

        return (stdout.ToString(), stderr.ToString());
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var hosted in _services.GetServices<IHostedService>())
        {
            await hosted.StopAsync(CancellationToken.None);
        }

        await _services.DisposeAsync();
        SqliteConnection.ClearAllPools();
        _owned?.Dispose();
    }
}
