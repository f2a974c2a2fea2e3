using System.Data.Common;
using GreyOS.Abstractions.Errors;
using GreyOS.Abstractions.KeyValue;
using GreyOS.Abstractions.Storage;
using Microsoft.Extensions.Options;

namespace GreyOS.FileSystem.Kv;

/// <summary>
/// <see cref="IKeyValueStore"/> in the node database (SQLite in WAL mode with <c>synchronous=FULL</c>:
/// a change is durable when the call returns). Every change updates the scope's usage row in the same
/// transaction; a change that would pass a quota fails with <c>quota_exceeded</c> and changes nothing.
/// </summary>
internal sealed class SqliteKeyValueStore(IDatabase database, IOptions<KeyValueOptions> options) : IKeyValueStore
{
    public const string QuotaExceeded = "quota_exceeded";

    private readonly KeyValueOptions _options = options.Value;

    public async ValueTask<Result<byte[]?>> GetAsync(KeyValueScope scope, ReadOnlyMemory<byte> key, CancellationToken cancellationToken)
    {
        if (Check(scope, key) is { } invalid)
        {
            return invalid;
        }

        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand("SELECT value FROM kv_entries WHERE owner = $owner AND app = $app AND key = $key;")
            .With("$owner", scope.OwnerUserId).With("$app", scope.AppId).With("$key", key.ToArray());
        var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return value is byte[] bytes ? bytes : (byte[]?)null;
    }

