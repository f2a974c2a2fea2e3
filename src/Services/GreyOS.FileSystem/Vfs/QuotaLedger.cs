using System.Collections.Concurrent;
using GreyOS.Abstractions.Errors;
using GreyOS.Abstractions.Identity;
using Microsoft.Extensions.Options;

namespace GreyOS.FileSystem.Vfs;

/// <summary>
/// Quotas (design 0004): each quota root (a home, <c>/shared</c>, an app's data folder) has a limit
/// and a use — its live files plus its trash, measured once and then kept up to date by the writes
/// that pass through here. A write is admitted before its bytes are accepted: a declared length
/// that does not fit is refused at once and reserved while it streams; a write without a declared
/// length may use at most what is left when it starts (so only concurrent writes without a declared
/// length can overshoot, each by what was free at its start). Limits are read from the user
/// directory at most every <see cref="LimitCacheLifetime"/>.
/// </summary>
internal sealed class QuotaLedger(IUserDirectory? users, IOptions<FileSystemOptions> options, TimeProvider time)
{
    public static readonly TimeSpan LimitCacheLifetime = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, Account> _accounts = new(StringComparer.Ordinal);

    /// <summary>The limit of <paramref name="owner"/> (<c>user:…</c>, <c>shared</c>, <c>app:…</c>, <c>mount:…</c>); 0 when unlimited.</summary>
    public async ValueTask<long> LimitAsync(string owner, CancellationToken cancellationToken)
    {
        var account = _accounts.GetOrAdd(owner, _ => new Account());
        var now = time.GetUtcNow();
        if (account.LimitUntil > now)
        {
            return account.Limit;
        }

        var settings = options.Value;
        long limit;
        if (owner.StartsWith("user:", StringComparison.Ordinal))
        {
            var user = users is null ? null : await users.FindUserAsync(owner[5..], cancellationToken).ConfigureAwait(false);
            limit = user is { QuotaBytes: > 0 } ? user.QuotaBytes : settings.DefaultUserQuotaBytes;
        }
        else if (owner == "shared")
        {
            limit = settings.SharedQuotaBytes;
        }
        else if (owner.StartsWith("app:", StringComparison.Ordinal))
        {
            limit = settings.AppQuotaBytes;
        }
        else
        {
            limit = 0; // host-folder mounts are the administrator's to size
        }

        account.Limit = limit;
        account.LimitUntil = now + LimitCacheLifetime;
        return limit;
    }

    /// <summary>The bytes <paramref name="owner"/> uses (measuring once when not yet known).</summary>
    public async ValueTask<long> UsedAsync(string owner, Func<CancellationToken, ValueTask<long>> measure, CancellationToken cancellationToken)
    {
        var account = _accounts.GetOrAdd(owner, _ => new Account());
        await account.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await KnownUseAsync(account, measure, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            account.Gate.Release();
        }
    }

    /// <summary>
    /// Admits a write that turns a file of <paramref name="oldLength"/> bytes into one of
    /// <paramref name="expected"/> bytes (or appends that many), or refuses it with <c>quota_exceeded</c>.
    /// </summary>
    public async ValueTask<Result<Admission>> AdmitAsync(string owner, Func<CancellationToken, ValueTask<long>> measure, long oldLength, long? expected, bool append, CancellationToken cancellationToken)
    {
        var limit = await LimitAsync(owner, cancellationToken).ConfigureAwait(false);
        var account = _accounts.GetOrAdd(owner, _ => new Account());
        if (limit <= 0)
        {
            return new Admission(account, 0, long.MaxValue, limit);
        }

        await account.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var used = await KnownUseAsync(account, measure, cancellationToken).ConfigureAwait(false);
            var free = Math.Max(0, limit - used - account.Reserved);
            long? growth = expected is { } e ? (append ? e : e - oldLength) : null;
            if (growth > free)
            {
                return Exceeded(owner, limit);
            }

            var reserve = Math.Max(growth ?? 0, 0);
            account.Reserved += reserve;
            return new Admission(account, reserve, oldLength + free, limit);
        }
        finally
        {
            account.Gate.Release();
        }
    }

    /// <summary>Ends an admitted write: releases its reservation and books <paramref name="delta"/> bytes.</summary>
    public static async ValueTask CompleteAsync(Admission admission, long delta)
    {
        var account = admission.Account;
        await account.Gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            account.Reserved -= admission.Reserved;
            if (account.Known)
            {
                account.Used += delta;
            }
        }
        finally
        {
            account.Gate.Release();
        }
    }

    /// <summary>Forgets the use of <paramref name="owner"/>: the next admission measures again.</summary>
    public void Invalidate(string owner)
    {
        if (_accounts.TryGetValue(owner, out var account))
        {
            account.Known = false;
        }
    }

    public static GreyError Exceeded(string owner, long limit) =>
        GreyError.InsufficientStorage(ErrorCodes.QuotaExceeded, $"the quota of {owner} ({limit} bytes) would be exceeded; delete files or empty the trash");

    private static async ValueTask<long> KnownUseAsync(Account account, Func<CancellationToken, ValueTask<long>> measure, CancellationToken cancellationToken)
    {
        if (!account.Known)
        {
            account.Used = await measure(cancellationToken).ConfigureAwait(false);
            account.Known = true;
        }

        return account.Used;
    }

    /// <summary>An admitted write: what it reserved and the largest file it may produce.</summary>
    internal sealed record Admission(Account Account, long Reserved, long MaxLength, long Limit)
    {
        public bool Limited => Limit > 0;
    }

    internal sealed class Account
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public long Used;

        public long Reserved;

        public volatile bool Known;

        public long Limit;

        public DateTimeOffset LimitUntil;
    }
}
