using System.Net;

namespace GreyOS.Benchmarks.Harness;

/// <summary>HTTP clients for the servers under test: loopback only, no proxy, no cookies, bounded waits.</summary>
public static class LoopbackHttp
{
    /// <summary>A client over one <see cref="SocketsHttpHandler"/> allowing <paramref name="connections"/> connections per server.</summary>
    public static HttpClient CreateClient(int connections = 4) => new(new SocketsHttpHandler
    {
        UseProxy = false,
        UseCookies = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        MaxConnectionsPerServer = connections,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
    })
    {
        Timeout = TimeSpan.FromSeconds(10),
    };

    /// <summary>Polls <c>GET /api/v1/ready</c> until it answers 200; throws after <paramref name="timeout"/>.</summary>
    public static async Task WaitReadyAsync(HttpClient client, Uri server, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(client);
        var ready = new Uri(server, "/api/v1/ready");
        var deadline = TimeProvider.System.GetTimestamp() + (long)(timeout.TotalSeconds * TimeProvider.System.TimestampFrequency);
        while (true)
        {
            try
            {
                using var response = await client.GetAsync(ready).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not accepting connections yet.
            }

            if (TimeProvider.System.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"{ready} did not answer 200 within {timeout.TotalSeconds} s");
            }

            await Task.Delay(2).ConfigureAwait(false);
        }
    }
}
