using GreyOS.Abstractions.Node;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GreyOS.FileSystem.Uploads;

/// <summary>
/// Prepares the staging folder at node start (deleting staging files no open upload owns) and then
/// drops expired uploads every <see cref="UploadOptions.SweepInterval"/>.
/// </summary>
internal sealed partial class UploadSweeper(ResumableUploads uploads, IOptions<UploadOptions> options, TimeProvider time, ILogger<UploadSweeper> logger)
    : BackgroundService, INodeInitializer
{
    /// <summary>After the database is migrated (storage: 100) and identity (200).</summary>
    public int Order => 300;

    public Task InitializeAsync(CancellationToken cancellationToken) => uploads.PrepareAsync(cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.SweepInterval;
        if (interval <= TimeSpan.Zero)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, time, stoppingToken).ConfigureAwait(false);
                await uploads.SweepExpiredAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogSweepFailed(logger, ex);
            }
        }
    }

    [LoggerMessage(EventId = 5169, Level = LogLevel.Error, Message = "Sweeping expired uploads failed; retrying at the next interval")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}
