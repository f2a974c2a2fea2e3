using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Jobs;
using GreyOS.Abstractions.FileSystem;
using GreyOS.Benchmarks.Kernel;

namespace GreyOS.Benchmarks.FileSystem;

/// <summary>
/// Issue #4: creating 4 KiB files durably through the VFS (sqlite backend: one WAL commit with
/// synchronous=FULL per file) vs writing and fsyncing the same files directly on the same disk
/// (baseline). Each operation creates a new file.
/// </summary>
[Config(typeof(KernelLoopConfig))]
public class DurableSmallFileBenchmarks
{
    private readonly byte[] _content = new byte[4096];
    private FileSystemNode _node = null!;
    private string _rawFolder = null!;
    private long _next;

    [GlobalSetup]
    public async Task SetUpAsync()
    {
        NodePriority.Reset();
        Random.Shared.NextBytes(_content);
        _node = await FileSystemNode.StartAsync().ConfigureAwait(false);
        _rawFolder = Path.Combine(_node.Folder, "raw");
        Directory.CreateDirectory(_rawFolder);
        await _node.Files.CreateFolderAsync(FileSystemNode.Admin, FileSystemNode.P("/shared/small"), parents: true, CancellationToken.None).ConfigureAwait(false);
    }

    [GlobalCleanup]
    public async Task CleanUpAsync() => await _node.DisposeAsync().ConfigureAwait(false);

    [Benchmark(Baseline = true)]
    public void RawWriteAndFsync()
    {
        using var file = new FileStream(Path.Combine(_rawFolder, $"f{_next++}"), FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096);
        file.Write(_content);
        file.Flush(flushToDisk: true);
    }

    [Benchmark]
    public async Task VfsCreate()
    {
        var written = await _node.Files.WriteAsync(FileSystemNode.Admin, FileSystemNode.P($"/shared/small/f{_next++}"), new MemoryStream(_content), new WriteOptions(CreateOnly: true), CancellationToken.None).ConfigureAwait(false);
        if (!written.IsSuccess)
        {
            throw new InvalidOperationException(written.Error.Message);
        }
    }
}

/// <summary>
/// Issue #4: reading a 256 MiB file through the VFS (chunk store, 64 KiB reads) vs a raw
/// FileStream read of the same bytes from a plain file on the same disk (both from the page cache
/// after the first iteration).
/// </summary>
[Config(typeof(KernelSingleShotConfig))]
public class LargeFileReadBenchmarks
{
    private const int Size = 256 * 1024 * 1024;

    private readonly byte[] _buffer = new byte[64 * 1024];
    private FileSystemNode _node = null!;
    private string _rawFile = null!;

    [GlobalSetup]
    public async Task SetUpAsync()
    {
        NodePriority.Reset();
        _node = await FileSystemNode.StartAsync().ConfigureAwait(false);
        var content = new byte[Size];
        new Random(256).NextBytes(content);
        _rawFile = Path.Combine(_node.Folder, "raw.bin");
        await File.WriteAllBytesAsync(_rawFile, content).ConfigureAwait(false);
        var written = await _node.Files.WriteAsync(FileSystemNode.Admin, FileSystemNode.P("/shared/big.bin"), new MemoryStream(content), new WriteOptions(ExpectedLength: Size), CancellationToken.None).ConfigureAwait(false);
        if (!written.IsSuccess)
        {
            throw new InvalidOperationException(written.Error.Message);
        }
    }

    [GlobalCleanup]
    public async Task CleanUpAsync() => await _node.DisposeAsync().ConfigureAwait(false);

    [Benchmark(Baseline = true)]
    public async Task<long> RawFileStreamRead()
    {
        await using var file = new FileStream(_rawFile, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan | FileOptions.Asynchronous);
        return await DrainAsync(file).ConfigureAwait(false);
    }

    [Benchmark]
    public async Task<long> VfsRead()
    {
        var opened = await _node.Files.OpenReadAsync(FileSystemNode.Admin, FileSystemNode.P("/shared/big.bin"), 0, null, CancellationToken.None).ConfigureAwait(false);
        await using var content = opened.Value.Content;
        return await DrainAsync(content).ConfigureAwait(false);
    }

