using System.CommandLine;

namespace GreyOS.Cli;

/// <summary><c>greyos setup [--code CODE] [--password-stdin]</c>: spend the first-boot setup code to set the administrator's password.</summary>
internal static class SetupCommand
{
    public static Command Create(CliIO io, Option<string> node)
    {
        var code = new Option<string>("--code")
        {
            Description = "The one-time setup code the node printed at first boot (asked for when interactive)",
            HelpName = "CODE",
        };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the new administrator password from the first line of standard input" };
        var command = new Command("setup", "Set the administrator's password with the one-time setup code (first boot only)") { code, passwordStdin };
        command.SetAction(CliApp.Action(io, node, async (context, parse, cancellationToken) =>
        {
            var setupCode = parse.GetValue(code);
            var fromStdin = parse.GetValue(passwordStdin);
            if (setupCode is null && !context.IO.IsInteractive)
            {
                throw CliException.Usage("--code is required when not run interactively (the node prints the code at first boot)");
            }

            if (!fromStdin && !context.IO.IsInteractive)
            {
                throw CliException.Usage("no terminal to ask for the password: pass --password-stdin and write the password to standard input");
            }

            if (setupCode is null || !fromStdin)
            {
                // About to ask a person for input: first make sure there is something to set up.
                var health = await context.Client.GetHealthAsync(cancellationToken).ConfigureAwait(false);
                if (!health.SetupPending)
                {
                    throw CliException.Failure($"setup is already complete on {context.Node.Key}; log in with 'greyos login{context.NodeFlag}'");
                }
            }

            setupCode ??= (await context.AskAsync("Setup code:", cancellationToken).ConfigureAwait(false)).Trim();
            context.PasswordFromStdin = fromStdin;
            var password = await context.ReadNewPasswordAsync("New administrator password:", cancellationToken).ConfigureAwait(false);

            var result = await context.Client.CompleteSetupAsync(setupCode, password, cancellationToken).ConfigureAwait(false);
            var user = result.UserName;
            context.WriteLine($"Setup complete on {context.Node.Key}: the administrator '{user}' can now log in.");
            context.WriteLine($"  greyos login{context.NodeFlag}{(user == "admin" ? string.Empty : $" --user {user}")}");
            return ExitCodes.Success;
        }));
        return command;
    }
}
