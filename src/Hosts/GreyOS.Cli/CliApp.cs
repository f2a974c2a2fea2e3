using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.Globalization;
using GreyOS.Client;

namespace GreyOS.Cli;

/// <summary>
/// The <c>greyos</c> command line. <see cref="RunAsync"/> is the whole program: it parses, runs one
/// command and returns the exit code (see <see cref="ExitCodes"/>); errors are one line on
/// standard error, never a stack trace.
/// </summary>
public static class CliApp
{
    /// <summary>Runs <c>greyos</c> with <paramref name="args"/> over <paramref name="io"/>.</summary>
    public static async Task<int> RunAsync(string[] args, CliIO io, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(io);
        try
        {
            var root = CreateRootCommand(io);
            var parse = root.Parse(args);
            if (parse.Errors.Count > 0 && parse.Action is ParseErrorAction or null)
            {
                await io.Error.WriteLineAsync($"greyos: {DescribeParseError(parse)}").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            var invocation = new InvocationConfiguration
            {
                Output = io.Out,
                Error = io.Error,
                EnableDefaultExceptionHandler = false,
                ProcessTerminationTimeout = null,
            };
            return await parse.InvokeAsync(invocation, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ExitCodes.Cancelled;
        }
#pragma warning disable CA1031 // The CLI's last line of defence: one line, never a stack trace.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            await io.Error.WriteLineAsync($"greyos: unexpected error: {ex.GetType().Name}: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
        finally
        {
            await io.Out.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            await io.Error.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    internal static RootCommand CreateRootCommand(CliIO io)
    {
        var node = new Option<string>("--node")
        {
            Description = $"The node's URL (env {NodeAddress.EnvironmentVariable}; default {NodeAddress.Default})",
            HelpName = "URL",
            Recursive = true,
        };
        var root = new RootCommand("greyos: manage a GreyOS node from the command line.")
        {
            node,
            StatusCommand.Create(io, node),
            SetupCommand.Create(io, node),
            SessionCommands.CreateLogin(io, node),
            SessionCommands.CreateLogout(io, node),
            SessionCommands.CreateWhoami(io, node),
            SessionCommands.CreateStepUp(io, node),
            UserCommands.Create(io, node),
            GroupCommands.Create(io, node),
            RoleCommands.Create(io, node),
            DeviceCommands.CreateDevice(io, node),
            DeviceCommands.CreateSession(io, node),
            AppPasswordCommands.Create(io, node),
            RunCommand.Create(io, node),
            ProcessCommands.CreatePs(io, node),
            ProcessCommands.CreateKill(io, node),
            ProcessCommands.CreateLogs(io, node),
            ProcessCommands.CreateWait(io, node),
            FileCommands.Create(io, node),
        };

        foreach (var option in root.Options)
        {
            if (option is VersionOption version)
            {
                version.Action = new VersionAction();
            }
        }

        // Bare `greyos`: the help, not an error.
        root.SetAction(ShowHelp);
        return root;
    }

    /// <summary>The action of a command that only groups others (<c>greyos</c>, <c>greyos user</c>): its help, exit 0.</summary>
    internal static int ShowHelp(ParseResult parse) => new HelpAction().Invoke(parse);

    /// <summary>Builds a command action that gets a <see cref="CommandContext"/> and turns failures into one line and an exit code.</summary>
    internal static Func<ParseResult, CancellationToken, Task<int>> Action(
        CliIO io,
        Option<string> nodeOption,
        Func<CommandContext, ParseResult, CancellationToken, Task<int>> body) => async (parse, cancellationToken) =>
    {
        NodeAddress? node = null;
        CommandContext? context = null;
        try
        {
            node = NodeAddress.Resolve(parse.GetValue(nodeOption), io.GetEnvironmentVariable);
            context = new CommandContext(io, node);
            return await body(context, parse, cancellationToken).ConfigureAwait(false);
        }
        catch (CliException ex)
        {
            return await FailAsync(io, ex.ExitCode, ex.Message).ConfigureAwait(false);
        }
        catch (GreyOSApiException ex) when (ex.StatusCode == System.Net.HttpStatusCode.Unauthorized && context is { UsesStoredSession: true })
        {
            return await FailAsync(io, ExitCodes.Failure, SessionRefused(context, ex)).ConfigureAwait(false);
        }
        catch (GreyOSApiException ex) when (ex.Code == CommandContext.StepUpRequiredCode && context is not null)
        {
            return await FailAsync(io, ExitCodes.Failure, $"this action needs a fresh proof: run 'greyos step-up{context.NodeFlag}' ({ex.Code})").ConfigureAwait(false);
        }
        catch (GreyOSApiException ex)
        {
            return await FailAsync(io, ExitCodes.Failure, ex.Code is null ? ex.Explanation : $"{ex.Explanation} ({ex.Code})").ConfigureAwait(false);
        }
        catch (GreyOSConnectionException ex)
        {
            return await FailAsync(io, ExitCodes.Unreachable, $"cannot reach the node at {node?.Key ?? ex.NodeAddress.ToString()}: {ex.Reason}").ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            if (io.IsInteractive)
            {
                // Leave the shell prompt on a fresh line after an interrupted prompt.
                await io.Error.WriteLineAsync().ConfigureAwait(false);
            }

            return ExitCodes.Cancelled;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return await FailAsync(io, ExitCodes.Failure, ex.Message.TrimEnd('.')).ConfigureAwait(false);
        }
        finally
        {
            context?.Dispose();
        }
    };

    /// <summary>The node refused the stored session (401): it expired, was revoked, or the signature was not accepted.</summary>
    internal static string SessionRefused(CommandContext context, GreyOSApiException ex) =>
        $"the stored session for {context.Node.Key} is expired or revoked (or this computer's clock is more than 5 minutes off); "
        + $"run 'greyos login{context.NodeFlag}' ({ex.Code ?? "unauthenticated"})";

    private static async Task<int> FailAsync(CliIO io, int exitCode, string message)
    {
        await io.Error.WriteLineAsync($"greyos: {message}").ConfigureAwait(false);
        return exitCode;
    }

    /// <summary>The first parse error as one line, e.g. <c>unrecognized command or argument 'frob' (run 'greyos --help')</c>.</summary>
    private static string DescribeParseError(ParseResult parse)
    {
        var message = parse.Errors[0].Message.Trim().TrimEnd('.');
        if (message.Length > 1 && char.IsUpper(message[0]) && char.IsLower(message[1]))
        {
            message = char.ToLower(message[0], CultureInfo.InvariantCulture) + message[1..];
        }

        // Multi-line messages (rare) are folded: the contract is one line.
        message = string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return $"{message} (run '{CommandPath(parse.CommandResult.Command)} --help')";
    }

    private static string CommandPath(Command command)
    {
        var names = new List<string>();
        for (Symbol? symbol = command; symbol is Command current; symbol = symbol.Parents.FirstOrDefault())
        {
            names.Add(current is RootCommand ? "greyos" : current.Name);
        }

        names.Reverse();
        return string.Join(' ', names);
    }

    private sealed class VersionAction : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            parseResult.InvocationConfiguration.Output.WriteLine($"greyos {CommandContext.Version}");
            return ExitCodes.Success;
        }
    }
}
