using System.CommandLine;
using System.Text.Json;

namespace GreyOS.Cli;

/// <summary><c>greyos role list | set | delete</c>: built-in roles and custom sets of permissions.</summary>
internal static class RoleCommands
{
    public static Command Create(CliIO io, Option<string> node)
    {
        var command = new Command("role", "Manage roles: list, set, delete") { List(io, node), Set(io, node), Delete(io, node) };
        command.SetAction(CliApp.ShowHelp);
        return command;
    }

    private static Command List(CliIO io, Option<string> node)
    {
        var json = SessionCommands.Json();
        var command = new Command("list", "List the roles and their permissions, and every permission a role may hold") { json };
        command.SetAction(CliApp.Action(io, node, async (context, parse, cancellationToken) =>
        {
            await context.UseStoredSessionAsync(cancellationToken).ConfigureAwait(false);
            var roles = await context.Client.ListRolesAsync(cancellationToken).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                var output = new RoleListOutput(context.Node.Key, roles.Roles, roles.KnownPermissions);
                await context.IO.Out.WriteLineAsync(JsonSerializer.Serialize(output, CliJsonContext.Default.RoleListOutput)).ConfigureAwait(false);
                return ExitCodes.Success;
            }

            var table = CliTable.Create("NAME", "KIND", "PERMISSIONS");
            foreach (var role in roles.Roles)
            {
                table.AddTextRow(role.Name, role.BuiltIn ? "built-in" : "custom", CliTable.List(role.Permissions));
            }

            context.Console.Write(table);
            context.WriteLine(string.Empty);
            context.WriteLine($"Permissions a role may hold: {CliTable.List(roles.KnownPermissions)}");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Set(CliIO io, Option<string> node)
    {
        var name = AccountOptions.Name("NAME", "The role's name (not admin, user or guest: those are built in)");
        var permissions = new Argument<string[]>("PERMISSION")
        {
            Description = "The role's permissions, e.g. users.read audit.read (see 'greyos role list')",
            Arity = ArgumentArity.OneOrMore,
        };
        var passwordStdin = SessionCommands.PasswordStdin("If the node asks for a fresh proof, read your password from standard input");
        var command = new Command("set", "Create a custom role or replace its permissions; needs a fresh proof") { name, permissions, passwordStdin };
        command.SetAction(CliApp.Action(io, node, async (context, parse, cancellationToken) =>
        {
            context.PasswordFromStdin = parse.GetValue(passwordStdin);
            await context.UseStoredSessionAsync(cancellationToken).ConfigureAwait(false);
            var wanted = parse.GetValue(permissions)!.Distinct(StringComparer.Ordinal).ToList();
            var role = await context.WithFreshProofAsync(ct => context.Client.SaveRoleAsync(parse.GetValue(name)!, wanted, ct), cancellationToken).ConfigureAwait(false);
            context.WriteLine($"Saved role {role.Name}: {CliTable.List(role.Permissions)}.");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Delete(CliIO io, Option<string> node)
    {
        var name = AccountOptions.Name("NAME", "The custom role's name");
        var passwordStdin = SessionCommands.PasswordStdin("If the node asks for a fresh proof, read your password from standard input");
        var command = new Command("delete", "Delete a custom role (users lose it); needs a fresh proof") { name, passwordStdin };
        command.SetAction(CliApp.Action(io, node, async (context, parse, cancellationToken) =>
        {
            context.PasswordFromStdin = parse.GetValue(passwordStdin);
            await context.UseStoredSessionAsync(cancellationToken).ConfigureAwait(false);
            var role = await context.WithFreshProofAsync(ct => context.Client.DeleteRoleAsync(parse.GetValue(name)!, ct), cancellationToken).ConfigureAwait(false);
            context.WriteLine($"Deleted role {role.Name}.");
            return ExitCodes.Success;
        }));
        return command;
    }
}
