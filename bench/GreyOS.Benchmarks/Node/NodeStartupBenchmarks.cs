using BenchmarkDotNet.Attributes;
using GreyOS.Benchmarks.Harness;

namespace GreyOS.Benchmarks.Node;

/// <summary>
/// Cold start: from process start (<c>dotnet &lt;dll&gt;</c>) to the first 200 from
/// <c>GET /api/v1/ready</c>, one fresh process per iteration on a fresh loopback port, stopped
/// (SIGTERM) after each iteration outside the measurement. Target: a node under 1.5 s.
/// </summary>
[Config(typeof(ProcessStartConfig))]
public class NodeStartupBenchmarks
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private HttpClient _client = null!;
    private string _setUpData = null!;
    private string? _freshFolder;
    private ServerProcess? _running;

    [GlobalSetup]
    public async Task PrepareAsync()
    {
        _client = LoopbackHttp.CreateClient();
        _setUpData = await NodeDataFolders.CreateSetUpAsync("restart", _client).ConfigureAwait(false);
    }

    [GlobalCleanup]
    public void CleanUp()
    {
        StopRunning();
        NodeDataFolders.Delete(_setUpData);
        _client.Dispose();
    }

    [IterationSetup(Target = nameof(NodeFirstBoot))]
    public void CreateFreshDataFolder() => _freshFolder = NodeDataFolders.CreateEmpty("first-boot");

    [IterationCleanup]
    public void StopRunning()
    {
        var running = _running;
        _running = null;
        running?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        NodeDataFolders.Delete(_freshFolder);
        _freshFolder = null;
    }

    /// <summary>The bare ASP.NET Core minimal app: what any ASP.NET Core process costs to start.</summary>
    [Benchmark(Baseline = true)]
    public Task MinimalApp() => StartUntilReadyAsync(ServerBinaries.MinimalApi, ["--urls", ServerProcess.LoopbackAnyPort]);

    /// <summary>The common case: a node restarting on its existing, set-up data folder.</summary>
    [Benchmark]
    public Task NodeRestart() => StartUntilReadyAsync(ServerBinaries.Node, ["--urls", ServerProcess.LoopbackAnyPort, "--data", _setUpData]);

    /// <summary>First boot on an empty data folder: instance key, migrations, administrator and setup code.</summary>
    [Benchmark]
    public Task NodeFirstBoot() => StartUntilReadyAsync(ServerBinaries.Node, ["--urls", ServerProcess.LoopbackAnyPort, "--data", Path.Combine(_freshFolder!, "data")]);

    private async Task StartUntilReadyAsync(string assembly, string[] arguments)
    {
        var server = ServerProcess.Start(assembly, arguments);
        _running = server;
        var address = await server.WaitListeningAsync(StartTimeout).ConfigureAwait(false);
        await LoopbackHttp.WaitReadyAsync(_client, address, StartTimeout).ConfigureAwait(false);
    }
}
