using GreyOS.Abstractions.Processes;

namespace GreyOS.Kernel.Processes;

/// <summary>
/// A process's stdout or stderr: the last <c>retained</c> bytes (grown on demand, oldest dropped) for
/// late readers, a total-bytes quota, and live subscribers.
/// </summary>
internal sealed class OutputBuffer(OutputChannel channel, int retained)
{
    private readonly Lock _lock = new();
    private byte[] _ring = [];
    private int _start;
    private int _count;

    public OutputChannel Channel { get; } = channel;

    /// <summary>All bytes ever written (including dropped ones).</summary>
    public long Total { get; private set; }

    /// <summary>Bytes no longer retained.</summary>
    public long Dropped => Total - _count;

    public void Append(ReadOnlySpan<byte> data, Action<OutputChunk>? publish)
    {
        if (data.IsEmpty)
        {
            return;
        }

        lock (_lock)
        {
            Total += data.Length;
            var keep = data.Length > retained ? data[^retained..] : data;
            EnsureCapacity(_count + keep.Length);
            var overflow = _count + keep.Length - _ring.Length;
            if (overflow > 0)
            {
                _start = (_start + overflow) % _ring.Length;
                _count -= overflow;
            }

            var position = (_start + _count) % _ring.Length;
            var first = Math.Min(keep.Length, _ring.Length - position);
            keep[..first].CopyTo(_ring.AsSpan(position));
            keep[first..].CopyTo(_ring);
            _count += keep.Length;
        }

        publish?.Invoke(new OutputChunk(Channel, data.ToArray()));
    }

    /// <summary>A copy of the retained bytes, oldest first.</summary>
    public byte[] Snapshot()
    {
        lock (_lock)
        {
            var copy = new byte[_count];
            for (var i = 0; i < _count; i++)
            {
                copy[i] = _ring[(_start + i) % _ring.Length];
            }

            return copy;
        }
    }

    private void EnsureCapacity(int wanted)
    {
        if (_ring.Length >= Math.Min(wanted, retained))
        {
            return;
        }

        var size = Math.Min(retained, Math.Max(Math.Max(256, wanted), _ring.Length * 2));
        var grown = new byte[size];
        for (var i = 0; i < _count; i++)
        {
            grown[i] = _ring[(_start + i) % _ring.Length];
        }

        _ring = grown;
        _start = 0;
    }
}
