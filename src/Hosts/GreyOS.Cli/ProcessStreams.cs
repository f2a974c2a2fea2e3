using GreyOS.Client;
using GreyOS.Protocol;

namespace GreyOS.Cli;

/// <summary>Attaching to a process: its output to the CLI's streams and, for <c>run</c>, the CLI's stdin to it.</summary>
internal static class ProcessStreams
{
    private const int StdinChunk = 64 * 1024;

    /// <summary>
    /// Streams the output of <paramref name="attachment"/> until the process ends and returns its final
    /// record; a connection lost on the way is exit 3 with a hint that the process may still run. <paramref name="route"/> picks the sink of each channel (null drops it). With
    /// <paramref name="feedStdin"/>, the CLI's standard input is copied to the process when it is
    /// redirected (a file or a pipe), otherwise the process gets end-of-file at once; without it,
    /// nothing is sent at all.
    /// </summary>
    public static async Task<ProcessResponse> StreamAsync(
        CommandContext context, ProcessAttachment attachment, Func<OutputChannel, OutputSink?> route, bool feedStdin, CancellationToken cancellationToken)
    {
        try
        {
            return await StreamCoreAsync(context.IO, attachment, route, feedStdin, cancellationToken).ConfigureAwait(false);
        }
        catch (GreyOSConnectionException ex)
        {
            throw new CliException(
                ExitCodes.Unreachable,
                $"lost the connection to process {attachment.Pid} on {context.Node.Key}: {ex.Reason}; it may still be running (see 'greyos wait {attachment.Pid}{context.NodeFlag}')");
        }
    }

    private static async Task<ProcessResponse> StreamCoreAsync(
        CliIO io, ProcessAttachment attachment, Func<OutputChannel, OutputSink?> route, bool feedStdin, CancellationToken cancellationToken)
    {
        using var stopInput = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        // A console stream's reads block the thread (and ignore cancellation): run the pump on its own,
        // never wait for it once the process has ended.
        var input = feedStdin ? Task.Run(() => PumpStdinAsync(io, attachment, stopInput.Token), CancellationToken.None) : Task.CompletedTask;
        var sinks = new HashSet<OutputSink>();
        try
        {
            await foreach (var frame in attachment.ReadOutputAsync(cancellationToken).ConfigureAwait(false))
            {
                if (route(frame.Channel) is { } sink)
                {
                    sinks.Add(sink);
                    await sink.WriteAsync(frame.Data, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            await stopInput.CancelAsync().ConfigureAwait(false);
            _ = input.ContinueWith(static task => _ = task.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }

        foreach (var sink in sinks)
        {
            await sink.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }

        return attachment.Result ?? throw new InvalidOperationException("the output ended without the final record");
    }

    private static async Task PumpStdinAsync(CliIO io, ProcessAttachment attachment, CancellationToken cancellationToken)
    {
        try
        {
            if (io.IsInputRedirected && io.OpenStandardInput is { } open)
            {
                var stdin = open();
                var buffer = new byte[StdinChunk];
                int read;
                try
                {
                    while ((read = await stdin.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                    {
                        await attachment.SendInputAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    }
                }
                catch (IOException)
                {
                    // Standard input broke: the app sees end-of-file, as if it had ended.
                }
            }

            // At a terminal nothing is read (an interactive app would wait for a line no one is asked
            // for): the app gets end-of-file at once.
            await attachment.CompleteInputAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is GreyOSConnectionException or OperationCanceledException or ObjectDisposedException)
        {
            // The process ended or the connection broke: the output side reports what happened.
        }
    }
}
