using System.CommandLine;

namespace GreyOS.Cli;

/// <summary><c>greyos setup [--code CODE] [--password-stdin]</c>: spend the first-boot setup code to set the administrator's password.</summary>
internal static class SetupCommand
{
    private const int PasswordAttempts = 3;

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
            var password = fromStdin
                ? await context.ReadPasswordFromStdinAsync(cancellationToken).ConfigureAwait(false)
                : await AskNewPasswordAsync(context, cancellationToken).ConfigureAwait(false);

            var result = await context.Client.CompleteSetupAsync(setupCode, password, cancellationToken).ConfigureAwait(false);
            var user = result.UserName;
            context.WriteLine($"Setup complete on {context.Node.Key}: the administrator '{user}' can now log in.");
            context.WriteLine($"  greyos login{context.NodeFlag}{(user == "admin" ? string.Empty : $" --user {user}")}");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static async Task<string> AskNewPasswordAsync(CommandContext context, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var password = await context.AskSecretAsync("New administrator password:", cancellationToken).ConfigureAwait(false);
            var again = await context.AskSecretAsync("Repeat the password:", cancellationToken).ConfigureAwait(false);
            if (password == again)
            {
                return password;
            }

            if (attempt == PasswordAttempts)
            {
                throw CliException.Failure("the passwords did not match");
            }

            context.Prompts.Write(new Spectre.Console.Text("The passwords do not match; try again." + Environment.NewLine));
        }
    }
}
