using System.CommandLine;
using System.Text.Json;
using GreyOS.Protocol;

namespace GreyOS.Cli;

/// <summary>
/// <c>greyos app-password create LABEL | ls | revoke ID</c>: per-device passwords for WebDAV clients
/// (davfs2, rclone, Finder, Windows). They work on <c>/dav</c> only, never for the API or the CLI.
/// </summary>
internal static class AppPasswordCommands
{
    public static Command Create(CliIO io, Option<string> node)
    {
        var command = new Command("app-password", "Manage app passwords for WebDAV clients (/dav): create, ls, revoke")
        {
            CreateOne(io, node), List(io, node), Revoke(io, node),
        };
        command.SetAction(CliApp.ShowHelp);
        return command;
    }

    private static Command CreateOne(CliIO io, Option<string> node)
    {
        var label = AccountOptions.Name("LABEL", "What the password is for, e.g. \"laptop davfs2\"");
        var json = SessionCommands.Json();
        var command = new Command("create", "Create an app password; its secret is printed this once (needs a fresh proof: your password may be asked)") { label, json };
        command.SetAction(CliApp.Action(io, node, async (context, parse, cancellationToken) =>
        {
            await context.UseStoredSessionAsync(cancellationToken).ConfigureAwait(false);
            var created = await context.WithFreshProofAsync(ct => context.Client.CreateAppPasswordAsync(parse.GetValue(label)!, ct), cancellationToken).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                await context.IO.Out.WriteLineAsync(JsonSerializer.Serialize(created, ProtocolJsonContext.Default.CreatedAppPasswordResponse)).ConfigureAwait(false);
                return ExitCodes.Success;
            }

            context.WriteLine($"Created app password {created.AppPassword.Id} ('{created.AppPassword.Label}'). It is shown only now:");
            context.WriteLine(string.Empty);
            context.WriteLine($"    {created.Secret}");
            context.WriteLine(string.Empty);
            context.WriteLine($"Use it with the user name '{created.UserName}' at {context.Node.Key.TrimEnd('/')}/dav/ (docs/webdav.md). Revoke it with 'greyos app-password revoke {created.AppPassword.Id}'.");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command List(CliIO io, Option<string> node)
    {
        var json = SessionCommands.Json();
        var command = new Command("ls", "List your app passwords: ID, label, created, last used, state") { json };
        command.SetAction(CliApp.Action(io, node, async (context, parse, cancellationToken) =>
        {
            await context.UseStoredSessionAsync(cancellationToken).ConfigureAwait(false);
            var list = await context.Client.ListAppPasswordsAsync(cancellationToken).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                await context.IO.Out.WriteLineAsync(JsonSerializer.Serialize(new AppPasswordListResponse(list), ProtocolJsonContext.Default.AppPasswordListResponse)).ConfigureAwait(false);
                return ExitCodes.Success;
            }

            if (list.Count == 0)
            {
                context.WriteLine("No app passwords. Create one with 'greyos app-password create LABEL'.");
                return ExitCodes.Success;
            }

            var table = CliTable.Create("ID", "LABEL", "CREATED", "LAST USED", "STATE");
            foreach (var item in list)
            {
                table.AddTextRow(item.Id, item.Label, CliTable.Time(item.CreatedAt), CliTable.Time(item.LastUsedAt), item.RevokedAt is { } at ? $"revoked {CliTable.Time(at)}" : "active");
            }

            context.Console.Write(table);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Revoke(CliIO io, Option<string> node)
    {
        var id = AccountOptions.Name("ID", "The app password's ID (see 'greyos app-password ls')");
        var command = new Command("revoke", "Revoke an app password: WebDAV clients using it are refused at once") { id };
        command.SetAction(CliApp.Action(io, node, async (context, parse, cancellationToken) =>
        {
            await context.UseStoredSessionAsync(cancellationToken).ConfigureAwait(false);
            var revoked = await context.Client.RevokeAppPasswordAsync(parse.GetValue(id)!, cancellationToken).ConfigureAwait(false);
            context.WriteLine($"Revoked app password {revoked.Id} ('{revoked.Label}').");
            return ExitCodes.Success;
        }));
        return command;
    }
}
