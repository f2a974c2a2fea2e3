using GreyOS.Abstractions.Node;
using Microsoft.Extensions.Logging;

namespace GreyOS.Hosting.Startup;

/// <summary>First start-up step: the data folder exists, is owner-only when new, and is writable.</summary>
internal sealed partial class DataDirectoryInitializer(DataDirectory dataDirectory, ILogger<DataDirectoryInitializer> logger) : INodeInitializer
{
    public int Order => 0;

    public Task InitializeAsync(CancellationToken cancellationToken)
    {
        var path = dataDirectory.Path;
        try
        {
            if (!Directory.Exists(path))
            {
                if (OperatingSystem.IsWindows())
                {
                    Directory.CreateDirectory(path);
                }
                else
                {
                    Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
                }
            }

            var probe = Path.Combine(path, $".write-probe-{Environment.ProcessId}");
            File.WriteAllText(probe, "ok");
            File.Delete(probe);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new NodeStartupException($"the data folder {path} is not writable ({ex.Message.TrimEnd('.')}); fix its permissions or choose another with --data or GREYOS_DATA", ex);
        }

        LogDataDirectory(logger, path);
        return Task.CompletedTask;
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Data folder: {Path}")]
    private static partial void LogDataDirectory(ILogger logger, string path);
}
