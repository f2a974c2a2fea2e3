using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using GreyOS.Abstractions.Node;
using GreyOS.Abstractions.Storage;
using GreyOS.Benchmarks.Kernel;
using GreyOS.FileSystem.Content;
using GreyOS.FileSystem.Storage;
using GreyOS.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace GreyOS.Benchmarks.FileSystem;

/// <summary>
/// Issue #4 (design 0004, decision 4): one garbage collection of a content store of 10,000 chunks
/// (half referenced by 100 files' chunk lists, half unreferenced but inside the grace period, so
/// every iteration does the same work: mark from the database, scan and stat every chunk file,
/// delete none) vs the baseline: only walking the same chunk folders (what any sweep must at least do).
/// </summary>
[Config(typeof(KernelSingleShotConfig))]
public class ContentGcBenchmarks
{
    private const int Chunks = 10_000;
    private const int Files = 100;

    private string _folder = null!;
    private ServiceProvider _services = null!;
    private ChunkStore _store = null!;
    private ContentCollector _collector = null!;

    [GlobalSetup]
    public async Task SetUpAsync()
    {
        _folder = Directory.CreateTempSubdirectory("greyos-bench-gc-").FullName;
        _services = new ServiceCollection()
            .AddLogging(b => b.SetMinimumLevel(LogLevel.Warning))
            .AddSingleton(TimeProvider.System)
            .AddSingleton(new DataDirectory(_folder))
            .AddSqliteStorage()
            .AddSingleton(FileSystemMigrations.All.First())
            .BuildServiceProvider();
        foreach (var step in _services.GetServices<INodeInitializer>().OrderBy(s => s.Order))
        {
            await step.InitializeAsync(CancellationToken.None).ConfigureAwait(false);
        }

        _store = new ChunkStore(Path.Combine(_folder, ChunkStore.FolderName), NullLogger<ChunkStore>.Instance);
        var database = _services.GetRequiredService<IDatabase>();
        var hashes = new List<string>(Chunks);
        var bytes = new byte[1024];
        for (var i = 0; i < Chunks; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes, i);
            var stored = await _store.WriteAsync(new MemoryStream(bytes), bytes.Length, long.MaxValue, CancellationToken.None).ConfigureAwait(false);
            hashes.Add(stored.Value.Chunks[0].Hash);
        }

        // Half the chunks are referenced: 100 files of 50 chunks each.
        await using var connection = await database.OpenConnectionAsync(CancellationToken.None).ConfigureAwait(false);
        await using (var root = connection.CreateCommand("INSERT INTO fs_entries (mount, parent_id, name, kind, length, etag, created_at, modified_at) VALUES ('bench', NULL, '', 'folder', 0, '\"d\"', 0, 0);"))
        {
            await root.ExecuteNonQueryAsync().ConfigureAwait(false);
        }

        var perFile = Chunks / 2 / Files;
        for (var f = 0; f < Files; f++)
        {
            var blob = new byte[perFile * 36];
            for (var c = 0; c < perFile; c++)
            {
                Convert.FromHexString(hashes[(f * perFile) + c]).CopyTo(blob, c * 36);
                BinaryPrimitives.WriteInt32LittleEndian(blob.AsSpan((c * 36) + 32), bytes.Length);
            }

            await using var insert = connection.CreateCommand(
                "INSERT INTO fs_entries (mount, parent_id, name, kind, length, etag, created_at, modified_at, chunks) VALUES ('bench', 1, $name, 'file', $length, '\"f\"', 0, 0, $chunks);")
                .With("$name", $"f{f}").With("$length", perFile * bytes.Length).With("$chunks", blob);
            await insert.ExecuteNonQueryAsync().ConfigureAwait(false);
        }

        _collector = new ContentCollector(database, _store, Options.Create(new ContentCollectorOptions { GcGracePeriod = TimeSpan.FromDays(1) }), TimeProvider.System, NullLogger<ContentCollector>.Instance);
    }

    [GlobalCleanup]
    public async Task CleanUpAsync()
    {
        _collector.Dispose();
        await _services.DisposeAsync().ConfigureAwait(false);
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Benchmark(Baseline = true)]
    public int WalkChunkFolders() => Directory.EnumerateFiles(_store.Root, "*", SearchOption.AllDirectories).Count();

    [Benchmark]
    public async Task<long> Collect()
    {
        var report = await _collector.CollectAsync(CancellationToken.None).ConfigureAwait(false);
        return report.Scanned != Chunks || report.Swept != 0 ? throw new InvalidOperationException($"unexpected collection: {report}") : report.Marked;
    }
}
