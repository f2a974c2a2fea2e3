namespace GreyOS.Abstractions.Identity;

/// <summary>One audited identity event. <c>Detail</c> never contains secrets.</summary>
public sealed record AuditEntry(long Id, DateTimeOffset At, string Event, string? UserId, string? Actor, string? Client, string? Detail);

/// <summary>A user's use of an app from a device and a place (the usage profile).</summary>
/// <remarks>
/// <c>Place</c>: Coarse origin: the client network (/24 for IPv4, /48 for IPv6), or <c>local</c>.
/// </remarks>
public sealed record UsageEntry(string App, string? DeviceId, string Place, long Count, DateTimeOffset FirstAt, DateTimeOffset LastAt);

/// <summary>The identity audit trail and the per-user usage profile.</summary>
public interface IIdentityAudit
{
    /// <summary>Newest first; <paramref name="userId"/> filters by subject; at most <paramref name="limit"/> (≤ 1000).</summary>
    ValueTask<IReadOnlyList<AuditEntry>> ListAsync(string? userId, int limit, CancellationToken cancellationToken);

    /// <summary>Counts one use of <paramref name="app"/> by the user.</summary>
    ValueTask RecordUsageAsync(string userId, string app, string? deviceId, string? address, CancellationToken cancellationToken);

    /// <summary>The user's usage profile, most recent first.</summary>
    ValueTask<IReadOnlyList<UsageEntry>> UsageOfAsync(string userId, CancellationToken cancellationToken);

    /// <summary>Deletes the user's usage profile; returns how many entries were removed.</summary>
    ValueTask<int> DeleteUsageAsync(string userId, CancellationToken cancellationToken);
}
