using System.Net;
using GreyOS.Abstractions.Identity;
using GreyOS.Abstractions.Storage;

namespace GreyOS.Identity.Audit;

/// <summary>Audit event names (stable: admins filter on them).</summary>
internal static class AuditEvents
{
    public const string LoginSucceeded = "login.succeeded";
    public const string LoginFailed = "login.failed";
    public const string LoginThrottled = "login.throttled";
    public const string SignatureRejected = "signature.rejected";
    public const string StepUp = "session.step_up";
    public const string SessionRevoked = "session.revoked";
    public const string DeviceAdded = "device.added";
    public const string DeviceRevoked = "device.revoked";
    public const string UserCreated = "user.created";
    public const string UserChanged = "user.changed";
    public const string UserDeleted = "user.deleted";
    public const string PasswordSet = "user.password_set";
    public const string GroupChanged = "group.changed";
    public const string RoleChanged = "role.changed";
    public const string UsageDeleted = "usage.deleted";
}

/// <summary>
/// The identity audit trail (append-only rows, never secrets) and the usage profile, in the
/// identity schema. Writes are single statements; a failed audit write fails the operation.
/// </summary>
internal sealed class IdentityAudit(IDatabase database, TimeProvider time) : IIdentityAudit
{
    private const int MaxDetail = 512;

    public async ValueTask WriteAsync(string @event, string? userId, string? actor, string? client, string? detail, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var insert = connection.CreateCommand(
            "INSERT INTO identity_audit (at, event, user_id, actor, client, detail) VALUES ($at, $event, $user, $actor, $client, $detail);")
            .With("$at", time.GetUtcNow().ToUnixTimeMilliseconds()).With("$event", @event).With("$user", userId).With("$actor", actor)
            .With("$client", Truncate(client, 128)).With("$detail", Truncate(detail, MaxDetail));
        await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<IReadOnlyList<AuditEntry>> ListAsync(string? userId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var select = connection.CreateCommand(
            "SELECT id, at, event, user_id, actor, client, detail FROM identity_audit WHERE $user IS NULL OR user_id = $user ORDER BY id DESC LIMIT $limit;")
            .With("$user", userId).With("$limit", Math.Clamp(limit, 1, 1000));
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var entries = new List<AuditEntry>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            entries.Add(new AuditEntry(
                reader.GetInt64(0),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)),
                reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.IsDBNull(6) ? null : reader.GetString(6)));
        }

        return entries;
    }

    public async ValueTask RecordUsageAsync(string userId, string app, string? deviceId, string? address, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var upsert = connection.CreateCommand(
            """
            INSERT INTO usage_profile (user_id, app, device_id, place, count, first_at, last_at) VALUES ($user, $app, $device, $place, 1, $now, $now)
            ON CONFLICT (user_id, app, device_id, place) DO UPDATE SET count = count + 1, last_at = excluded.last_at;
            """)
            .With("$user", userId).With("$app", Truncate(app, 128)).With("$device", deviceId ?? string.Empty).With("$place", Place(address)).With("$now", now);
        await upsert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<IReadOnlyList<UsageEntry>> UsageOfAsync(string userId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var select = connection.CreateCommand(
            "SELECT app, device_id, place, count, first_at, last_at FROM usage_profile WHERE user_id = $user ORDER BY last_at DESC;").With("$user", userId);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var entries = new List<UsageEntry>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var device = reader.GetString(1);
            entries.Add(new UsageEntry(
                reader.GetString(0),
                device.Length == 0 ? null : device,
                reader.GetString(2),
                reader.GetInt64(3),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5))));
        }

        return entries;
    }

    public async ValueTask<int> DeleteUsageAsync(string userId, CancellationToken cancellationToken)
    {
        int removed;
        await using (var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
        await using (var delete = connection.CreateCommand("DELETE FROM usage_profile WHERE user_id = $user;").With("$user", userId))
        {
            removed = await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await WriteAsync(AuditEvents.UsageDeleted, userId, userId, null, $"{removed} entries", cancellationToken).ConfigureAwait(false);
        return removed;
    }

    /// <summary>A coarse place for the profile: the client's network, never its full address.</summary>
    internal static string Place(string? address)
    {
        if (address is null || !IPAddress.TryParse(address, out var ip))
        {
            return "unknown";
        }

        if (ip.IsIPv4MappedToIPv6)
        {
            ip = ip.MapToIPv4();
        }

        if (IPAddress.IsLoopback(ip))
        {
            return "local";
        }

        var bytes = ip.GetAddressBytes();
        var keep = bytes.Length == 4 ? 3 : 6;
        Array.Clear(bytes, keep, bytes.Length - keep);
        return $"{new IPAddress(bytes)}/{keep * 8}";
    }

    private static string? Truncate(string? value, int max) => value is null || value.Length <= max ? value : value[..max];
}
