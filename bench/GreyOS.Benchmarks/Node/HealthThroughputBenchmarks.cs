using System.Net;
using BenchmarkDotNet.Attributes;
using GreyOS.Benchmarks.Harness;

namespace GreyOS.Benchmarks.Node;

/// <summary>
/// <c>GET /api/v1/health</c> throughput of a running node beside the bare minimal app: both run for
/// the whole benchmark; each invocation sends <see cref="Requests"/> requests from
/// <see cref="Concurrency"/> concurrent loops over one HTTP client and reads every body. Times are
/// per request; see the Req/s columns. Target: the node at 80 % or more of the minimal app.
/// </summary>
[Config(typeof(RequestThroughputConfig))]
public class HealthThroughputBenchmarks
{
    /// <summary>Requests per invocation (one operation = one request).</summary>
    public const int Requests = 8000;

    /// <summary>Concurrent request loops (HTTP/1.1 connections).</summary>
    public const int Concurrency = 32;

    /// <summary>Batches sent to each server in the global setup, alternating, before any measurement.</summary>
    private const int WarmUpRounds = 5;

    private HttpClient _client = null!;
    private string? _data;
    private ServerProcess? _node;
    private ServerProcess? _minimalApp;
    private Uri _nodeHealth = null!;
    private Uri _minimalAppHealth = null!;

    [GlobalSetup]
    public async Task StartServersAsync()
    {
        _client = LoopbackHttp.CreateClient(Concurrency);
        _data = await NodeDataFolders.CreateSetUpAsync("health", _client).ConfigureAwait(false);
        _node = ServerProcess.Start(ServerBinaries.Node, ["--urls", ServerProcess.LoopbackAnyPort, "--data", _data]);
        _minimalApp = ServerProcess.Start(ServerBinaries.MinimalApi, ["--urls", ServerProcess.LoopbackAnyPort]);
        var timeout = TimeSpan.FromSeconds(30);
        var node = await _node.WaitListeningAsync(timeout).ConfigureAwait(false);
        var minimalApp = await _minimalApp.WaitListeningAsync(timeout).ConfigureAwait(false);
        await LoopbackHttp.WaitReadyAsync(_client, node, timeout).ConfigureAwait(false);
        await LoopbackHttp.WaitReadyAsync(_client, minimalApp, timeout).ConfigureAwait(false);
        _nodeHealth = new Uri(node, "/api/v1/health");
        _minimalAppHealth = new Uri(minimalApp, "/api/v1/health");

        // Both servers (and this client) past tiered JIT and PGO before BenchmarkDotNet's own warm-up.
        for (var round = 0; round < WarmUpRounds; round++)
        {
            await SendAsync(_minimalAppHealth).ConfigureAwait(false);
            await SendAsync(_nodeHealth).ConfigureAwait(false);
        }
    }

    [GlobalCleanup]
    public async Task StopServersAsync()
    {
        try
        {
            if (_node is not null)
            {
                await _node.DisposeAsync().ConfigureAwait(false);
            }

            if (_minimalApp is not null)
            {
                await _minimalApp.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            NodeDataFolders.Delete(_data);
            _client.Dispose();
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Requests)]
    public Task MinimalApp() => SendAsync(_minimalAppHealth);

    [Benchmark(OperationsPerInvoke = Requests)]
    public Task Node() => SendAsync(_nodeHealth);

    private async Task SendAsync(Uri health)
    {
        var remaining = Requests;
        var loops = new Task[Concurrency];
        for (var i = 0; i < loops.Length; i++)
        {
            loops[i] = Loop();
        }

        await Task.WhenAll(loops).ConfigureAwait(false);

        async Task Loop()
        {
            while (Interlocked.Decrement(ref remaining) >= 0)
            {
                using var response = await _client.GetAsync(health, HttpCompletionOption.ResponseContentRead).ConfigureAwait(false);
                var body = await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
                if (response.StatusCode != HttpStatusCode.OK || body.Length == 0)
                {
                    throw new HttpRequestException($"GET {health} answered {(int)response.StatusCode} with {body.Length} bytes");
                }
            }
        }
    }
}