    private async Task<long> DrainAsync(Stream stream)
    {
        long total = 0;
        int read;
        while ((read = await stream.ReadAsync(_buffer).ConfigureAwait(false)) > 0)
        {
            total += read;
        }

        return total == Size ? total : throw new InvalidOperationException($"read {total} bytes");
    }
}

/// <summary>
/// Issue #4: listing a folder of 10,000 entries (one sorted page of 10,000) under 50 ms, and
/// copying a 1 GiB file under 10 ms (metadata only: the chunk list is shared). The 1 GiB file is
/// written once in setup from generated data.
/// </summary>
[Config(typeof(KernelSingleShotConfig))]
public class FolderAndCopyBenchmarks
{
    private FileSystemNode _node = null!;
    private int _copies;

    [GlobalSetup]
    public async Task SetUpAsync()
    {
        NodePriority.Reset();
        _node = await FileSystemNode.StartAsync().ConfigureAwait(false);
        var files = _node.Files;
        await files.CreateFolderAsync(FileSystemNode.Admin, FileSystemNode.P("/shared/many"), parents: true, CancellationToken.None).ConfigureAwait(false);
        for (var i = 0; i < 10_000; i++)
        {
            await _node.Backend.CreateFolderAsync(FileSystemNode.P($"/shared/many/entry-{i:D5}"), CancellationToken.None).ConfigureAwait(false);
        }

        await using var gigabyte = new GeneratedStream(1L << 30);
        var written = await files.WriteAsync(FileSystemNode.Admin, FileSystemNode.P("/shared/gigabyte.bin"), gigabyte, new WriteOptions(ExpectedLength: 1L << 30), CancellationToken.None).ConfigureAwait(false);
        if (!written.IsSuccess)
        {
            throw new InvalidOperationException(written.Error.Message);
        }
    }

    [GlobalCleanup]
    public async Task CleanUpAsync() => await _node.DisposeAsync().ConfigureAwait(false);

    [Benchmark]
    public async Task<int> ListTenThousand()
    {
        var page = (await _node.Files.ListAsync(FileSystemNode.Admin, FileSystemNode.P("/shared/many"), ListOrder.Name, false, 10_000, null, CancellationToken.None).ConfigureAwait(false)).Value;
        return page.Entries.Count == 10_000 ? page.Entries.Count : throw new InvalidOperationException($"listed {page.Entries.Count}");
    }

    [Benchmark]
    public async Task<long> CopyGigabyte()
    {
        var copied = await _node.Files.CopyAsync(FileSystemNode.Admin, FileSystemNode.P("/shared/gigabyte.bin"), FileSystemNode.P($"/shared/copy-{_copies++}.bin"), overwrite: false, CancellationToken.None).ConfigureAwait(false);
        return copied.IsSuccess ? copied.Value.Length : throw new InvalidOperationException(copied.Error.Message);
    }

    /// <summary>Deterministic pseudo-random bytes without holding them in memory.</summary>
    private sealed class GeneratedStream(long length) : Stream
    {
        private readonly Random _random = new(1024);
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - _position);
            _random.NextBytes(buffer.AsSpan(offset, n));
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

/// <summary>
/// Issue #4: downloading a 256 MiB file over HTTP from the node (<c>GET /api/v1/fs/files/…</c>,
/// signed request, chunk store) ≥ 50% of ASP.NET Core's static-file middleware serving the same file
/// from a plain folder (baseline: the bare minimal app with <c>GREYOS_BASELINE_STATIC</c>). Both are
/// real processes on loopback; each invocation downloads the whole file and drains it.
/// </summary>
[Config(typeof(DownloadConfig))]
public class HttpDownloadBenchmarks
{
    private const int Size = 256 * 1024 * 1024;
    private const string AdminPassword = "correct-horse-battery";

    private readonly byte[] _buffer = new byte[128 * 1024];
    private string _folder = null!;
    private Harness.ServerProcess? _node;
    private Harness.ServerProcess? _baseline;
    private HttpClient _nodeClient = null!;
    private HttpClient _baselineClient = null!;
    private Uri _nodeFile = null!;
    private Uri _baselineFile = null!;

