using GreyOS.Abstractions.Node;
using GreyOS.Abstractions.Processes;
using GreyOS.Abstractions.Runtime;
using GreyOS.Kernel;
using GreyOS.Kernel.Processes;
using GreyOS.Runtime.Wasmtime;
using GreyOS.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GreyOS.Benchmarks.Kernel;

/// <summary>
/// A real kernel in this process, composed the way the node composes it (and the way
/// tests/GreyOS.Kernel.Tests/KernelHarness.cs does): SQLite storage in a temporary data folder, the
/// Wasmtime runtime, the kernel, every <see cref="INodeInitializer"/> run in order. Logging is on at
/// Warning (no provider), so spawn/end log lines cost only their level check.
/// </summary>
internal sealed class KernelNode : IAsyncDisposable
{
    /// <summary>The owner of every process spawned by the benchmarks.</summary>
    public const string Owner = "usr_bench";

    private readonly ServiceProvider _services;
    private readonly string _folder;

    private KernelNode(ServiceProvider services, string folder)
    {
        _services = services;
        _folder = folder;
    }

    public IWasmRuntime Runtime => _services.GetRequiredService<IWasmRuntime>();

    public IProcessManager Processes => _services.GetRequiredService<IProcessManager>();

    public ProcessManager Manager => _services.GetRequiredService<ProcessManager>();

    /// <summary>Starts a kernel; <paramref name="configure"/> adjusts <see cref="KernelOptions"/> (quotas for the big runs).</summary>
    public static async Task<KernelNode> StartAsync(Action<KernelOptions>? configure = null)
    {
        var folder = Directory.CreateTempSubdirectory("greyos-bench-kernel-").FullName;
        var data = Path.Combine(folder, "data");
        Directory.CreateDirectory(data);
        var services = new ServiceCollection()
            .AddLogging(b => b.SetMinimumLevel(LogLevel.Warning))
            .AddSingleton(TimeProvider.System)
            .AddSingleton(new DataDirectory(data))
            .AddSqliteStorage()
            .AddWasmtimeRuntime()
            .AddGreyOSKernel()
            .Configure<KernelOptions>(o => configure?.Invoke(o))
            .BuildServiceProvider();
        foreach (var step in services.GetServices<INodeInitializer>().OrderBy(s => s.Order))
        {
            await step.InitializeAsync(CancellationToken.None).ConfigureAwait(false);
        }

        return new KernelNode(services, folder);
    }

    /// <summary>Loads (validates, compiles, caches) a module and returns its SHA-256.</summary>
    public string Load(byte[] wasm)
    {
        var result = Runtime.LoadModule(wasm);
        return result.IsSuccess ? result.Value.Sha256 : throw new InvalidOperationException(result.Error.Message);
    }

    /// <summary>A spawn request for <paramref name="sha256"/> with CPU limit at the node's maximum (benchmarks run guests for long).</summary>
    public static SpawnRequest Request(string sha256, int memoryMiB = 64) =>
        new(sha256, Owner, [], new Dictionary<string, string>(), new ProcessLimits(memoryMiB, 86_400, 0), AppName: "bench");

    /// <summary>Spawns and returns the live kernel record; throws when the spawn is refused.</summary>
    public async Task<KernelProcess> SpawnAsync(SpawnRequest request)
    {
        var result = await Processes.SpawnAsync(request, CancellationToken.None).ConfigureAwait(false);
        if (!result.IsSuccess)
        {
            throw new InvalidOperationException($"spawn refused: {result.Error.Message}");
        }

        return Manager.FindLive(result.Value.Pid) ?? throw new InvalidOperationException($"process {result.Value.Pid} ended at once");
    }

    /// <summary>Spins (no sleeping) until the service is <see cref="ProcessState.Idle"/>; throws if it ends.</summary>
    public static void WaitIdle(KernelProcess process)
    {
        var spin = default(SpinWait);
        while (process.State != ProcessState.Idle)
        {
            if (process.HasEnded)
            {
                throw new InvalidOperationException($"process {process.Pid} ended: {process.State} {process.FaultReason}");
            }

            spin.SpinOnce(sleep1Threshold: -1);
        }
    }

    /// <summary>Kills the processes and waits until each has ended (instance disposed, quota released).</summary>
    public async Task KillAllAsync(IEnumerable<KernelProcess> processes)
    {
        var ends = new List<Task>();
        foreach (var process in processes)
        {
            await Processes.KillAsync(process.Pid, "benchmark cleanup", CancellationToken.None).ConfigureAwait(false);
            ends.Add(process.Ended);
        }

        await Task.WhenAll(ends).WaitAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var hosted in _services.GetServices<IHostedService>())
        {
            await hosted.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }

        await _services.DisposeAsync().ConfigureAwait(false);
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp folder.
        }
    }
}
