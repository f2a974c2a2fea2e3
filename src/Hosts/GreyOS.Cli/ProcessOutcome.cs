using GreyOS.Protocol;

namespace GreyOS.Cli;

/// <summary>
/// How an ended process becomes <c>greyos</c>'s own exit (<c>run</c>, <c>wait</c>): exited → its
/// exit code (as the OS keeps it, <c>code &amp; 255</c>); killed → 137; faulted → 134; lost → 1.
/// Killed, faulted and lost also print one line on standard error.
/// </summary>
internal static class ProcessOutcome
{
    public const string Exited = "exited";
    public const string Faulted = "faulted";
    public const string Killed = "killed";
    public const string Lost = "lost";

    /// <summary>Every state the node reports, in life-cycle order (for <c>ps --state</c>).</summary>
    public static readonly string[] States = ["starting", "running", "idle", Exited, Faulted, Killed, Lost];

    /// <summary>The exit code of <c>greyos</c> for an ended process.</summary>
    public static int ExitCode(ProcessResponse process)
    {
        ArgumentNullException.ThrowIfNull(process);
        return process.State switch
        {
            Exited => (process.ExitCode ?? 0) & 0xFF,
            Killed => ExitCodes.AppKilled,
            Faulted => ExitCodes.AppFaulted,
            _ => ExitCodes.Failure,
        };
    }

    /// <summary>The line (without <c>greyos: </c>) explaining an end that was not a plain exit; null for exited.</summary>
    public static string? Message(ProcessResponse process)
    {
        ArgumentNullException.ThrowIfNull(process);
        return process.State switch
        {
            Exited => null,
            Killed => $"process {process.Pid} was killed: {Reason(process)}",
            Faulted => $"process {process.Pid} faulted: {Reason(process)}",
            Lost => $"process {process.Pid} was lost: its node stopped while it was running",
            _ => $"process {process.Pid} has not ended (state {process.State})",
        };
    }

    /// <summary>Writes the explanation (if any) to standard error and returns the exit code.</summary>
    public static async Task<int> ReportAsync(CliIO io, ProcessResponse process)
    {
        ArgumentNullException.ThrowIfNull(io);
        if (Message(process) is { } message)
        {
            await io.Error.WriteLineAsync($"greyos: {message}").ConfigureAwait(false);
        }

        return ExitCode(process);
    }

    private static string Reason(ProcessResponse process) =>
        string.IsNullOrWhiteSpace(process.FaultReason) ? "no reason given" : OneLine(process.FaultReason);

    private static string OneLine(string text) =>
        string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
