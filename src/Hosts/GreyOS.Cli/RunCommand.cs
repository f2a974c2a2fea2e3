using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;
using GreyOS.Client;
using GreyOS.Protocol;

namespace GreyOS.Cli;

/// <summary>
/// <c>greyos run FILE.wasm [--env K=V]… [--memory MiB] [--cpu-seconds N] [--output-bytes N] [--nice N] [--cap NAME]…
/// [--dir VFS_PATH[:GUEST_PATH][:ro]]… [--app-id ID] [--name NAME] [--detach] [-- ARGS…]</c>: uploads the module if the node lacks it, starts a process,
/// and (unless detached) streams its output and stdin and exits with the app's exit code.
/// </summary>
internal static partial class RunCommand
{
    private static readonly TimeSpan KillOnInterruptTimeout = TimeSpan.FromSeconds(10);

    public static Command Create(CliIO io, Option<string> node)
    {
        var file = new Argument<string>("FILE") { Description = "The WebAssembly module to run (a .wasm file)" };
        var args = new Argument<string[]>("ARGS")
        {
            Description = "Arguments for the app; put them after -- (e.g. greyos run app.wasm -- -v input)",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var env = new Option<string[]>("--env", "-e")
        {
            Description = "An environment variable for the app, K=V (repeat for more; a later K wins)",
            HelpName = "K=V",
        };
        env.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
            {
                if (!ProcessOptions.TryParseEnvironmentVariable(token.Value, out _, out _))
                {
                    result.AddError($"--env expects NAME=VALUE with a non-empty NAME, not '{token.Value}'");
                    return;
                }
            }
        });
        var memory = ProcessOptions.PositiveWhole("--memory", "MiB", "Memory limit in MiB (default: the node's, usually 64)", int.MaxValue);
        var cpu = ProcessOptions.PositiveNumber("--cpu-seconds", "N", "CPU time limit in seconds (default: the node's, usually 60)");
        var outputBytes = ProcessOptions.PositiveWhole("--output-bytes", "N", "Limit on stdout+stderr bytes (default: the node's)", long.MaxValue);
        var nice = new Option<int?>("--nice")
        {
            Description = "Run at lower priority: 0 (normal, the default) to 19 (lowest)",
            HelpName = "N",
        };
        nice.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is < 0 or > 19)
            {
                result.AddError("--nice expects a whole number from 0 (normal priority) to 19 (lowest)");
            }
        });
        var capabilities = new Option<string[]>("--cap")
        {
            Description = "Grant a capability beyond the defaults, e.g. proc.spawn (repeat for more)",
            HelpName = "NAME",
        };
        var dirs = new Option<string[]>("--dir")
        {
            Description = "Grant a VFS folder to the app, seen at GUEST_PATH (default: the same path); :ro for read-only (repeat for more)",
            HelpName = "VFS_PATH[:GUEST_PATH][:ro]",
        };
        dirs.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
            {
                if (!ProcessOptions.TryParseDirectory(token.Value, out _, out var error))
                {
                    result.AddError(error);
                    return;
                }
            }
        });
        var appId = new Option<string>("--app-id")
        {
            Description = "The app's id (reverse-DNS, e.g. org.example.notes): names its key-value store (default: per module)",
            HelpName = "ID",
        };
        var name = new Option<string>("--name")
        {
            Description = "The app's name: argv[0] and what 'greyos ps' shows (default: the file name without .wasm)",
            HelpName = "NAME",
        };
        var detach = new Option<bool>("--detach", "-d") { Description = "Start it and print its PID; do not wait or attach" };
        var command = new Command("run", "Run a WebAssembly app on the node and exit with its exit code (uploads the module if needed)")
        {
            file, args, env, memory, cpu, outputBytes, nice, capabilities, dirs, appId, name, detach,
        };
        command.SetAction(CliApp.Action(io, node, async (context, parse, cancellationToken) =>
        {
            var path = parse.GetValue(file)!;
            var wasm = await ReadModuleAsync(path, cancellationToken).ConfigureAwait(false);
            await context.UseStoredSessionAsync(cancellationToken).ConfigureAwait(false);

            var sha256 = GreyOSClient.ModuleHash(wasm);
            if (await context.Client.GetModuleAsync(sha256, cancellationToken).ConfigureAwait(false) is null)
            {
                await context.Client.PutModuleAsync(wasm, cancellationToken).ConfigureAwait(false);
            }

            var environment = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var entry in parse.GetValue(env) ?? [])
            {
                if (ProcessOptions.TryParseEnvironmentVariable(entry, out var key, out var value))
                {
                    environment[key] = value;
                }
            }

            var (memoryMiB, cpuSeconds, maxOutput, niceness) = (parse.GetValue(memory), parse.GetValue(cpu), parse.GetValue(outputBytes), parse.GetValue(nice));
            var limits = memoryMiB is null && cpuSeconds is null && maxOutput is null && niceness is null
                ? null
                : new ProcessLimitsDto((int?)memoryMiB, cpuSeconds, maxOutput, niceness);
            var isDetached = parse.GetValue(detach);
            var request = new SpawnProcessRequest(
                sha256,
                parse.GetValue(args) ?? [],
                environment,
                limits,
                parse.GetValue(capabilities) is { Length: > 0 } caps ? caps : null,
                parse.GetValue(name) is { Length: > 0 } given ? given : DefaultName(path),
                Attach: !isDetached,
                Dirs: (parse.GetValue(dirs) ?? []).Select(d => ProcessOptions.TryParseDirectory(d, out var grant, out _) ? grant : null).OfType<DirectoryGrantDto>().ToList() is { Count: > 0 } granted ? granted : null,
                AppId: parse.GetValue(appId) is { Length: > 0 } id ? id : null);
            var process = await context.Client.SpawnAsync(request, cancellationToken).ConfigureAwait(false);
            if (isDetached)
            {
                await context.IO.Out.WriteLineAsync(process.Pid.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
                return ExitCodes.Success;
            }

            try
            {
                var attachment = await context.Client.AttachAsync(process.Pid, cancellationToken).ConfigureAwait(false);
                await using (attachment.ConfigureAwait(false))
                {
                    var stdout = OutputSink.Stdout(context.IO);
                    var stderr = OutputSink.Stderr(context.IO);
                    var final = await ProcessStreams.StreamAsync(
                        context,
                        attachment,
                        channel => channel == OutputChannel.Stderr ? stderr : stdout,
                        feedStdin: true,
                        cancellationToken).ConfigureAwait(false);
                    return await ProcessOutcome.ReportAsync(context.IO, final).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await KillOnInterruptAsync(context, process.Pid).ConfigureAwait(false);
                return ExitCodes.Cancelled;
            }
        }));
        return command;
    }

    /// <summary>The default app name: the file's name without <c>.wasm</c>, if it is a plain name; else the node picks one.</summary>
    internal static string? DefaultName(string path)
    {
        var stem = Path.GetFileNameWithoutExtension(path);
        return PlainName().IsMatch(stem) ? stem : null;
    }

    private static async Task<byte[]> ReadModuleAsync(string path, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw CliException.Usage("FILE is empty: name a .wasm file");
        }

        try
        {
            if (Directory.Exists(path))
            {
                throw CliException.Failure($"cannot read {path}: it is a folder, not a .wasm file");
            }

            var size = new FileInfo(path).Length;
            if (size > GreyOSClient.MaxModuleBytes)
            {
                throw CliException.Failure($"cannot run {path}: it has {size} bytes; a module may have at most {GreyOSClient.MaxModuleBytes / (1024 * 1024)} MiB");
            }

            return await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw CliException.Failure($"cannot read {path}: no such file");
        }
        catch (UnauthorizedAccessException)
        {
            throw CliException.Failure($"cannot read {path}: permission denied");
        }
        catch (IOException ex)
        {
            throw CliException.Failure($"cannot read {path}: {ex.Message.TrimEnd('.')}");
        }
    }

    /// <summary>Ctrl+C while attached: the app is the foreground job, so it goes too.</summary>
    private static async Task KillOnInterruptAsync(CommandContext context, long pid)
    {
        using var timeout = new CancellationTokenSource(KillOnInterruptTimeout);
        try
        {
            await context.Client.KillAsync(pid, timeout.Token).ConfigureAwait(false);
            await context.IO.Error.WriteLineAsync($"greyos: interrupted; killed process {pid}").ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is GreyOSApiException or GreyOSConnectionException or OperationCanceledException)
        {
            var reason = ex switch
            {
                GreyOSApiException api => api.Message,
                GreyOSConnectionException connection => connection.Reason,
                _ => "no answer in time",
            };
            await context.IO.Error.WriteLineAsync($"greyos: interrupted; could not kill process {pid}: {reason} (run 'greyos kill {pid}{context.NodeFlag}')").ConfigureAwait(false);
        }
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex PlainName();
}