    public async ValueTask<Result<bool>> SetAsync(KeyValueScope scope, ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken)
    {
        if (Check(scope, key) is { } invalid)
        {
            return invalid;
        }

        if (value.Length > IKeyValueStore.MaxValueBytes)
        {
            return GreyError.Invalid(ErrorCodes.InvalidRequest, $"a value may have at most {IKeyValueStore.MaxValueBytes} bytes");
        }

        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var keyBytes = key.ToArray();
        long? old;
        await using (var existing = connection.CreateCommand("SELECT length(value) FROM kv_entries WHERE owner = $owner AND app = $app AND key = $key;", transaction)
            .With("$owner", scope.OwnerUserId).With("$app", scope.AppId).With("$key", keyBytes))
        {
            old = await existing.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long length ? length : null;
        }

        var (bytes, entries) = await UsageAsync(connection, transaction, scope, cancellationToken).ConfigureAwait(false);
        var newBytes = bytes - (old is { } o ? o + keyBytes.Length : 0) + keyBytes.Length + value.Length;
        var newEntries = entries + (old is null ? 1 : 0);
        if (newBytes > _options.MaxBytesPerApp && newBytes > bytes)
        {
            return GreyError.InsufficientStorage(QuotaExceeded, $"the app's key-value store would hold {newBytes} bytes; its quota is {_options.MaxBytesPerApp}");
        }

        if (newEntries > _options.MaxEntriesPerApp)
        {
            return GreyError.InsufficientStorage(QuotaExceeded, $"the app's key-value store would hold {newEntries} entries; its quota is {_options.MaxEntriesPerApp}");
        }

        await using (var upsert = connection.CreateCommand(
            "INSERT INTO kv_entries (owner, app, key, value) VALUES ($owner, $app, $key, $value) ON CONFLICT (owner, app, key) DO UPDATE SET value = excluded.value;",
            transaction).With("$owner", scope.OwnerUserId).With("$app", scope.AppId).With("$key", keyBytes).With("$value", value.ToArray()))
        {
            await upsert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await SaveUsageAsync(connection, transaction, scope, newBytes, newEntries, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    public async ValueTask<Result<bool>> DeleteAsync(KeyValueScope scope, ReadOnlyMemory<byte> key, CancellationToken cancellationToken)
    {
        if (Check(scope, key) is { } invalid)
        {
            return invalid;
        }

        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var keyBytes = key.ToArray();
        long? removed;
        await using (var delete = connection.CreateCommand("DELETE FROM kv_entries WHERE owner = $owner AND app = $app AND key = $key RETURNING length(value);", transaction)
            .With("$owner", scope.OwnerUserId).With("$app", scope.AppId).With("$key", keyBytes))
        {
            removed = await delete.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is long length ? length : null;
        }

        if (removed is null)
        {
            return false;
        }

        var (bytes, entries) = await UsageAsync(connection, transaction, scope, cancellationToken).ConfigureAwait(false);
        await SaveUsageAsync(connection, transaction, scope, Math.Max(0, bytes - removed.Value - keyBytes.Length), Math.Max(0, entries - 1), cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    public async ValueTask<Result<KeyValuePage>> ListAsync(KeyValueScope scope, ReadOnlyMemory<byte> prefix, ReadOnlyMemory<byte> after, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        if (prefix.Length > IKeyValueStore.MaxKeyBytes || after.Length > IKeyValueStore.MaxKeyBytes || limit is < 1 or > 10_000)
        {
            return GreyError.Invalid(ErrorCodes.InvalidRequest, $"prefix and cursor are at most {IKeyValueStore.MaxKeyBytes} bytes; limit is 1..10000");
        }

        // Byte order (memcmp): the keys with the prefix are [prefix, upper) where upper is the prefix
        // with its last byte below 0xFF incremented (no upper bound when there is none).
        var lower = prefix.Span.SequenceCompareTo(after.Span) > 0 || after.IsEmpty ? prefix.ToArray() : after.ToArray();
        var strict = !after.IsEmpty && prefix.Span.SequenceCompareTo(after.Span) <= 0;
        var upper = UpperBound(prefix.Span);
        var sql = $"SELECT key FROM kv_entries WHERE owner = $owner AND app = $app AND key {(strict ? ">" : ">=")} $lower {(upper is null ? "" : "AND key < $upper")} ORDER BY key LIMIT $limit;";
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand(sql)
            .With("$owner", scope.OwnerUserId).With("$app", scope.AppId).With("$lower", lower).With("$limit", limit + 1);
        if (upper is not null)
        {
            command.With("$upper", upper);
        }

        var keys = new List<byte[]>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            keys.Add((byte[])reader.GetValue(0));
        }

        var more = keys.Count > limit;
        if (more)
        {
            keys.RemoveAt(keys.Count - 1);
        }

        return new KeyValuePage(keys, more);
    }

    private static byte[]? UpperBound(ReadOnlySpan<byte> prefix)
    {
        var end = prefix.Length;
        while (end > 0 && prefix[end - 1] == 0xFF)
        {
            end--;
        }

        if (end == 0)
        {
            return null;
        }

        var upper = prefix[..end].ToArray();
        upper[^1]++;
        return upper;
    }

    private static GreyError? Check(KeyValueScope scope, ReadOnlyMemory<byte> key)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return key.Length is 0 or > IKeyValueStore.MaxKeyBytes
            ? GreyError.Invalid(ErrorCodes.InvalidRequest, $"a key has 1 to {IKeyValueStore.MaxKeyBytes} bytes")
            : null;
    }

    private static async Task<(long Bytes, long Entries)> UsageAsync(DbConnection connection, DbTransaction transaction, KeyValueScope scope, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand("SELECT bytes, entries FROM kv_usage WHERE owner = $owner AND app = $app;", transaction)
            .With("$owner", scope.OwnerUserId).With("$app", scope.AppId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? (reader.GetInt64(0), reader.GetInt64(1)) : (0, 0);
    }

    private static async Task SaveUsageAsync(DbConnection connection, DbTransaction transaction, KeyValueScope scope, long bytes, long entries, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand(
            "INSERT INTO kv_usage (owner, app, bytes, entries) VALUES ($owner, $app, $bytes, $entries) ON CONFLICT (owner, app) DO UPDATE SET bytes = excluded.bytes, entries = excluded.entries;",
            transaction).With("$owner", scope.OwnerUserId).With("$app", scope.AppId).With("$bytes", bytes).With("$entries", entries);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
