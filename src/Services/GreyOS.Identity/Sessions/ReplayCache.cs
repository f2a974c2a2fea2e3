using System.Collections.Concurrent;

namespace GreyOS.Identity.Sessions;

/// <summary>
/// Remembers (key id, nonce) pairs of accepted signatures for at least one generation
/// (<c>generation</c> ≥ the whole window a signature is acceptable in). Two generations rotate;
/// a pair is "seen" when in either. Bounded: when a generation is full, new signatures are refused
/// (fail closed) until it rotates.
/// </summary>
internal sealed class ReplayCache(TimeSpan generation, TimeProvider time, int capacity = 1_000_000)
{
    private readonly Lock _rotate = new();
    private ConcurrentDictionary<string, byte> _current = new(StringComparer.Ordinal);
    private ConcurrentDictionary<string, byte> _previous = new(StringComparer.Ordinal);
    private DateTimeOffset _rotatedAt = time.GetUtcNow();

    /// <summary>Records the pair; false when it was seen before (a replay) or the cache is full.</summary>
    public bool TryUse(string keyId, string nonce)
    {
        RotateIfDue();
        var key = string.Concat(keyId, " ", nonce);
        if (_previous.ContainsKey(key) || _current.Count >= capacity)
        {
            return false;
        }

        return _current.TryAdd(key, 0);
    }

    private void RotateIfDue()
    {
        var now = time.GetUtcNow();
        if (now - _rotatedAt < generation)
        {
            return;
        }

        lock (_rotate)
        {
            if (now - _rotatedAt < generation)
            {
                return;
            }

            _previous = _current;
            _current = new ConcurrentDictionary<string, byte>(StringComparer.Ordinal);
            _rotatedAt = now;
        }
    }
}
