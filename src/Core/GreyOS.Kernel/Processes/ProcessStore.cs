using System.Data.Common;
using System.Threading.Channels;
using GreyOS.Abstractions.Processes;
using GreyOS.Abstractions.Runtime;
using GreyOS.Abstractions.Storage;
using Microsoft.Extensions.Logging;

namespace GreyOS.Kernel.Processes;

/// <summary>
/// Process records in the database, written in batches by one background writer so that spawning
/// never waits for a disk flush. Records of processes that were running when the node stopped are
/// marked <see cref="ProcessState.Lost"/> at the next start.
/// </summary>
internal sealed partial class ProcessStore(IDatabase database, TimeProvider time, ILogger<ProcessStore> logger)
{
    private const int MaxBatch = 512;

    /// <summary>How long the writer waits for more records after the first of a batch.</summary>
    private static readonly TimeSpan CoalesceWindow = TimeSpan.FromMilliseconds(2);

    private readonly Channel<object> _queue = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
    private Task? _writer;

    public void Start() => _writer ??= Task.Run(WriteLoopAsync);

    public void Save(ProcessInfo info) => _queue.Writer.TryWrite(info);

    /// <summary>Completes when everything saved before the call is in the database.</summary>
    public Task FlushAsync()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return _queue.Writer.TryWrite(done) ? done.Task : Task.CompletedTask;
    }

    public async Task StopAsync()
    {
        _queue.Writer.TryComplete();
        if (_writer is not null)
        {
            await _writer.ConfigureAwait(false);
        }
    }

    public async Task<int> MarkLostAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand(
            "UPDATE processes SET state = 'Lost', fault = 'the node stopped while it was running', ended_at = $now WHERE state IN ('Starting', 'Running', 'Idle');")
            .With("$now", time.GetUtcNow().ToUnixTimeMilliseconds());
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<ProcessInfo?> GetAsync(long pid, CancellationToken cancellationToken)
    {
        await FlushAsync().ConfigureAwait(false);
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand($"SELECT {Columns} FROM processes WHERE pid = $pid;").With("$pid", pid);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? Read(reader) : null;
    }

    public async Task<List<ProcessInfo>> ListAsync(ProcessQuery query, CancellationToken cancellationToken)
    {
        await FlushAsync().ConfigureAwait(false);
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand(
            $"""
            SELECT {Columns} FROM processes
            WHERE ($owner IS NULL OR owner = $owner) AND ($app IS NULL OR app = $app) AND ($state IS NULL OR state = $state)
            ORDER BY pid DESC LIMIT $limit;
            """)
            .With("$owner", query.OwnerUserId).With("$app", query.AppName).With("$state", query.State?.ToString()).With("$limit", query.Limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var list = new List<ProcessInfo>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(Read(reader));
        }

        return list;
    }

    private const string Columns =
        "pid, parent_pid, owner, app, module, shape, state, exit_code, fault, memory_mib, cpu_seconds, output_bytes, capabilities, started_at, ended_at, cpu_used, syscalls, denied, nice";

    private static ProcessInfo Read(DbDataReader r) => new(
        r.GetInt64(0),
        r.IsDBNull(1) ? null : r.GetInt64(1),
        r.GetString(2),
        r.GetString(3),
        r.GetString(4),
        Enum.Parse<AppShape>(r.GetString(5)),
        Enum.Parse<ProcessState>(r.GetString(6)),
        r.IsDBNull(7) ? null : r.GetInt32(7),
        r.IsDBNull(8) ? null : r.GetString(8),
        new ProcessLimits(r.GetInt32(9), r.GetDouble(10), r.GetInt64(11), r.GetInt32(18)),
        r.GetString(12).Split(',', StringSplitOptions.RemoveEmptyEntries),
        DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(13)),
        r.IsDBNull(14) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(14)),
        r.GetDouble(15),
        r.GetInt64(16),
        r.GetInt64(17));

    private async Task WriteLoopAsync()
    {
        var batch = new List<object>();
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            Drain(batch);

            // A burst of spawns becomes one transaction instead of one per record: wait a moment for
            // more, unless a reader is waiting for a flush.
            if (batch.Count < MaxBatch && !batch.Exists(item => item is TaskCompletionSource))
            {
                await Task.Delay(CoalesceWindow).ConfigureAwait(false);
                Drain(batch);
            }

            try
            {
                await WriteAsync(batch.OfType<ProcessInfo>()).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // the writer must survive a failed batch; the records are logged as lost
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogWriteFailed(logger, batch.Count, ex);
            }

            foreach (var flush in batch.OfType<TaskCompletionSource>())
            {
                flush.TrySetResult();
            }
        }
    }

    private void Drain(List<object> batch)
    {
        while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var item))
        {
            batch.Add(item);
        }
    }

    /// <summary>
    /// One transaction and one prepared statement for the batch; a process saved twice in it (a short
    /// command's start and end) is written once, with its latest record.
    /// </summary>
    private async Task WriteAsync(IEnumerable<ProcessInfo> records)
    {
        var latest = new Dictionary<long, ProcessInfo>();
        foreach (var record in records)
        {
            latest[record.Pid] = record;
        }

        if (latest.Count == 0)
        {
            return;
        }

        await using var connection = await database.OpenConnectionAsync(CancellationToken.None).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync().ConfigureAwait(false);
        await using var command = connection.CreateCommand(
            $"""
            INSERT INTO processes ({Columns}) VALUES
            ($pid, $parent, $owner, $app, $module, $shape, $state, $exit, $fault, $mem, $cpu, $out, $caps, $started, $ended, $used, $sys, $denied, $nice)
            ON CONFLICT (pid) DO UPDATE SET state = excluded.state, exit_code = excluded.exit_code, fault = excluded.fault,
                ended_at = excluded.ended_at, cpu_used = excluded.cpu_used, syscalls = excluded.syscalls, denied = excluded.denied;
            """, transaction);
        string[] names = ["$pid", "$parent", "$owner", "$app", "$module", "$shape", "$state", "$exit", "$fault", "$mem", "$cpu", "$out", "$caps", "$started", "$ended", "$used", "$sys", "$denied", "$nice"];
        foreach (var name in names)
        {
            command.With(name, null);
        }

        var values = command.Parameters;
        foreach (var p in latest.Values)
        {
            object?[] row =
            [
                p.Pid, p.ParentPid, p.OwnerUserId, p.AppName, p.ModuleSha256, p.Shape.ToString(), p.State.ToString(), p.ExitCode, p.FaultReason,
                p.Limits.MemoryMiB, p.Limits.CpuSeconds, p.Limits.OutputBytes, string.Join(',', p.Capabilities), p.StartedAt.ToUnixTimeMilliseconds(),
                p.EndedAt?.ToUnixTimeMilliseconds(), p.CpuSeconds, p.Syscalls, p.SyscallsDenied, p.Limits.Nice,
            ];
            for (var i = 0; i < row.Length; i++)
            {
                values[i].Value = row[i] ?? DBNull.Value;
            }

            await command.ExecuteNonQueryAsync().ConfigureAwait(false);
        }

        await transaction.CommitAsync().ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 4101, Level = LogLevel.Error, Message = "Could not save {Count} process records")]
    private static partial void LogWriteFailed(ILogger logger, int count, Exception exception);
}
