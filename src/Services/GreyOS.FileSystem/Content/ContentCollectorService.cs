using GreyOS.Abstractions.FileSystem;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GreyOS.FileSystem.Content;

/// <summary>Collects the content store every <see cref="ContentCollectorOptions.GcInterval"/> (first one interval after start; never when it is zero or less).</summary>
internal sealed partial class ContentCollectorService(IContentCollector collector, IOptions<ContentCollectorOptions> options, TimeProvider time, ILogger<ContentCollectorService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.GcInterval;
        if (interval <= TimeSpan.Zero)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, time, stoppingToken).ConfigureAwait(false);
                await collector.CollectAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogCollectFailed(logger, ex);
            }
        }
    }

    [LoggerMessage(EventId = 5152, Level = LogLevel.Error, Message = "Collecting the content store failed; retrying at the next interval")]
    private static partial void LogCollectFailed(ILogger logger, Exception exception);
}
