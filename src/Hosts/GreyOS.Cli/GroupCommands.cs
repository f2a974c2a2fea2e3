using System.CommandLine;
using System.Text.Json;
using GreyOS.Protocol;

namespace GreyOS.Cli;

/// <summary><c>greyos group list | show | create | delete | add | remove</c>: groups of users and groups (nesting allowed, cycles refused).</summary>
internal static class GroupCommands
{
    public static Command Create(CliIO io, Option<string> node)
    {
        var command = new Command("group", "Manage groups: list, show, create, delete, add, remove")
        {
            List(io, node), Show(io, node), CreateGroup(io, node), Delete(io, node), Member(io, node, add: true), Member(io, node, add: false),
        };
        command.SetAction(CliApp.ShowHelp);
        return command;
    }

    private static Command List(CliIO io, Option<string> node)
    {
        var json = SessionCommands.Json();
        var command = new Command("list", "List every group with its direct members") { json };
        command.SetAction(CliApp.Action(io, node, async (context, parse, cancellationToken) =>
        {
            await context.UseStoredSessionAsync(cancellationToken).ConfigureAwait(false);
            var groups = await context.Client.ListGroupsAsync(cancellationToken).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                await context.IO.Out.WriteLineAsync(JsonSerializer.Serialize(new GroupListOutput(context.Node.Key, groups), CliJsonContext.Default.GroupListOutput)).ConfigureAwait(false);
                return ExitCodes.Success;
            }

            if (groups.Count == 0)
            {
                context.WriteLine("No groups.");
                return ExitCodes.Success;
            }

            var table = CliTable.Create("ID", "NAME", "MEMBERS", "CREATED");
            foreach (var group in groups)
            {
                table.AddTextRow(group.Id, group.Name, Members(group), CliTable.Time(group.CreatedAt));
            }

            context.Console.Write(table);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Show(CliIO io, Option<string> node)
    {
        var name = AccountOptions.Name("NAME", "The group's name or ID");
        var json = SessionCommands.Json();
        var command = new Command("show", "Show one group and its direct members") { name, json };
        command.SetAction(CliApp.Action(io, node, async (context, parse, cancellationToken) =>
        {
            await context.UseStoredSessionAsync(cancellationToken).ConfigureAwait(false);
            var group = await context.Client.GetGroupAsync(parse.GetValue(name)!, cancellationToken).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                await context.IO.Out.WriteLineAsync(JsonSerializer.Serialize(group, CliJsonContext.Default.GroupResponse)).ConfigureAwait(false);
                return ExitCodes.Success;
            }

            context.WriteFacts(
            [
                ("ID", group.Id),
                ("Name", group.Name),
                ("Members", Members(group)),
                ("Created", CliTable.Time(group.CreatedAt)),
            ]);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command CreateGroup(CliIO io, Option<string> node)
    {
        var name = AccountOptions.Name("NAME", "The new group's name");
        var command = new Command("create", "Create an empty group") { name };
        command.SetAction(CliApp.Action(io, node, async (context, parse, cancellationToken) =>
        {
            await context.UseStoredSessionAsync(cancellationToken).ConfigureAwait(false);
            var group = await context.WithFreshProofAsync(ct => context.Client.CreateGroupAsync(parse.GetValue(name)!, ct), cancellationToken).ConfigureAwait(false);
            context.WriteLine($"Created group {group.Name} ({group.Id}).");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Delete(CliIO io, Option<string> node)
    {
        var name = AccountOptions.Name("NAME", "The group's name or ID");
        var command = new Command("delete", "Delete a group (its members stay)") { name };
        command.SetAction(CliApp.Action(io, node, async (context, parse, cancellationToken) =>
        {
            await context.UseStoredSessionAsync(cancellationToken).ConfigureAwait(false);
            var group = await context.WithFreshProofAsync(ct => context.Client.DeleteGroupAsync(parse.GetValue(name)!, ct), cancellationToken).ConfigureAwait(false);
            context.WriteLine($"Deleted group {group.Name} ({group.Id}).");
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary><c>add</c> or <c>remove</c> <c>GROUP (--user U | --group G)</c>.</summary>
    private static Command Member(CliIO io, Option<string> node, bool add)
    {
        var group = AccountOptions.Name("GROUP", "The group's name or ID");
        var user = new Option<string>("--user") { Description = "The member is this user", HelpName = "NAME" };
        var subgroup = new Option<string>("--group") { Description = "The member is this group (nested: its members belong too)", HelpName = "NAME" };
        var command = add
            ? new Command("add", "Add a user or a group to a group (a group that would contain itself is refused)") { group, user, subgroup }
            : new Command("remove", "Remove a user or a group from a group") { group, user, subgroup };
        AccountOptions.RequireExactlyOne(command, user, subgroup);
        command.SetAction(CliApp.Action(io, node, async (context, parse, cancellationToken) =>
        {
            await context.UseStoredSessionAsync(cancellationToken).ConfigureAwait(false);
            var (kind, member) = parse.GetValue(user) is { } userName ? ("user", userName) : ("group", parse.GetValue(subgroup)!);
            var groupName = parse.GetValue(group)!;
            var result = await context.WithFreshProofAsync(
                ct => add
                    ? context.Client.AddGroupMemberAsync(groupName, kind, member, ct)
                    : context.Client.RemoveGroupMemberAsync(groupName, kind, member, ct),
                cancellationToken).ConfigureAwait(false);
            context.WriteLine(add
                ? $"Added {kind} {member} to group {result.Name}; members: {Members(result)}."
                : $"Removed {kind} {member} from group {result.Name}; members: {Members(result)}.");
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary><c>alice, bob, group:ops</c>, or <c>-</c>.</summary>
    private static string Members(GroupResponse group) =>
        CliTable.List(group.Members.Select(m => m.Kind == "group" ? $"group:{m.Name}" : m.Name));
}
