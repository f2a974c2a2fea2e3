using System.Buffers.Binary;
using System.Data.Common;
using System.Diagnostics;
using GreyOS.Abstractions.FileSystem;
using GreyOS.Abstractions.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GreyOS.FileSystem.Content;

/// <summary>When and how the content store is collected (configuration section <c>GreyOS:FileSystem</c>).</summary>
public sealed class ContentCollectorOptions
{
    /// <summary>How often the node collects on its own (default 6 h); zero or less: only on demand (<c>POST /api/v1/fs/gc</c>).</summary>
    public TimeSpan GcInterval { get; set; } = TimeSpan.FromHours(6);

    /// <summary>
    /// Unreferenced chunks younger than this are kept (default 1 h): a write stores its chunks before
    /// its metadata commits. Must be longer than that step ever takes.
    /// </summary>
    public TimeSpan GcGracePeriod { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>
/// Every place a chunk list is stored, as (table, column): the mark phase reads all of them. A table
/// that stores chunk lists (encoded as in <c>SqliteBackend</c>: per chunk 32 raw SHA-256 bytes and a
/// 4-byte little-endian length) MUST be listed here, or the collector deletes its chunks. A table
/// that does not exist (yet) is skipped.
/// </summary>
internal static class ChunkReferenceSources
{
    public static IReadOnlyList<(string Table, string Column)> All { get; } =
    [
        ("fs_entries", "chunks"),   // files (live and in the trash)
        ("fs_versions", "chunks"),  // kept versions
    ];
}

/// <summary>
/// Mark-and-sweep over the content store (design 0004, decision 4). Mark: every chunk list of every
/// <see cref="ChunkReferenceSources"/> source, read in one read transaction (one consistent snapshot
/// across tables), row by row into a reused buffer; the mark set holds 32 bytes per distinct chunk,
/// nothing per row. Sweep: every chunk file not marked whose last-write time is before
/// (mark start − grace period) is deleted through <see cref="ChunkStore.TryDeleteUnused"/>, which
/// re-checks the time under the chunk's lock (a deduplicating write refreshes it) and spares anything
/// touched since the oldest write in flight began. One collection at a time.
/// </summary>
internal sealed partial class ContentCollector(
    IDatabase database,
    ChunkStore store,
    IOptions<ContentCollectorOptions> options,
    TimeProvider time,
    ILogger<ContentCollector> logger) : IContentCollector, IDisposable
{
    private const int EntrySize = 32 + sizeof(int);

    private readonly SemaphoreSlim _gate = new(1, 1);

    public async ValueTask<ContentGcReport> CollectAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var started = time.GetTimestamp();

            // Anything a write that commits after the snapshot references was written or refreshed after this.
            var cutoff = time.GetUtcNow() - options.Value.GcGracePeriod;
            var marks = await MarkAsync(cancellationToken).ConfigureAwait(false);
            long scanned = 0, swept = 0, sweptBytes = 0, keptByGrace = 0;
            foreach (var hash in store.EnumerateHashes())
            {
                cancellationToken.ThrowIfCancellationRequested();
                scanned++;
                if (marks.Contains(ChunkKey.Parse(hash)))
                {
                    continue;
                }

                if (store.TryDeleteUnused(hash, cutoff) is { } freed)
                {
                    swept++;
                    sweptBytes += freed;
                }
                else if (store.Exists(hash))
                {
                    keptByGrace++;
                }
            }

            var result = new ContentGcReport(scanned, marks.Count, swept, sweptBytes, keptByGrace, time.GetElapsedTime(started));
            LogCollected(logger, result.Scanned, result.Marked, result.Swept, result.SweptBytes, result.KeptByGrace, (long)result.Duration.TotalMilliseconds);
            return result;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    /// <summary>The distinct chunks every source references, from one snapshot of the database.</summary>
    internal async Task<HashSet<ChunkKey>> MarkAsync(CancellationToken cancellationToken)
    {
        var marks = new HashSet<ChunkKey>();
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

        // A deferred read transaction: one snapshot for every table, and writers are never blocked.
        await ExecuteAsync(connection, "BEGIN DEFERRED;", cancellationToken).ConfigureAwait(false);
        try
        {
            var buffer = new byte[EntrySize * 1024];
            foreach (var (table, column) in ChunkReferenceSources.All)
            {
                if (!await HasColumnAsync(connection, table, column, cancellationToken).ConfigureAwait(false))
                {
                    LogSourceMissing(logger, table, column);
                    continue;
                }

                await using var command = connection.CreateCommand($"SELECT {column} FROM {table} WHERE {column} IS NOT NULL;");
                await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    var length = reader.GetBytes(0, 0, null, 0, 0);
                    if (length % EntrySize != 0)
                    {
                        throw new InvalidDataException($"A chunk list in {table}.{column} has {length} bytes, not a multiple of {EntrySize}.");
                    }

                    if (length > buffer.Length)
                    {
                        buffer = new byte[length];
                    }

                    reader.GetBytes(0, 0, buffer, 0, (int)length);
                    for (var at = 0; at < length; at += EntrySize)
                    {
                        marks.Add(ChunkKey.Read(buffer.AsSpan(at, 32)));
                    }
                }
            }
        }
        finally
        {
            await ExecuteAsync(connection, "ROLLBACK;", CancellationToken.None).ConfigureAwait(false);
        }

        return marks;
    }

    private static async Task<bool> HasColumnAsync(DbConnection connection, string table, string column, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master AS m JOIN pragma_table_info(m.name) AS c WHERE m.type = 'table' AND m.name = $table AND c.name = $column);")
            .With("$table", table).With("$column", column);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long found && found != 0;
    }

    private static async Task ExecuteAsync(DbConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand(sql);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 5150, Level = LogLevel.Information, Message = "Content store collected: {Scanned} chunks scanned, {Marked} referenced, {Swept} swept ({SweptBytes} bytes), {KeptByGrace} kept by the grace period, in {Milliseconds} ms")]
    private static partial void LogCollected(ILogger logger, long scanned, long marked, long swept, long sweptBytes, long keptByGrace, long milliseconds);

    [LoggerMessage(EventId = 5151, Level = LogLevel.Debug, Message = "Chunk reference source {Table}.{Column} does not exist (yet); skipped")]
    private static partial void LogSourceMissing(ILogger logger, string table, string column);
}

/// <summary>A chunk's SHA-256 as four machine words: 32 bytes in a mark set, no string per chunk.</summary>
[DebuggerDisplay("{ToString()}")]
internal readonly record struct ChunkKey(ulong A, ulong B, ulong C, ulong D)
{
    public static ChunkKey Read(ReadOnlySpan<byte> raw) => new(
        BinaryPrimitives.ReadUInt64BigEndian(raw),
        BinaryPrimitives.ReadUInt64BigEndian(raw[8..]),
        BinaryPrimitives.ReadUInt64BigEndian(raw[16..]),
        BinaryPrimitives.ReadUInt64BigEndian(raw[24..]));

    /// <summary>From a chunk name (64 lower-case hex characters).</summary>
    public static ChunkKey Parse(string hash)
    {
        Span<byte> raw = stackalloc byte[32];
        Convert.FromHexString(hash, raw, out _, out _);
        return Read(raw);
    }

    public override int GetHashCode() => (int)A ^ (int)(A >> 32);

    public override string ToString() => $"{A:x16}{B:x16}{C:x16}{D:x16}";
}
