using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Text.Json;
using GreyOS.Client;
using GreyOS.Protocol;
using Spectre.Console;

namespace GreyOS.Cli;

/// <summary><c>greyos ps</c>, <c>greyos kill</c>, <c>greyos logs</c>, <c>greyos wait</c>: the processes on the node.</summary>
internal static class ProcessCommands
{
    /// <summary>Each wait request's long poll; the CLI asks again until the process has ended.</summary>
    private static readonly TimeSpan WaitPoll = TimeSpan.FromSeconds(30);

    /// <summary>How long <c>kill</c> waits to report the process as ended.</summary>
    private static readonly TimeSpan KillSettle = TimeSpan.FromSeconds(5);

    public static Command CreatePs(CliIO io, Option<string> node)
    {
        var all = new Option<bool>("--all", "-a") { Description = "Everyone's processes, not just yours (administrators)" };
        var state = new Option<string>("--state")
        {
            Description = $"Only processes in this state: {string.Join(", ", ProcessOutcome.States)}",
            HelpName = "STATE",
        };
        state.Validators.Add(result =>
        {
            var value = result.Tokens.Count > 0 ? result.Tokens[^1].Value : string.Empty;
            if (!ProcessOutcome.States.Contains(value, StringComparer.Ordinal))
            {
                result.AddError($"--state must be one of {string.Join(", ", ProcessOutcome.States)}, not '{value}'");
            }
        });
        var json = new Option<bool>("--json") { Description = "Print machine-readable JSON" };
        var command = new Command("ps", "List processes, newest first: PID, name, shape, state, exit code or reason, CPU time, start") { all, state, json };
        command.SetAction(CliApp.Action(io, node, async (context, parse, cancellationToken) =>
        {
            await context.UseStoredSessionAsync(cancellationToken).ConfigureAwait(false);
            var processes = await context.Client.ListProcessesAsync(state: parse.GetValue(state), all: parse.GetValue(all), cancellationToken: cancellationToken).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                var output = new ProcessListOutput(context.Node.Key, processes);
                await context.IO.Out.WriteLineAsync(JsonSerializer.Serialize(output, CliJsonContext.Default.ProcessListOutput)).ConfigureAwait(false);
                return ExitCodes.Success;
            }

            if (processes.Count == 0)
            {
                context.WriteLine("No processes.");
                return ExitCodes.Success;
            }

            context.Console.Write(ProcessTable(processes));
            return ExitCodes.Success;
        }));
        return command;
    }

    public static Command CreateKill(CliIO io, Option<string> node)
    {
        var pid = ProcessOptions.Pid();
        var command = new Command("kill", "Kill a process (does nothing to one that has already ended)") { pid };
        command.SetAction(CliApp.Action(io, node, async (context, parse, cancellationToken) =>
        {
            await context.UseStoredSessionAsync(cancellationToken).ConfigureAwait(false);
            var id = parse.GetValue(pid);
            var process = await context.Client.KillAsync(id, cancellationToken).ConfigureAwait(false);
            if (process.HasEnded)
            {
                context.WriteLine($"Process {id} had already ended ({Describe(process)}).");
                return ExitCodes.Success;
            }

            process = await context.Client.WaitAsync(id, KillSettle, cancellationToken).ConfigureAwait(false);
            context.WriteLine(process.HasEnded
                ? $"Killed process {id}."
                : $"Asked the node to kill process {id}; it has not stopped yet (state {process.State}).");
            return ExitCodes.Success;
        }));
        return command;
    }

    public static Command CreateLogs(CliIO io, Option<string> node)
    {
        var pid = ProcessOptions.Pid();
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep streaming new output until the process ends" };
        var stderr = new Option<bool>("--stderr") { Description = "Show the process's standard error instead of its standard output" };
        var command = new Command("logs", "Print a process's output (the part the node kept) to standard output, byte for byte") { pid, follow, stderr };
        command.SetAction(CliApp.Action(io, node, async (context, parse, cancellationToken) =>
        {
            await context.UseStoredSessionAsync(cancellationToken).ConfigureAwait(false);
            var id = parse.GetValue(pid);
            var channel = parse.GetValue(stderr) ? OutputChannel.Stderr : OutputChannel.Stdout;
            var sink = OutputSink.Stdout(context.IO);
            if (parse.GetValue(follow))
            {
                ProcessAttachment? attachment = null;
                try
                {
                    attachment = await context.Client.AttachAsync(id, cancellationToken).ConfigureAwait(false);
                }
                catch (GreyOSApiException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
                {
                    // Gone from memory: if it exists and ended, its kept output is all there is to show.
                    var process = await context.Client.GetProcessAsync(id, cancellationToken).ConfigureAwait(false);
                    if (!process.HasEnded)
                    {
                        throw;
                    }
                }

                if (attachment is not null)
                {
                    await using (attachment.ConfigureAwait(false))
                    {
                        await ProcessStreams.StreamAsync(context, attachment, c => c == channel ? sink : null, feedStdin: false, cancellationToken).ConfigureAwait(false);
                        return ExitCodes.Success;
                    }
                }
            }

            var bytes = await context.Client.GetOutputAsync(id, channel, cancellationToken).ConfigureAwait(false);
            await sink.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
            await sink.CompleteAsync(cancellationToken).ConfigureAwait(false);
            return ExitCodes.Success;
        }));
        return command;
    }

    public static Command CreateWait(CliIO io, Option<string> node)
    {
        var pid = ProcessOptions.Pid();
        var json = new Option<bool>("--json") { Description = "Print the final process record as JSON" };
        var command = new Command("wait", "Wait until a process ends and exit with its exit code (as 'greyos run' does)") { pid, json };
        command.SetAction(CliApp.Action(io, node, async (context, parse, cancellationToken) =>
        {
            await context.UseStoredSessionAsync(cancellationToken).ConfigureAwait(false);
            var id = parse.GetValue(pid);
            ProcessResponse process;
            do
            {
                process = await context.Client.WaitAsync(id, WaitPoll, cancellationToken).ConfigureAwait(false);
            }
            while (!process.HasEnded);

            if (parse.GetValue(json))
            {
                await context.IO.Out.WriteLineAsync(JsonSerializer.Serialize(process, CliJsonContext.Default.ProcessResponse)).ConfigureAwait(false);
            }

            return await ProcessOutcome.ReportAsync(context.IO, process).ConfigureAwait(false);
        }));
        return command;
    }

    /// <summary>The <c>ps</c> table. Cells are plain text (names are never read as markup).</summary>
    internal static Table ProcessTable(IEnumerable<ProcessResponse> processes)
    {
        // A plain ps-like table: no rules, two spaces between columns.
        var table = new Table().Border(TableBorder.None);
        foreach (var (title, rightAligned) in new[] { ("PID", true), ("NAME", false), ("SHAPE", false), ("STATE", false), ("EXIT/REASON", false), ("CPU s", true), ("STARTED", false) })
        {
            var column = new TableColumn(title).Padding(0, 0, title == "STARTED" ? 0 : 2, 0);
            table.AddColumn(rightAligned ? column.RightAligned() : column);
        }

        foreach (var p in processes)
        {
            table.AddRow(
                new Text(p.Pid.ToString(CultureInfo.InvariantCulture)),
                new Text(p.Name),
                new Text(p.Shape),
                new Text(p.State),
                new Text(ExitOrReason(p)),
                new Text(p.CpuSeconds.ToString("0.00", CultureInfo.InvariantCulture)),
                new Text(p.StartedAt.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture)));
        }

        return table;
    }

    /// <summary>The exit code of an exited process, the reason of a faulted or killed one, else <c>-</c>.</summary>
    internal static string ExitOrReason(ProcessResponse process) => process.State switch
    {
        ProcessOutcome.Exited => process.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "-",
        ProcessOutcome.Faulted or ProcessOutcome.Killed when !string.IsNullOrWhiteSpace(process.FaultReason) => process.FaultReason!,
        _ => "-",
    };

    private static string Describe(ProcessResponse process) => process.State == ProcessOutcome.Exited
        ? $"exited with code {process.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "?"}"
        : ExitOrReason(process) is var reason and not "-" ? $"{process.State}: {reason}" : process.State;
}
