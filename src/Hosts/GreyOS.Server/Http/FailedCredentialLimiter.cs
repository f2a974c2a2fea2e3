using System.Globalization;
using System.Threading.RateLimiting;
using GreyOS.Abstractions.Errors;

namespace GreyOS.Server.Http;

/// <summary>
/// The per-address limit for credentials checked outside the login endpoints — HTTP Basic on
/// <c>/dav</c> and public-link passwords — where every request carries them, so the endpoint-level
/// limit would throttle honest traffic too. Only failures spend the address's tokens (the same
/// bucket size as <c>CredentialRequestsPerMinute</c>); once they are spent, the address is answered
/// 429 without checking anything until tokens come back, which also keeps password spraying across
/// many names from tying up the password hasher.
/// </summary>
internal sealed class FailedCredentialLimiter(int perMinute) : IDisposable
{
    private readonly PartitionedRateLimiter<string> _failures = PartitionedRateLimiter.Create<string, string>(address =>
        RateLimitPartition.GetTokenBucketLimiter(address, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = perMinute,
            TokensPerPeriod = Math.Max(1, perMinute / 6),
            ReplenishmentPeriod = TimeSpan.FromSeconds(10),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));

    /// <summary>Null while the caller's address may still try; else the 429 to answer.</summary>
    public GreyError? Refusal(HttpContext context) =>
        // Not AttemptAcquire(0): the bucket refills continuously, so it "has permits" while less than a whole one is back.
        _failures.GetStatistics(AddressOf(context)) is { CurrentAvailablePermits: < 1 } ? Refused() : null;

    /// <summary>Spends one of the address's tokens for a failed attempt.</summary>
    public void Failed(HttpContext context)
    {
        using var lease = _failures.AttemptAcquire(AddressOf(context), 1);
    }

    public void Dispose() => _failures.Dispose();

    private static string AddressOf(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    private static GreyError Refused() =>
        GreyError.TooManyRequests(ErrorCodes.RateLimited, string.Create(CultureInfo.InvariantCulture, $"too many failed attempts from your address; retry in 10 s"))
            with { RetryAfter = TimeSpan.FromSeconds(10) };
}
