using System.CommandLine;
using System.Globalization;
using GreyOS.Protocol;

namespace GreyOS.Cli;

/// <summary>
/// <c>greyos fs versions|restore|trash|share|unshare|shared|link|quota|find|mount</c>: keeping,
/// recovering and sharing files on the node.
/// </summary>
internal static class FileRecoveryCommands
{
    public static IEnumerable<Command> Create(CliIO io, Option<string> node) =>
    [
        Versions(io, node), Restore(io, node), Trash(io, node), Share(io, node), Unshare(io, node), Shared(io, node),
        Link(io, node), Quota(io, node), Find(io, node), Mount(io, node),
    ];

    private static Command Versions(CliIO io, Option<string> node)
    {
        var path = FileCommands.RemotePath("PATH", "The file");
        var command = new Command("versions", "List the kept earlier contents of a file, newest first") { path };
        command.SetAction(CliApp.Action(io, node, async (context, parse, cancellationToken) =>
        {
            await context.UseStoredSessionAsync(cancellationToken).ConfigureAwait(false);
            var versions = await context.Client.ListFileVersionsAsync(FileCommands.Resolve(context, parse.GetValue(path)), cancellationToken).ConfigureAwait(false);
            if (versions.Count == 0)
            {
                context.WriteLine("No earlier versions.");
                return ExitCodes.Success;
            }

            var table = CliTable.Create("VERSION", "SIZE", "WRITTEN", "REPLACED", "BY");
            foreach (var v in versions)
            {
                table.AddTextRow(v.Id.ToString(CultureInfo.InvariantCulture), FileCommands.Size(v.Length), CliTable.Time(v.ModifiedAt), CliTable.Time(v.SavedAt), v.SavedBy);
            }

            context.Console.Write(table);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Restore(CliIO io, Option<string> node)
    {
        var path = new Argument<string?>("PATH") { Description = "The file whose version to restore (with --version)", Arity = ArgumentArity.ZeroOrOne };
        var version = new Option<long?>("--version") { Description = "Make this version (from 'greyos fs versions') the file's content again", HelpName = "ID" };
        var trash = new Option<string?>("--trash") { Description = "Put this trash item (from 'greyos fs trash') back", HelpName = "ID" };
        var to = new Option<string?>("--to") { Description = "With --trash: restore to this path instead of where it was", HelpName = "PATH" };
        var command = new Command("restore", "Restore an earlier version of a file (--version) or a deleted item from the trash (--trash)") { path, version, trash, to };
        command.SetAction(CliApp.Action(io, node, async (context, parse, cancellationToken) =>
        {
            var (target, id, item) = (parse.GetValue(path), parse.GetValue(version), parse.GetValue(trash));
            if ((id is null) == (item is null) || (id is not null && target is null) || (item is not null && target is not null))
            {
                throw CliException.Usage("give PATH --version ID, or --trash ID [--to PATH]");
            }

            await context.UseStoredSessionAsync(cancellationToken).ConfigureAwait(false);
            var restored = item is not null
                ? await context.Client.RestoreFromTrashAsync(item, parse.GetValue(to) is { } destination ? FileCommands.Resolve(context, destination) : null, cancellationToken).ConfigureAwait(false)
                : await context.Client.RestoreFileVersionAsync(FileCommands.Resolve(context, target), id!.Value, cancellationToken: cancellationToken).ConfigureAwait(false);
            context.WriteLine($"Restored {restored.Path}.");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Trash(CliIO io, Option<string> node)
    {
        var all = new Option<bool>("--all") { Description = "Every user's trash (administrators)" };
        var list = new Command("ls", "List your trash, newest first") { all };
        list.SetAction(CliApp.Action(io, node, async (context, parse, cancellationToken) =>
        {
            await context.UseStoredSessionAsync(cancellationToken).ConfigureAwait(false);
            var items = await context.Client.ListTrashAsync(parse.GetValue(all), cancellationToken).ConfigureAwait(false);
            if (items.Count == 0)
            {
                context.WriteLine("The trash is empty.");
                return ExitCodes.Success;
            }

            var table = CliTable.Create("ID", "KIND", "SIZE", "DELETED", "BY", "FROM");
            foreach (var item in items)
            {
                table.AddTextRow(item.Id, item.Kind, FileCommands.Size(item.Length), CliTable.Time(item.DeletedAt), item.DeletedBy, item.OriginalPath);
            }

            context.Console.Write(table);
            return ExitCodes.Success;
        }));

        var purgeId = new Argument<string>("ID") { Description = "The trash item" };
        var purge = new Command("purge", "Delete a trash item for good") { purgeId };
        purge.SetAction(CliApp.Action(io, node, async (context, parse, cancellationToken) =>
        {
            await context.UseStoredSessionAsync(cancellationToken).ConfigureAwait(false);
            var item = await context.Client.PurgeTrashItemAsync(parse.GetValue(purgeId)!, cancellationToken).ConfigureAwait(false);
            context.WriteLine($"Deleted {item.OriginalPath} for good.");
            return ExitCodes.Success;
        }));

        var empty = new Command("empty", "Delete everything in your trash for good");
        empty.SetAction(CliApp.Action(io, node, async (context, _, cancellationToken) =>
        {
            await context.UseStoredSessionAsync(cancellationToken).ConfigureAwait(false);
            var count = await context.Client.EmptyTrashAsync(cancellationToken).ConfigureAwait(false);
            context.WriteLine($"Emptied the trash ({count.ToString(CultureInfo.InvariantCulture)} items).");
            return ExitCodes.Success;
        }));

        var command = new Command("trash", "Deleted files: ls, purge, empty (restore with 'greyos fs restore --trash ID')") { list, purge, empty };
        command.SetAction(CliApp.ShowHelp);
        return command;
    }

    private static Command Share(CliIO io, Option<string> node)
    {
        var path = FileCommands.RemotePath("PATH", "The file or folder to share");
        var (user, group, app) = Sharees();
        var rights = new Option<string>("--rights") { Description = "Comma-separated: read, write, share", HelpName = "RIGHTS", DefaultValueFactory = _ => "read" };
        var list = new Option<bool>("--list", "-l") { Description = "Show the shares on PATH instead" };
        var command = new Command("share", "Share a file or folder (and everything in it) with a user, group or app; --list shows its shares") { path, user, group, app, rights, list };
        command.SetAction(CliApp.Action(io, node, async (context, parse, cancellationToken) =>
        {
            await context.UseStoredSessionAsync(cancellationToken).ConfigureAwait(false);
            var target = FileCommands.Resolve(context, parse.GetValue(path));
            if (parse.GetValue(list))
            {
                WriteShares(context, await context.Client.ListSharesAsync(target, cancellationToken).ConfigureAwait(false));
                return ExitCodes.Success;
            }

            var (kind, name) = Sharee(parse, user, group, app);
            var wanted = parse.GetValue(rights)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var share = await context.Client.ShareAsync(target, kind, name, wanted, cancellationToken).ConfigureAwait(false);
            context.WriteLine($"Shared {share.Path} with {share.Kind} {share.Name} ({string.Join(", ", share.Rights)}).");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Unshare(CliIO io, Option<string> node)
    {
        var path = FileCommands.RemotePath("PATH", "The shared file or folder");
        var (user, group, app) = Sharees();
        var command = new Command("unshare", "Stop sharing a file or folder with a user, group or app") { path, user, group, app };
        command.SetAction(CliApp.Action(io, node, async (context, parse, cancellationToken) =>
        {
            var (kind, name) = Sharee(parse, user, group, app);
            await context.UseStoredSessionAsync(cancellationToken).ConfigureAwait(false);
            var removed = await context.Client.UnshareAsync(FileCommands.Resolve(context, parse.GetValue(path)), kind, name, cancellationToken).ConfigureAwait(false);
            context.WriteLine($"{removed.Path} is no longer shared with {removed.Kind} {removed.Name}.");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Shared(CliIO io, Option<string> node)
    {
        var command = new Command("shared", "What others shared with you");
        command.SetAction(CliApp.Action(io, node, async (context, _, cancellationToken) =>
        {
            await context.UseStoredSessionAsync(cancellationToken).ConfigureAwait(false);
            WriteShares(context, await context.Client.SharedWithMeAsync(cancellationToken).ConfigureAwait(false));
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Link(CliIO io, Option<string> node)
    {
        var path = FileCommands.RemotePath("PATH", "The file or folder");
        var expires = new Option<string?>("--expires") { Description = "Stop working after this long: e.g. 30m, 12h, 7d", HelpName = "DURATION" };
        var password = new Option<bool>("--password") { Description = "Ask for a password the visitor must give (read from standard input)" };
        var create = new Command("create", "Create a public read-only link; prints its URL (shown only now)") { path, expires, password };
        create.SetAction(CliApp.Action(io, node, async (context, parse, cancellationToken) =>
        {
            DateTimeOffset? until = parse.GetValue(expires) is { } text ? DateTimeOffset.UtcNow + ParseDuration(text) : null;
            string? secret = null;
            if (parse.GetValue(password))
            {
                secret = (await context.IO.In.ReadLineAsync(cancellationToken).ConfigureAwait(false))?.TrimEnd('\r');
                if (string.IsNullOrEmpty(secret))
                {
                    throw CliException.Usage("--password: give the link's password on standard input");
                }
            }

            await context.UseStoredSessionAsync(cancellationToken).ConfigureAwait(false);
            var link = await context.Client.CreateLinkAsync(FileCommands.Resolve(context, parse.GetValue(path)), until, secret, cancellationToken).ConfigureAwait(false);
            context.WriteLine(new Uri(context.Node.BaseAddress, link.Url).ToString());
            return ExitCodes.Success;
        }));

        var all = new Option<bool>("--all") { Description = "Every user's links (administrators)" };
        var list = new Command("ls", "List your public links") { all };
        list.SetAction(CliApp.Action(io, node, async (context, parse, cancellationToken) =>
        {
            await context.UseStoredSessionAsync(cancellationToken).ConfigureAwait(false);
            var links = await context.Client.ListLinksAsync(parse.GetValue(all), cancellationToken).ConfigureAwait(false);
            var table = CliTable.Create("ID", "PATH", "EXPIRES", "PASSWORD", "OPENED");
            foreach (var l in links)
            {
                table.AddTextRow(l.Id, l.Path, CliTable.Time(l.ExpiresAt), l.HasPassword ? "yes" : "no", l.Downloads.ToString(CultureInfo.InvariantCulture));
            }

            context.Console.Write(table);
            return ExitCodes.Success;
        }));

        var id = new Argument<string>("ID") { Description = "The link's id (from 'greyos fs link ls')" };
        var revoke = new Command("rm", "Revoke a public link") { id };
        revoke.SetAction(CliApp.Action(io, node, async (context, parse, cancellationToken) =>
        {
            await context.UseStoredSessionAsync(cancellationToken).ConfigureAwait(false);
            var link = await context.Client.RevokeLinkAsync(parse.GetValue(id)!, cancellationToken).ConfigureAwait(false);
            context.WriteLine($"Revoked the link to {link.Path}.");
            return ExitCodes.Success;
        }));

        var command = new Command("link", "Public read-only links: create, ls, rm") { create, list, revoke };
        command.SetAction(CliApp.ShowHelp);
        return command;
    }

    private static Command Quota(CliIO io, Option<string> node)
    {
        var path = new Argument<string?>("PATH") { Description = "A path under the quota (default: your home)", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("quota", "Show the storage quota and its use (files plus trash)") { path };
        command.SetAction(CliApp.Action(io, node, async (context, parse, cancellationToken) =>
        {
            await context.UseStoredSessionAsync(cancellationToken).ConfigureAwait(false);
            var quota = await context.Client.GetQuotaAsync(parse.GetValue(path) is { } p ? FileCommands.Resolve(context, p) : null, cancellationToken).ConfigureAwait(false);
            var limit = quota.QuotaBytes > 0 ? FileCommands.Size(quota.QuotaBytes) : "unlimited";
            var share = quota.QuotaBytes > 0 ? $" ({(100.0 * quota.UsedBytes / quota.QuotaBytes).ToString("0.#", CultureInfo.InvariantCulture)}%)" : "";
            context.WriteLine($"{quota.Root}: {FileCommands.Size(quota.UsedBytes)} of {limit} used{share}, {FileCommands.Size(quota.TrashBytes)} in the trash.");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Find(CliIO io, Option<string> node)
    {
        var query = new Argument<string>("TEXT") { Description = "Part of the name (case-insensitive)" };
        var folder = new Argument<string?>("FOLDER") { Description = "Where to look (default: your home)", Arity = ArgumentArity.ZeroOrOne };
        var limit = new Option<int>("--limit") { Description = "At most this many results (1 to 1000)", DefaultValueFactory = _ => 100 };
        var command = new Command("find", "Find files and folders by name") { query, folder, limit };
        command.SetAction(CliApp.Action(io, node, async (context, parse, cancellationToken) =>
        {
            await context.UseStoredSessionAsync(cancellationToken).ConfigureAwait(false);
            var found = await context.Client.SearchFilesAsync(FileCommands.Resolve(context, parse.GetValue(folder)), parse.GetValue(query)!, parse.GetValue(limit), cancellationToken).ConfigureAwait(false);
            foreach (var entry in found)
            {
                context.WriteLine(entry.Kind == "folder" ? entry.Path + "/" : entry.Path);
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Mount(CliIO io, Option<string> node)
    {
        var list = new Command("ls", "List the mounts");
        list.SetAction(CliApp.Action(io, node, async (context, _, cancellationToken) =>
        {
            await context.UseStoredSessionAsync(cancellationToken).ConfigureAwait(false);
            var table = CliTable.Create("MOUNT", "BACKEND", "SOURCE", "MODE", "BY");
            foreach (var m in await context.Client.ListMountsAsync(cancellationToken).ConfigureAwait(false))
            {
                table.AddTextRow(m.MountPoint, m.Backend, m.Source.Length == 0 ? "-" : m.Source, m.ReadOnly ? "read-only" : "read-write", m.CreatedBy);
            }

            context.Console.Write(table);
            return ExitCodes.Success;
        }));

        var name = new Argument<string>("NAME") { Description = "The mount's name: it appears as /mnt/NAME" };
        var source = new Argument<string?>("HOST_FOLDER") { Description = "A host folder (inside FileSystem:MountRoots); none for a sqlite mount", Arity = ArgumentArity.ZeroOrOne };
        var readOnly = new Option<bool>("--read-only") { Description = "Refuse writes" };
        var add = new Command("add", "Mount a host folder (or, without one, a new sqlite tree) at /mnt/NAME; share it to give access") { name, source, readOnly };
        add.SetAction(CliApp.Action(io, node, async (context, parse, cancellationToken) =>
        {
            await context.UseStoredSessionAsync(cancellationToken).ConfigureAwait(false);
            var folder = parse.GetValue(source);
            var mount = await context.Client.MountAsync(parse.GetValue(name)!, folder is null ? "sqlite" : "local", folder is null ? null : Path.GetFullPath(folder), parse.GetValue(readOnly), cancellationToken).ConfigureAwait(false);
            context.WriteLine($"Mounted {mount.MountPoint}.");
            return ExitCodes.Success;
        }));

        var removeName = new Argument<string>("NAME") { Description = "The mount's name" };
        var remove = new Command("rm", "Unmount (the content stays where it is)") { removeName };
        remove.SetAction(CliApp.Action(io, node, async (context, parse, cancellationToken) =>
        {
            await context.UseStoredSessionAsync(cancellationToken).ConfigureAwait(false);
            var mount = await context.Client.UnmountAsync(parse.GetValue(removeName)!, cancellationToken).ConfigureAwait(false);
            context.WriteLine($"Unmounted {mount.MountPoint}.");
            return ExitCodes.Success;
        }));

        var command = new Command("mount", "Admin mounts under /mnt: ls, add, rm (needs fs.admin)") { list, add, remove };
        command.SetAction(CliApp.ShowHelp);
        return command;
    }

    private static (Option<string?> User, Option<string?> Group, Option<string?> App) Sharees() =>
    (
        new Option<string?>("--user") { Description = "A user's name", HelpName = "NAME" },
        new Option<string?>("--group") { Description = "A group's name", HelpName = "NAME" },
        new Option<string?>("--app") { Description = "An app id (e.g. org.example.notes)", HelpName = "ID" });

    private static (string Kind, string Name) Sharee(ParseResult parse, Option<string?> user, Option<string?> group, Option<string?> app)
    {
        var given = new[] { ("user", parse.GetValue(user)), ("group", parse.GetValue(group)), ("app", parse.GetValue(app)) }.Where(s => s.Item2 is not null).ToList();
        return given.Count == 1 ? (given[0].Item1, given[0].Item2!) : throw CliException.Usage("name exactly one of --user, --group or --app");
    }

    private static void WriteShares(CommandContext context, IReadOnlyList<ShareResponse> shares)
    {
        if (shares.Count == 0)
        {
            context.WriteLine("No shares.");
            return;
        }

        var table = CliTable.Create("PATH", "WITH", "RIGHTS", "BY", "SINCE");
        foreach (var s in shares)
        {
            table.AddTextRow(s.Path, $"{s.Kind} {s.Name}", string.Join(",", s.Rights), s.GrantedBy, CliTable.Time(s.GrantedAt));
        }

        context.Console.Write(table);
    }

    /// <summary>A duration like <c>30m</c>, <c>12h</c> or <c>7d</c>.</summary>
    internal static TimeSpan ParseDuration(string text)
    {
        if (text.Length >= 2 && long.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 && n <= 100_000)
        {
            switch (text[^1])
            {
                case 'm':
                    return TimeSpan.FromMinutes(n);
                case 'h':
                    return TimeSpan.FromHours(n);
                case 'd':
                    return TimeSpan.FromDays(n);
            }
        }

        throw CliException.Usage($"'{text}' is not a duration (e.g. 30m, 12h, 7d)");
    }
}
