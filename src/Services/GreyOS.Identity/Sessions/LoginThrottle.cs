using GreyOS.Abstractions.Storage;
using Microsoft.Extensions.Options;

namespace GreyOS.Identity.Sessions;

/// <summary>
/// Back-off after failed logins, per user name — existing or not, so it reveals nothing. After
/// <see cref="IdentityOptions.LockoutThreshold"/> consecutive failures each attempt must wait
/// 2^(n−threshold) seconds (capped); a success resets the count. Attempts during the wait are refused
/// without checking the password, so guessing cannot continue, while the real user waits at most the cap.
/// </summary>
internal sealed class LoginThrottle(IDatabase database, IOptions<IdentityOptions> options, TimeProvider time)
{
    /// <summary>How long <paramref name="name"/> must still wait, or <see cref="TimeSpan.Zero"/>.</summary>
    public async ValueTask<TimeSpan> WaitFor(string name, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var select = connection.CreateCommand("SELECT failures, last_failed_at FROM login_failures WHERE name = $name;").With("$name", name);
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return TimeSpan.Zero;
        }

        var delay = Delay(reader.GetInt64(0));
        var wait = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)) + delay - time.GetUtcNow();
        return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
    }

    public async ValueTask FailedAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var upsert = connection.CreateCommand(
            """
            INSERT INTO login_failures (name, failures, last_failed_at) VALUES ($name, 1, $now)
            ON CONFLICT (name) DO UPDATE SET failures = failures + 1, last_failed_at = excluded.last_failed_at;
            """).With("$name", name.Length > 256 ? name[..256] : name).With("$now", time.GetUtcNow().ToUnixTimeMilliseconds());
        await upsert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask SucceededAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var delete = connection.CreateCommand("DELETE FROM login_failures WHERE name = $name;").With("$name", name);
        await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The wait after <paramref name="failures"/> consecutive failures.</summary>
    public TimeSpan Delay(long failures)
    {
        var over = failures - options.Value.LockoutThreshold;
        if (over < 0)
        {
            return TimeSpan.Zero;
        }

        var cap = options.Value.LockoutMaxDelay;
        return over >= 30 ? cap : TimeSpan.FromSeconds(Math.Min(cap.TotalSeconds, Math.Pow(2, over)));
    }
}
