using GreyOS.Abstractions.Storage;

namespace GreyOS.Kernel.Processes;

/// <summary>
/// Cluster-unique PIDs: <c>(node &lt;&lt; 48) | sequence</c>. The sequence is reserved from the
/// database in blocks, so PIDs never repeat across restarts. The next block is reserved in the
/// background once half of the current one is handed out, so a spawn waits for the database only
/// when PIDs are used faster than a block can be reserved (or for the very first block, which
/// <see cref="Prefetch"/> starts at node start). A PID is handed out only from a block whose
/// reservation is committed.
/// </summary>
internal sealed class PidAllocator(IDatabase database, int node = 0)
{
    private const long BlockSize = 1024;

    private readonly Lock _lock = new();
    private long _next;
    private long _end;

    /// <summary>The next block's reservation (its first sequence number), while one is under way or done but not yet in use.</summary>
    private Task<long>? _reserving;

    /// <summary>Starts reserving a block if none is in hand or on the way (node start).</summary>
    public void Prefetch()
    {
        lock (_lock)
        {
            if (_next >= _end)
            {
                _reserving ??= Task.Run(ReserveBlockAsync);
            }
        }
    }

    public async ValueTask<long> NextAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task<long> reserving;
            lock (_lock)
            {
                if (_next < _end)
                {
                    var sequence = _next++;
                    if (_reserving is null && _end - _next <= BlockSize / 2)
                    {
                        _reserving = Task.Run(ReserveBlockAsync);
                    }

                    return ((long)node << 48) | sequence;
                }

                reserving = _reserving ??= Task.Run(ReserveBlockAsync);
            }

            long first;
            try
            {
                first = await reserving.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch when (reserving.IsFaulted)
            {
                lock (_lock)
                {
                    if (ReferenceEquals(_reserving, reserving))
                    {
                        _reserving = null; // the next call tries again
                    }
                }

                throw;
            }

            lock (_lock)
            {
                // Whoever comes first after the reservation completes puts the block in use.
                if (ReferenceEquals(_reserving, reserving) && _next >= _end)
                {
                    _reserving = null;
                    _next = Math.Max(1, first); // block 0 starts at 1 so the first PID of a node is 1
                    _end = first + BlockSize;
                }
            }
        }
    }

    private async Task<long> ReserveBlockAsync()
    {
        await using var connection = await database.OpenConnectionAsync(CancellationToken.None).ConfigureAwait(false);
        await using var command = connection.CreateCommand(
            """
            INSERT INTO kernel_pid_blocks (node, next_block) VALUES ($node, 1)
            ON CONFLICT (node) DO UPDATE SET next_block = next_block + 1
            RETURNING next_block - 1;
            """).With("$node", node);
        var block = Convert.ToInt64(await command.ExecuteScalarAsync(CancellationToken.None).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
        return block * BlockSize;
    }
}