    [GlobalSetup]
    public async Task SetUpAsync()
    {
        NodePriority.Reset();
        _folder = Node.NodeDataFolders.CreateEmpty("fs-download");
        var content = new byte[Size];
        new Random(256).NextBytes(content);
        var staticFolder = Path.Combine(_folder, "static");
        Directory.CreateDirectory(staticFolder);
        await File.WriteAllBytesAsync(Path.Combine(staticFolder, "big.bin"), content).ConfigureAwait(false);

        _baseline = Harness.ServerProcess.Start(Harness.ServerBinaries.MinimalApi, ["--urls", Harness.ServerProcess.LoopbackAnyPort], new Dictionary<string, string> { ["GREYOS_BASELINE_STATIC"] = staticFolder });
        var baseline = await _baseline.WaitListeningAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false);
        _baselineFile = new Uri(baseline, "/static/big.bin");
        _baselineClient = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1 }) { Timeout = TimeSpan.FromMinutes(2) };

        _node = Harness.ServerProcess.Start(Harness.ServerBinaries.Node, ["--urls", Harness.ServerProcess.LoopbackAnyPort, "--data", Path.Combine(_folder, "data")], new Dictionary<string, string> { ["GREYOS_ADMIN_PASSWORD"] = AdminPassword });
        var node = await _node.WaitListeningAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false);
        using (var plain = Harness.LoopbackHttp.CreateClient(1))
        {
            await Harness.LoopbackHttp.WaitReadyAsync(plain, node, TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        }

        var admin = new GreyOS.Client.GreyOSClient(new HttpClient { BaseAddress = node, Timeout = TimeSpan.FromMinutes(5) });
        var (_, credential) = await admin.LoginAsync("admin", AdminPassword, GreyOS.Client.DeviceCredential.Generate(), "bench").ConfigureAwait(false);
        await using (var source = new MemoryStream(content))
        {
            await admin.UploadAsync("/home/admin/big.bin", source, Size).ConfigureAwait(false);
        }

        _nodeFile = new Uri(node, "/api/v1/fs/files/home/admin/big.bin");
        _nodeClient = new HttpClient(new GreyOS.Client.SigningHandler(credential, new SocketsHttpHandler { MaxConnectionsPerServer = 1 })) { Timeout = TimeSpan.FromMinutes(2) };
    }

    [GlobalCleanup]
    public async Task CleanUpAsync()
    {
        _nodeClient.Dispose();
        _baselineClient.Dispose();
        if (_node is not null)
        {
            await _node.DisposeAsync().ConfigureAwait(false);
        }

        if (_baseline is not null)
        {
            await _baseline.DisposeAsync().ConfigureAwait(false);
        }

        Node.NodeDataFolders.Delete(_folder);
    }

    [Benchmark(Baseline = true)]
    public Task<long> StaticFileDownload() => DownloadAsync(_baselineClient, _baselineFile);

    [Benchmark]
    public Task<long> NodeDownload() => DownloadAsync(_nodeClient, _nodeFile);

    private async Task<long> DownloadAsync(HttpClient client, Uri uri)
    {
        using var response = await client.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
        long total = 0;
        int read;
        while ((read = await body.ReadAsync(_buffer).ConfigureAwait(false)) > 0)
        {
            total += read;
        }

        return total == Size ? total : throw new InvalidOperationException($"downloaded {total} bytes");
    }
}

/// <summary>Whole-file downloads: a few warm-up and measured iterations of one download each.</summary>
public sealed class DownloadConfig : BenchmarkDotNet.Configs.ManualConfig
{
    public DownloadConfig()
    {
        AddJob(BenchmarkDotNet.Jobs.Job.Default
            .WithStrategy(BenchmarkDotNet.Engines.RunStrategy.Monitoring)
            .WithLaunchCount(1)
            .WithWarmupCount(3)
            .WithIterationCount(20)
            .WithInvocationCount(1)
            .WithUnrollFactor(1)
            .WithId("Download"));
        AddColumn(BenchmarkDotNet.Columns.StatisticColumn.Median, BenchmarkDotNet.Columns.StatisticColumn.Min, BenchmarkDotNet.Columns.StatisticColumn.Max, MedianRatioColumn.Instance);
    }
}
