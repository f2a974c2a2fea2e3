using GreyOS.Abstractions.Errors;

namespace GreyOS.Abstractions.KeyValue;

/// <summary>Whose key-value data: one store per (user, app).</summary>
/// <param name="OwnerUserId">The user the app runs for (<c>usr_…</c>).</param>
/// <param name="AppId">The app's id (reverse-DNS), or the per-module id <c>module.&lt;sha256&gt;</c> of an ad-hoc module.</param>
public sealed record KeyValueScope(string OwnerUserId, string AppId);

/// <summary>One page of keys (sorted by their bytes, unsigned).</summary>
/// <param name="Keys">The keys of this page.</param>
/// <param name="HasMore">True when more keys with the prefix follow the last one.</param>
public sealed record KeyValuePage(IReadOnlyList<byte[]> Keys, bool HasMore);

/// <summary>
/// The per-app key-value store (<c>kv_*</c> syscalls): small values under byte-string keys, durable
/// once a call returns (survives <c>kill -9</c>). Keys are 1..<see cref="MaxKeyBytes"/> bytes, values
/// 0..<see cref="MaxValueBytes"/> bytes. Failures are values: <c>invalid_request</c> (key or value
/// size), <c>quota_exceeded</c> (the scope's total bytes or entry count would pass its quota; nothing
/// changes).
/// </summary>
public interface IKeyValueStore
{
    /// <summary>The longest key, in bytes.</summary>
    const int MaxKeyBytes = 512;

    /// <summary>The largest value, in bytes (1 MiB).</summary>
    const int MaxValueBytes = 1024 * 1024;

    /// <summary>The value under <paramref name="key"/>, or null when there is none.</summary>
    ValueTask<Result<byte[]?>> GetAsync(KeyValueScope scope, ReadOnlyMemory<byte> key, CancellationToken cancellationToken);

    /// <summary>Stores (inserts or replaces) a value.</summary>
    ValueTask<Result<bool>> SetAsync(KeyValueScope scope, ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken);

    /// <summary>Deletes a key; false when there was none.</summary>
    ValueTask<Result<bool>> DeleteAsync(KeyValueScope scope, ReadOnlyMemory<byte> key, CancellationToken cancellationToken);

    /// <summary>Keys starting with <paramref name="prefix"/> that sort after <paramref name="after"/> (empty: from the start), at most <paramref name="limit"/>.</summary>
    ValueTask<Result<KeyValuePage>> ListAsync(KeyValueScope scope, ReadOnlyMemory<byte> prefix, ReadOnlyMemory<byte> after, int limit, CancellationToken cancellationToken);
}
