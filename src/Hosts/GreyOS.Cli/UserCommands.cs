using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using GreyOS.Protocol;

namespace GreyOS.Cli;

/// <summary>
/// <c>greyos user list | show | create | set | passwd | delete</c>: the node's users (administrators;
/// <c>passwd</c> without a name changes your own password).
/// </summary>
internal static class UserCommands
{
    private static readonly string[] Statuses = ["active", "disabled"];

    public static Command Create(CliIO io, Option<string> node)
    {
        var command = new Command("user", "Manage users: list, show, create, set, passwd, delete")
        {
            List(io, node), Show(io, node), CreateUser(io, node), Set(io, node), Passwd(io, node), Delete(io, node),
        };
        command.SetAction(CliApp.ShowHelp);
        return command;
    }

    private static Command List(CliIO io, Option<string> node)
    {
        var json = SessionCommands.Json();
        var command = new Command("list", "List every user: ID, name, display name, status, roles, quota, creation") { json };
        command.SetAction(CliApp.Action(io, node, async (context, parse, cancellationToken) =>
        {
            await context.UseStoredSessionAsync(cancellationToken).ConfigureAwait(false);
            var users = await context.Client.ListUsersAsync(cancellationToken).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                await context.IO.Out.WriteLineAsync(JsonSerializer.Serialize(new UserListOutput(context.Node.Key, users), CliJsonContext.Default.UserListOutput)).ConfigureAwait(false);
                return ExitCodes.Success;
            }

            var table = CliTable.Create("ID", "NAME", "DISPLAY NAME", "STATUS", "ROLES", "QUOTA", "CREATED");
            foreach (var user in users)
            {
                table.AddTextRow(user.Id, user.Name, user.DisplayName is { Length: > 0 } shown ? shown : "-", user.Status, CliTable.List(user.Roles), CliTable.Quota(user.QuotaBytes), CliTable.Time(user.CreatedAt));
            }

            context.Console.Write(table);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Show(CliIO io, Option<string> node)
    {
        var name = AccountOptions.Name("NAME", "The user's name or ID");
        var json = SessionCommands.Json();
        var command = new Command("show", "Show one user") { name, json };
        command.SetAction(CliApp.Action(io, node, async (context, parse, cancellationToken) =>
        {
            await context.UseStoredSessionAsync(cancellationToken).ConfigureAwait(false);
            var user = await context.Client.GetUserAsync(parse.GetValue(name)!, cancellationToken).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                await context.IO.Out.WriteLineAsync(JsonSerializer.Serialize(user, CliJsonContext.Default.UserResponse)).ConfigureAwait(false);
                return ExitCodes.Success;
            }

            WriteUser(context, user);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command CreateUser(CliIO io, Option<string> node)
    {
        var name = AccountOptions.Name("NAME", "The new user's name (letters, digits, '.', '_', '-')");
        var displayName = AccountOptions.DisplayName();
        var roles = AccountOptions.Roles("A role for the user (repeat for more; default: user)");
        var quota = AccountOptions.Quota();
        var passwordStdin = SessionCommands.PasswordStdin("Read the new user's password from the first line of standard input (and, if the node asks for a fresh proof, yours from the second)");
        var command = new Command("create", "Create a user with a password (asked twice at a terminal)") { name, displayName, roles, quota, passwordStdin };
        command.SetAction(CliApp.Action(io, node, async (context, parse, cancellationToken) =>
        {
            context.PasswordFromStdin = parse.GetValue(passwordStdin);
            await context.UseStoredSessionAsync(cancellationToken).ConfigureAwait(false);
            var userName = parse.GetValue(name)!;
            var password = await context.ReadNewPasswordAsync($"Password for the new user {userName}:", cancellationToken).ConfigureAwait(false);
            var request = new CreateUserRequest(userName, parse.GetValue(displayName), password, NullIfEmpty(parse.GetValue(roles)), parse.GetValue(quota));
            var user = await context.WithFreshProofAsync(ct => context.Client.CreateUserAsync(request, ct), cancellationToken).ConfigureAwait(false);
            context.WriteLine($"Created user {user.Name} ({user.Id}) with roles {CliTable.List(user.Roles)}.");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Set(CliIO io, Option<string> node)
    {
        var name = AccountOptions.Name("NAME", "The user's name or ID");
        var displayName = AccountOptions.DisplayName();
        var status = new Option<string>("--status") { Description = "active, or disabled (a disabled user cannot log in)", HelpName = "STATUS" };
        status.AcceptOnlyFromAmong(Statuses);
        var quota = AccountOptions.Quota();
        var roles = AccountOptions.Roles("Replace the user's roles with these (repeat for more)");
        var passwordStdin = SessionCommands.PasswordStdin("If the node asks for a fresh proof, read your password from standard input");
        var command = new Command("set", "Change a user's display name, status, quota or roles (roles and status need a fresh proof)")
        {
            name, displayName, status, quota, roles, passwordStdin,
        };
        command.SetAction(CliApp.Action(io, node, async (context, parse, cancellationToken) =>
        {
            context.PasswordFromStdin = parse.GetValue(passwordStdin);
            var request = new UpdateUserRequest(parse.GetValue(displayName), parse.GetValue(status), parse.GetValue(quota), NullIfEmpty(parse.GetValue(roles)));
            if (request is { DisplayName: null, Status: null, QuotaBytes: null, Roles: null })
            {
                throw CliException.Usage("nothing to change: pass --display-name, --status, --quota or --role (run 'greyos user set --help')");
            }

            await context.UseStoredSessionAsync(cancellationToken).ConfigureAwait(false);
            var user = await context.WithFreshProofAsync(ct => context.Client.UpdateUserAsync(parse.GetValue(name)!, request, ct), cancellationToken).ConfigureAwait(false);
            context.WriteLine($"Updated user {user.Name}: display name '{user.DisplayName}', status {user.Status}, roles {CliTable.List(user.Roles)}, quota {CliTable.Quota(user.QuotaBytes)}.");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Passwd(CliIO io, Option<string> node)
    {
        var name = new Argument<string?>("NAME") { Description = "Whose password (default: yours; someone else's needs users.write)", Arity = ArgumentArity.ZeroOrOne };
        var passwordStdin = SessionCommands.PasswordStdin("Read the new password from the first line of standard input (and, if the node asks for a fresh proof, your current one from the second)");
        var command = new Command("passwd", "Set a password (asked twice at a terminal); needs a fresh proof") { name, passwordStdin };
        command.SetAction(CliApp.Action(io, node, async (context, parse, cancellationToken) =>
        {
            context.PasswordFromStdin = parse.GetValue(passwordStdin);
            await context.UseStoredSessionAsync(cancellationToken).ConfigureAwait(false);
            var userName = parse.GetValue(name) is { Length: > 0 } given ? given : context.Stored!.UserName;
            var password = await context.ReadNewPasswordAsync($"New password for {userName}:", cancellationToken).ConfigureAwait(false);
            await context.WithFreshProofAsync(ct => context.Client.SetPasswordAsync(userName, password, ct), cancellationToken).ConfigureAwait(false);
            context.WriteLine($"Changed the password of {userName}.");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Delete(CliIO io, Option<string> node)
    {
        var name = AccountOptions.Name("NAME", "The user's name or ID");
        var passwordStdin = SessionCommands.PasswordStdin("If the node asks for a fresh proof, read your password from standard input");
        var command = new Command("delete", "Delete a user with their devices and sessions; needs a fresh proof") { name, passwordStdin };
        command.SetAction(CliApp.Action(io, node, async (context, parse, cancellationToken) =>
        {
            context.PasswordFromStdin = parse.GetValue(passwordStdin);
            await context.UseStoredSessionAsync(cancellationToken).ConfigureAwait(false);
            var user = await context.WithFreshProofAsync(ct => context.Client.DeleteUserAsync(parse.GetValue(name)!, ct), cancellationToken).ConfigureAwait(false);
            context.WriteLine($"Deleted user {user.Name} ({user.Id}) with their devices and sessions.");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static void WriteUser(CommandContext context, UserResponse user) => context.WriteFacts(
    [
        ("ID", user.Id),
        ("Name", user.Name),
        ("Display name", user.DisplayName),
        ("Status", user.Status),
        ("Roles", CliTable.List(user.Roles)),
        ("Quota", user.QuotaBytes > 0 ? $"{CliTable.Quota(user.QuotaBytes)} ({user.QuotaBytes.ToString(CultureInfo.InvariantCulture)} bytes)" : CliTable.Quota(user.QuotaBytes)),
        ("Created", CliTable.Time(user.CreatedAt)),
    ]);

    private static string[]? NullIfEmpty(string[]? values) => values is { Length: > 0 } ? values : null;
}
