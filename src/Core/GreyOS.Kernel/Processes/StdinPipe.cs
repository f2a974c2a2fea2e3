using System.Threading.Channels;

namespace GreyOS.Kernel.Processes;

/// <summary>A process's stdin: bounded chunks from the attached client, then EOF.</summary>
internal sealed class StdinPipe
{
    private readonly Channel<byte[]> _chunks = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(64) { SingleReader = true });
    private byte[] _current = [];
    private int _offset;

    /// <summary>A pipe at EOF (no client will feed it), shared: reading it never changes it.</summary>
    public static StdinPipe Closed { get; } = CreateClosed();

    public ValueTask<bool> WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        WriteCoreAsync(data.ToArray(), cancellationToken);

    public void Close() => _chunks.Writer.TryComplete();

    /// <summary>Blocks the guest's thread until bytes or EOF (0) arrive; cancellation means the process was killed.</summary>
    public int Read(Span<byte> destination, CancellationToken cancellationToken)
    {
        while (_offset >= _current.Length)
        {
            if (_chunks.Reader.TryRead(out var next))
            {
                _current = next;
                _offset = 0;
                continue;
            }

            var more = _chunks.Reader.WaitToReadAsync(cancellationToken).AsTask().GetAwaiter().GetResult();
            if (!more)
            {
                return 0;
            }
        }

        var count = Math.Min(destination.Length, _current.Length - _offset);
        _current.AsSpan(_offset, count).CopyTo(destination);
        _offset += count;
        return count;
    }

    private static StdinPipe CreateClosed()
    {
        var pipe = new StdinPipe();
        pipe.Close();
        return pipe;
    }

    private async ValueTask<bool> WriteCoreAsync(byte[] data, CancellationToken cancellationToken)
    {
        try
        {
            await _chunks.Writer.WriteAsync(data, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (ChannelClosedException)
        {
            return false;
        }
    }
}
