using System.Collections.Concurrent;
using GreyOS.Abstractions.Identity;

namespace GreyOS.Identity.Sessions;

/// <summary>
/// Recently verified sessions (principal and device key) for a few seconds, so a signed request
/// costs one Ed25519 verification instead of a database round trip. Every change made on this node
/// drops what it affects at once (revocations, step-up, user and role changes); the short lifetime
/// bounds staleness for anything else. Bounded: cleared when full.
/// </summary>
internal sealed class SessionCache(TimeProvider time)
{
    /// <summary>How long an entry is trusted.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(5);

    private const int Capacity = 100_000;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    private sealed record Entry(SessionPrincipal Principal, byte[]? DeviceKey, DateTimeOffset Until);

    public bool TryGet(string sessionId, out SessionPrincipal principal, out byte[]? deviceKey)
    {
        if (_entries.TryGetValue(sessionId, out var entry) && entry.Until > time.GetUtcNow())
        {
            (principal, deviceKey) = (entry.Principal, entry.DeviceKey);
            return true;
        }

        (principal, deviceKey) = (null!, null);
        return false;
    }

    public void Set(SessionPrincipal principal, byte[]? deviceKey)
    {
        if (_entries.Count >= Capacity)
        {
            _entries.Clear();
        }

        var until = time.GetUtcNow() + Lifetime;
        _entries[principal.SessionId] = new Entry(principal, deviceKey, until < principal.ExpiresAt ? until : principal.ExpiresAt);
    }

    public void Remove(string sessionId) => _entries.TryRemove(sessionId, out _);

    /// <summary>Drops every session of a user (status, roles, deletion, devices changed).</summary>
    public void RemoveUser(string userId)
    {
        foreach (var (id, entry) in _entries)
        {
            if (entry.Principal.UserId == userId)
            {
                _entries.TryRemove(id, out _);
            }
        }
    }

    /// <summary>Drops everything (a role's permissions changed).</summary>
    public void Clear() => _entries.Clear();
}
