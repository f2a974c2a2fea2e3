using GreyOS.Abstractions.Storage;

namespace GreyOS.Kernel.Processes;

/// <summary>
/// Cluster-unique PIDs: <c>(node &lt;&lt; 48) | sequence</c>. The sequence is reserved from the
/// database in blocks, so PIDs never repeat across restarts and a spawn rarely touches storage.
/// </summary>
#pragma warning disable CA1001 // a singleton's lock; its wait handle is never materialized
internal sealed class PidAllocator(IDatabase database, int node = 0)
#pragma warning restore CA1001
{
    private const long BlockSize = 1024;

    private readonly SemaphoreSlim _lock = new(1, 1);
    private long _next;
    private long _end;

    public async ValueTask<long> NextAsync(CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_next >= _end)
            {
                await ReserveBlockAsync(cancellationToken).ConfigureAwait(false);
            }

            return ((long)node << 48) | _next++;
        }
        finally
        {
            _lock.Release();
        }
    }

    private async Task ReserveBlockAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand(
            """
            INSERT INTO kernel_pid_blocks (node, next_block) VALUES ($node, 1)
            ON CONFLICT (node) DO UPDATE SET next_block = next_block + 1
            RETURNING next_block - 1;
            """).With("$node", node);
        var block = Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);

        // Block 0 starts at 1 so the first PID of a node is 1.
        _next = Math.Max(1, block * BlockSize);
        _end = (block + 1) * BlockSize;
    }
}
