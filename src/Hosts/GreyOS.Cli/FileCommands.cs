using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using GreyOS.Client;
using GreyOS.Protocol;
using Spectre.Console;

namespace GreyOS.Cli;

/// <summary>
/// <c>greyos fs ls | stat | cat | get | put | mkdir | rm | mv | cp</c>: files in the node's virtual
/// file system. Remote paths are absolute (<c>/home/alice/notes.txt</c>, <c>/shared/x</c>) or relative
/// to your home folder (<c>notes.txt</c>, <c>~/notes.txt</c>); <c>.</c> and <c>..</c> are never resolved
/// (<c>invalid_path</c>), as on the node.
/// </summary>
internal static class FileCommands
{
    /// <summary>The most entries <c>ls</c> shows without <c>--all-pages</c>.</summary>
    internal const int ListCap = 10_000;

    /// <summary>Transfers at least this big show a progress bar (on standard error, at a terminal).</summary>
    internal const long ProgressThreshold = 4L * 1024 * 1024;

    /// <summary>Tries per downloaded file: a broken transfer that made progress resumes where it stopped.</summary>
    private const int DownloadAttempts = 3;

    private const string Folder = "folder";
    private const string FileNotFoundCode = "file_not_found";
    private const string FileExistsCode = "file_exists";
    private const string NotAFolderCode = "not_a_folder";

    private static readonly string[] SortOrders = ["name", "modified", "size"];

    /// <summary>Local enumeration that sees everything (dot files too) and reports what it cannot read.</summary>
    private static readonly EnumerationOptions EveryEntry = new()
    {
        AttributesToSkip = 0,
        IgnoreInaccessible = false,
        RecurseSubdirectories = false,
        ReturnSpecialDirectories = false,
    };

    public static Command Create(CliIO io, Option<string> node)
    {
        var command = new Command("fs", "Files on the node: ls, stat, cat, get, put, mkdir, rm, mv, cp, versions, restore, trash, share, link, quota, find, mount, gc (relative paths start in your home folder)")
        {
            List(io, node), Stat(io, node), Cat(io, node), Get(io, node), Put(io, node), MakeFolder(io, node), Remove(io, node),
            Transfer(io, node, move: true), Transfer(io, node, move: false), FileGcCommand.Create(io, node),
        };
        foreach (var verb in FileRecoveryCommands.Create(io, node))
        {
            command.Add(verb);
        }

        command.SetAction(CliApp.ShowHelp);
        return command;
    }

    private static Command List(CliIO io, Option<string> node)
    {
        var path = new Argument<string?>("PATH") { Description = "A folder (or a file); default: your home folder", Arity = ArgumentArity.ZeroOrOne };
        var longFormat = new Option<bool>("--long", "-l") { Description = "Show kind, size and modification time" };
        var sort = new Option<string>("--sort") { Description = "Sort by name (the default), modified or size; folders come first", HelpName = "ORDER" };
        sort.AcceptOnlyFromAmong(SortOrders);
        var reverse = new Option<bool>("--reverse", "-r") { Description = "Reverse the order" };
        var allPages = new Option<bool>("--all-pages") { Description = $"List every entry, however many (default: at most {ListCap.ToString("N0", CultureInfo.InvariantCulture)})" };
        var json = SessionCommands.Json();
        var command = new Command("ls", "List a folder: one name a line, folders ending in /; -l adds kind, size and modification time")
        {
            path, longFormat, sort, reverse, allPages, json,
        };
        command.SetAction(CliApp.Action(io, node, async (context, parse, cancellationToken) =>
        {
            await context.UseStoredSessionAsync(cancellationToken).ConfigureAwait(false);
            var target = Resolve(context, parse.GetValue(path));
            FileEntryResponse? folder = null;
            IReadOnlyList<FileEntryResponse> entries;
            int total;
            bool truncated;
            try
            {
                (folder, entries, total, truncated) = await ListAllAsync(
                    context, target, parse.GetValue(sort), parse.GetValue(reverse), parse.GetValue(allPages) ? null : ListCap, cancellationToken).ConfigureAwait(false);
            }
            catch (GreyOSApiException ex) when (ex.Code == NotAFolderCode)
            {
                // ls of a file shows the file (a missing parent folder still fails below).
                entries = [await context.Client.StatFileAsync(target, cancellationToken).ConfigureAwait(false)];
                (total, truncated) = (1, false);
            }

            if (parse.GetValue(json))
            {
                var output = new FileListOutput(context.Node.Key, folder, entries, total, truncated);
                await context.IO.Out.WriteLineAsync(JsonSerializer.Serialize(output, FileJsonContext.Default.FileListOutput)).ConfigureAwait(false);
            }
            else if (parse.GetValue(longFormat))
            {
                if (entries.Count > 0)
                {
                    var table = CliTable.Create("KIND", "SIZE", "MODIFIED", "NAME");
                    table.Columns[1].RightAligned();
                    foreach (var entry in entries)
                    {
                        table.AddTextRow(entry.Kind, entry.Kind == Folder ? "-" : entry.Length.ToString(CultureInfo.InvariantCulture), CliTable.Time(entry.ModifiedAt), DisplayName(entry));
                    }

                    context.Console.Write(table);
                }
            }
            else
            {
                foreach (var entry in entries)
                {
                    context.WriteLine(DisplayName(entry));
                }
            }

            if (truncated)
            {
                await context.IO.Error.WriteLineAsync(
                    $"greyos: showing the first {entries.Count.ToString(CultureInfo.InvariantCulture)} of {total.ToString(CultureInfo.InvariantCulture)} entries; pass --all-pages for all of them").ConfigureAwait(false);
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Stat(CliIO io, Option<string> node)
    {
        var path = RemotePath("PATH", "The file or folder");
        var json = SessionCommands.Json();
        var command = new Command("stat", "Show a file's or folder's metadata: kind, size, MIME type, ETag, times") { path, json };
        command.SetAction(CliApp.Action(io, node, async (context, parse, cancellationToken) =>
        {
            await context.UseStoredSessionAsync(cancellationToken).ConfigureAwait(false);
            var entry = await context.Client.StatFileAsync(Resolve(context, parse.GetValue(path)), cancellationToken).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                await context.IO.Out.WriteLineAsync(JsonSerializer.Serialize(entry, FileJsonContext.Default.FileEntryResponse)).ConfigureAwait(false);
                return ExitCodes.Success;
            }

            context.WriteFacts(
            [
                ("Path", entry.Path),
                ("Kind", entry.Kind),
                ("Size", entry.Kind == Folder ? "-" : $"{Size(entry.Length)} ({entry.Length.ToString(CultureInfo.InvariantCulture)} bytes)"),
                ("Type", entry.MimeType ?? "-"),
                ("ETag", entry.ETag),
                ("Created", CliTable.Time(entry.CreatedAt)),
                ("Modified", CliTable.Time(entry.ModifiedAt)),
            ]);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Cat(CliIO io, Option<string> node)
    {
        var path = RemotePath("PATH", "The file");
        var command = new Command("cat", "Write a file's bytes to standard output, unchanged") { path };
        command.SetAction(CliApp.Action(io, node, async (context, parse, cancellationToken) =>
        {
            await context.UseStoredSessionAsync(cancellationToken).ConfigureAwait(false);
            var sink = OutputSink.Stdout(context.IO);
            var stdout = new SinkStream(sink);
            await using (stdout.ConfigureAwait(false))
            {
                await context.Client.DownloadAsync(Resolve(context, parse.GetValue(path)), stdout, cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            await sink.CompleteAsync(cancellationToken).ConfigureAwait(false);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Get(CliIO io, Option<string> node)
    {
        var remote = RemotePath("REMOTE", "The file (or, with -r, folder) to download");
        var local = new Argument<string?>("LOCAL")
        {
            Description = "Where to save it (default: the current folder); an existing folder receives it under its own name",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var recursive = new Option<bool>("--recursive", "-r") { Description = "Download a folder and everything in it" };
        var command = new Command("get", "Download a file (or a folder with -r); an existing local file is replaced once the download is complete")
        {
            remote, local, recursive,
        };
        command.SetAction(CliApp.Action(io, node, async (context, parse, cancellationToken) =>
        {
            await context.UseStoredSessionAsync(cancellationToken).ConfigureAwait(false);
            var source = await context.Client.StatFileAsync(Resolve(context, parse.GetValue(remote)), cancellationToken).ConfigureAwait(false);
            var isFolder = source.Kind == Folder;
            if (isFolder && !parse.GetValue(recursive))
            {
                throw CliException.Usage($"{source.Path} is a folder: pass -r to download it and everything in it");
            }

            var given = parse.GetValue(local);
            var name = source.Name.Length > 0 ? source.Name : "root";
            var target = given is null ? Path.Combine(Directory.GetCurrentDirectory(), name)
                : Directory.Exists(given) || EndsInSeparator(given) ? Path.Combine(given, name)
                : given;
            if (!isFolder)
            {
                if (Directory.Exists(target))
                {
                    throw CliException.Failure($"cannot write {target}: it is a folder");
                }

                await WithBarAsync(context, source.Length, source.Name, async bar =>
                {
                    await DownloadFileAsync(context, source, target, bar.Start(source.Name), cancellationToken).ConfigureAwait(false);
                    return bar.Finish(source.Length);
                }).ConfigureAwait(false);
                context.WriteLine($"Downloaded {source.Path} to {target} ({Size(source.Length)}).");
                return ExitCodes.Success;
            }

            var (folders, files) = await PlanDownloadAsync(context, source, target, cancellationToken).ConfigureAwait(false);
            foreach (var folder in folders)
            {
                CreateLocalFolder(folder);
            }

            var total = files.Sum(f => f.Entry.Length);
            await WithBarAsync(context, total, source.Name, async bar =>
            {
                foreach (var (entry, path) in files)
                {
                    await DownloadFileAsync(context, entry, path, bar.Start(entry.Name), cancellationToken).ConfigureAwait(false);
                    bar.Finish(entry.Length);
                }

                return 0;
            }).ConfigureAwait(false);
            context.WriteLine($"Downloaded {source.Path} to {target}: {Count(files.Count, "file")} ({Size(total)}), {Count(folders.Count, "folder")}.");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Put(CliIO io, Option<string> node)
    {
        var local = new Argument<string>("LOCAL") { Description = "The local file (or, with -r, folder) to upload" };
        var remote = new Argument<string?>("REMOTE")
        {
            Description = "Where to put it (default: your home folder); an existing folder, or a path ending in /, receives it under its own name",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var recursive = new Option<bool>("--recursive", "-r") { Description = "Upload a folder and everything in it (symbolic links inside are skipped, never followed)" };
        var ifMatch = new Option<string>("--if-match") { Description = "Replace the file only if it is still this version (the ETag 'greyos fs stat' shows)", HelpName = "ETAG" };
        var noOverwrite = new Option<bool>("--no-overwrite") { Description = "Never replace an existing file: fail (with -r: skip it)" };
        var resumable = new Option<bool>("--resumable") { Description = "Upload in parts that survive broken connections; running the same put again resumes (always for files of 64 MiB or more)" };
        var command = new Command("put", "Upload a file (or a folder with -r); each file is written atomically")
        {
            local, remote, recursive, ifMatch, noOverwrite, resumable,
        };
        command.SetAction(CliApp.Action(io, node, async (context, parse, cancellationToken) =>
        {
            var localPath = parse.GetValue(local)!;
            var isRecursive = parse.GetValue(recursive);
            var etag = parse.GetValue(ifMatch);
            var createOnly = parse.GetValue(noOverwrite);
            var isResumable = parse.GetValue(resumable);
            if (etag is not null && (isRecursive || createOnly))
            {
                throw CliException.Usage(isRecursive ? "--if-match names one file's version: it cannot be used with -r" : "--if-match and --no-overwrite exclude each other");
            }

            if (string.IsNullOrWhiteSpace(localPath))
            {
                throw CliException.Usage("LOCAL is empty: name a file or folder");
            }

            var isFolder = Directory.Exists(localPath);
            if (!isFolder && !File.Exists(localPath))
            {
                throw CliException.Failure($"cannot read {localPath}: no such file or folder");
            }

            if (isFolder && !isRecursive)
            {
                throw CliException.Usage($"{localPath} is a folder: pass -r to upload it and everything in it");
            }

            var name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(localPath)));
            if (name.Length == 0)
            {
                throw CliException.Usage($"{localPath} has no name to upload under: name REMOTE");
            }

            await context.UseStoredSessionAsync(cancellationToken).ConfigureAwait(false);
            var target = await UploadTargetAsync(context, parse.GetValue(remote), name, cancellationToken).ConfigureAwait(false);
            if (!isFolder)
            {
                var length = new FileInfo(localPath).Length;
                var uploaded = await WithBarAsync(context, length, name, async bar =>
                {
                    var entry = await UploadFileAsync(context, localPath, target, etag, createOnly, isResumable, bar.Start(name), cancellationToken).ConfigureAwait(false);
                    bar.Finish(length);
                    return entry;
                }).ConfigureAwait(false);
                context.WriteLine($"Uploaded {localPath} to {uploaded.Path} ({Size(uploaded.Length)}).");
                return ExitCodes.Success;
            }

            var plan = PlanUpload(localPath, target);
            foreach (var skipped in plan.Links)
            {
                await context.IO.Error.WriteLineAsync($"greyos: warning: skipped the symbolic link {skipped} (links are never followed)").ConfigureAwait(false);
            }

            foreach (var folder in plan.Folders)
            {
                await context.Client.CreateFolderAsync(folder, parents: true, cancellationToken).ConfigureAwait(false);
            }

            var total = plan.Files.Sum(f => f.Length);
            var (kept, keptBytes) = await WithBarAsync(context, total, name, async bar =>
            {
                var (existing, existingBytes) = (0, 0L);
                foreach (var (file, destination, length) in plan.Files)
                {
                    try
                    {
                        await UploadFileAsync(context, file, destination, ifMatch: null, createOnly, isResumable, bar.Start(Path.GetFileName(file)), cancellationToken).ConfigureAwait(false);
                    }
                    catch (GreyOSApiException ex) when (createOnly && ex.Code == FileExistsCode)
                    {
                        (existing, existingBytes) = (existing + 1, existingBytes + length);
                    }

                    bar.Finish(length);
                }

                return (existing, existingBytes);
            }).ConfigureAwait(false);

            var notes = (kept > 0 ? $", {Count(kept, "existing file")} kept" : string.Empty)
                + (plan.Links.Count > 0 ? $", {Count(plan.Links.Count, "symbolic link")} skipped" : string.Empty);
            context.WriteLine($"Uploaded {localPath} to {target}: {Count(plan.Files.Count - kept, "file")} ({Size(total - keptBytes)}), {Count(plan.Folders.Count, "folder")}{notes}.");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command MakeFolder(CliIO io, Option<string> node)
    {
        var path = RemotePath("PATH", "The new folder");
        var parents = new Option<bool>("--parents", "-p") { Description = "Also create missing parent folders; an existing folder is fine" };
        var command = new Command("mkdir", "Create a folder") { path, parents };
        command.SetAction(CliApp.Action(io, node, async (context, parse, cancellationToken) =>
        {
            await context.UseStoredSessionAsync(cancellationToken).ConfigureAwait(false);
            var folder = await context.Client.CreateFolderAsync(Resolve(context, parse.GetValue(path)), parse.GetValue(parents), cancellationToken).ConfigureAwait(false);
            context.WriteLine($"Created folder {folder.Path}.");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Remove(CliIO io, Option<string> node)
    {
        var path = RemotePath("PATH", "The file or folder");
        var recursive = new Option<bool>("--recursive", "-r") { Description = "Delete a folder with everything in it (without -r only an empty folder)" };
        var command = new Command("rm", "Delete a file or a folder (it goes to the trash; see greyos fs trash)") { path, recursive };
        command.SetAction(CliApp.Action(io, node, async (context, parse, cancellationToken) =>
        {
            await context.UseStoredSessionAsync(cancellationToken).ConfigureAwait(false);
            var deleted = await context.Client.DeleteAsync(Resolve(context, parse.GetValue(path)), parse.GetValue(recursive), cancellationToken: cancellationToken).ConfigureAwait(false);
            context.WriteLine(deleted.Kind == Folder ? $"Deleted the folder {deleted.Path}." : $"Deleted {deleted.Path}.");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Transfer(CliIO io, Option<string> node, bool move)
    {
        var source = RemotePath("SRC", move ? "The file or folder to move" : "The file or folder to copy");
        var destination = RemotePath("DST", "The new path; an existing folder, or a path ending in /, receives it under its own name");
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace what is at the destination" };
        var command = new Command(
            move ? "mv" : "cp",
            move ? "Move or rename a file or folder (atomic on the node)" : "Copy a file or folder on the node (no bytes travel)")
        {
            source, destination, overwrite,
        };
        command.SetAction(CliApp.Action(io, node, async (context, parse, cancellationToken) =>
        {
            await context.UseStoredSessionAsync(cancellationToken).ConfigureAwait(false);
            var from = GreyOSClient.NormalizeFilePath(Resolve(context, parse.GetValue(source)));
            var to = await IntoFolderAsync(context, parse.GetValue(destination)!, from[(from.LastIndexOf('/') + 1)..], cancellationToken).ConfigureAwait(false);
            var done = move
                ? await context.Client.MoveAsync(from, to, parse.GetValue(overwrite), cancellationToken).ConfigureAwait(false)
                : await context.Client.CopyAsync(from, to, parse.GetValue(overwrite), cancellationToken).ConfigureAwait(false);
            context.WriteLine($"{(move ? "Moved" : "Copied")} {from} to {done.Path}.");
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>
    /// A remote path as the node wants it: absolute paths stay, <c>~</c> and relative paths start in
    /// <c>/home/&lt;you&gt;</c>, nothing (null or empty) is your home folder.
    /// </summary>
    internal static string Resolve(string userName, string? path)
    {
        var home = $"/home/{userName}";
        return path switch
        {
            null or "" or "~" => home,
            _ when path.StartsWith('/') => path,
            _ when path.StartsWith("~/", StringComparison.Ordinal) => home + path[1..],
            _ => $"{home}/{path}",
        };
    }

    internal static string Resolve(CommandContext context, string? path) => Resolve(context.Stored!.UserName, path);

    internal static Argument<string> RemotePath(string name, string description) =>
        new(name) { Description = $"{description} (absolute, or relative to your home folder)" };

    /// <summary>
    /// The path <paramref name="given"/> names for something called <paramref name="name"/>: inside it
    /// when it is an existing folder or ends in <c>/</c>, else exactly it.
    /// </summary>
    private static async Task<string> IntoFolderAsync(CommandContext context, string given, string name, CancellationToken cancellationToken)
    {
        var resolved = GreyOSClient.NormalizeFilePath(Resolve(context, given));
        var into = given.EndsWith('/') || given == "~"
            || (await TryStatAsync(context, resolved, cancellationToken).ConfigureAwait(false))?.Kind == Folder;
        return into ? $"{resolved.TrimEnd('/')}/{name}" : resolved;
    }

    private static Task<string> UploadTargetAsync(CommandContext context, string? given, string name, CancellationToken cancellationToken) =>
        given is null ? Task.FromResult($"{Resolve(context, null)}/{name}") : IntoFolderAsync(context, given, name, cancellationToken);

    private static async Task<FileEntryResponse?> TryStatAsync(CommandContext context, string path, CancellationToken cancellationToken)
    {
        try
        {
            return await context.Client.StatFileAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (GreyOSApiException ex) when (ex.Code == FileNotFoundCode)
        {
            return null;
        }
    }

    /// <summary>Pages through a folder: at most <paramref name="cap"/> entries (null: all of them).</summary>
    private static async Task<(FileEntryResponse Folder, IReadOnlyList<FileEntryResponse> Entries, int Total, bool Truncated)> ListAllAsync(
        CommandContext context, string path, string? order, bool descending, int? cap, CancellationToken cancellationToken)
    {
        var entries = new List<FileEntryResponse>();
        string? cursor = null;
        FileListingResponse page;
        do
        {
            var limit = cap is { } max ? Math.Min(GreyOSClient.MaxListPage, max - entries.Count) : GreyOSClient.MaxListPage;
            page = await context.Client.ListFolderAsync(path, order, descending ? true : null, limit, cursor, cancellationToken).ConfigureAwait(false);
            entries.AddRange(page.Entries);
            cursor = page.NextCursor;
        }
        while (cursor is not null && page.Entries.Count > 0 && (cap is null || entries.Count < cap));

        return (page.Folder, entries, page.Total, cursor is not null);
    }

    private static string DisplayName(FileEntryResponse entry) => entry.Kind == Folder ? entry.Name + "/" : entry.Name;

    /// <summary>Downloads one file next to <paramref name="localPath"/>, then renames it into place (an existing file is replaced only by a complete download).</summary>
    private static async Task DownloadFileAsync(CommandContext context, FileEntryResponse entry, string localPath, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(localPath);
        var temp = Path.Combine(Path.GetDirectoryName(full)!, $".greyos-{Guid.NewGuid():N}.part");
        try
        {
            var file = OpenLocal(temp, localPath, write: true);
            await using (file.ConfigureAwait(false))
            {
                long offset = 0;
                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        await context.Client.DownloadAsync(entry.Path, file, progress, offset == 0 ? null : offset, entry.ETag, cancellationToken).ConfigureAwait(false);
                        break;
                    }
                    catch (GreyOSConnectionException) when (attempt < DownloadAttempts && file.Position > offset)
                    {
                        // The transfer broke after some progress: ask for the rest (If-Range: only if it is still the same version).
                        offset = file.Position;
                    }
                    catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                    {
                        throw LocalError("write", localPath, ex);
                    }
                }
            }

            try
            {
                File.Move(temp, full, overwrite: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw LocalError("write", localPath, ex);
            }
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>Lists a remote folder tree: the local folders to create (top first) and the files to download.</summary>
    private static async Task<(List<string> Folders, List<(FileEntryResponse Entry, string Path)> Files)> PlanDownloadAsync(
        CommandContext context, FileEntryResponse root, string localRoot, CancellationToken cancellationToken)
    {
        var folders = new List<string> { localRoot };
        var files = new List<(FileEntryResponse, string)>();
        var pending = new Queue<(string Remote, string Local)>();
        pending.Enqueue((root.Path, localRoot));
        while (pending.TryDequeue(out var folder))
        {
            var (_, entries, _, _) = await ListAllAsync(context, folder.Remote, order: null, descending: false, cap: null, cancellationToken).ConfigureAwait(false);
            foreach (var entry in entries)
            {
                if (entry.Name is "" or "." or ".." || entry.Name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
                {
                    await context.IO.Error.WriteLineAsync($"greyos: warning: skipped {entry.Path} (its name cannot be a local file name here)").ConfigureAwait(false);
                    continue;
                }

                var local = Path.Combine(folder.Local, entry.Name);
                if (entry.Kind == Folder)
                {
                    folders.Add(local);
                    pending.Enqueue((entry.Path, local));
                }
                else
                {
                    files.Add((entry, local));
                }
            }
        }

        return (folders, files);
    }

    /// <summary>Creates a local folder; an existing one is fine, a symbolic link is not (it could lead anywhere).</summary>
    private static void CreateLocalFolder(string path)
    {
        try
        {
            var existing = new DirectoryInfo(path);
            if (existing.Exists && existing.LinkTarget is not null)
            {
                throw CliException.Failure($"cannot write {path}: it is a symbolic link (greyos never writes through links)");
            }

            if (File.Exists(path))
            {
                throw CliException.Failure($"cannot write {path}: it is a file, not a folder");
            }

            Directory.CreateDirectory(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw LocalError("write", path, ex);
        }
    }

    private static async Task<FileEntryResponse> UploadFileAsync(
        CommandContext context, string localPath, string remotePath, string? ifMatch, bool createOnly, bool resumable, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var file = OpenLocal(localPath, localPath, write: false);
        await using (file.ConfigureAwait(false))
        {
            try
            {
                if (ResumableUpload.Applies(file.Length, resumable))
                {
                    return await ResumableUpload.UploadAsync(context, file, localPath, remotePath, ifMatch, createOnly, progress, cancellationToken).ConfigureAwait(false);
                }

                return await context.Client.UploadAsync(remotePath, file, file.Length, ifMatch, createOnly, append: false, progress, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The client reports network failures as GreyOSConnectionException: an I/O error here is the local file's.
                throw LocalError("read", localPath, ex);
            }
        }
    }

    /// <summary>A local folder tree to upload, walked without following symbolic links.</summary>
    private sealed record UploadPlan(List<string> Folders, List<(string Local, string Remote, long Length)> Files, List<string> Links);

    /// <summary>Walks <paramref name="localRoot"/> (sorted, dot files included); links inside are listed to skip, never followed.</summary>
    private static UploadPlan PlanUpload(string localRoot, string remoteRoot)
    {
        var plan = new UploadPlan([remoteRoot], [], []);
        var shownFrom = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(localRoot))) ?? localRoot;
        var pending = new Stack<(DirectoryInfo Local, string Remote)>();
        pending.Push((new DirectoryInfo(localRoot), remoteRoot));
        while (pending.TryPop(out var folder))
        {
            FileSystemInfo[] entries;
            try
            {
                entries = [.. folder.Local.EnumerateFileSystemInfos("*", EveryEntry).OrderBy(e => e.Name, StringComparer.Ordinal)];
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw LocalError("read", folder.Local.FullName, ex);
            }

            var subfolders = new List<(DirectoryInfo, string)>();
            foreach (var entry in entries)
            {
                var remote = $"{folder.Remote}/{entry.Name}";
                if (entry.LinkTarget is not null || entry.Attributes.HasFlag(FileAttributes.ReparsePoint))
                {
                    plan.Links.Add(Path.GetRelativePath(shownFrom, entry.FullName));
                }
                else if (entry is DirectoryInfo subfolder)
                {
                    plan.Folders.Add(remote);
                    subfolders.Add((subfolder, remote));
                }
                else if (entry is FileInfo file)
                {
                    plan.Files.Add((file.FullName, remote, file.Length));
                }
            }

            // Depth first, in name order: parents are created before their children.
            for (var i = subfolders.Count - 1; i >= 0; i--)
            {
                pending.Push(subfolders[i]);
            }
        }

        return plan;
    }

    private static FileStream OpenLocal(string path, string shown, bool write)
    {
        try
        {
            return write
                ? new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0, FileOptions.Asynchronous)
                : new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw LocalError(write ? "write" : "read", shown, ex);
        }
    }

    /// <summary>A local file failure as one clear line: <c>cannot read notes.txt: no such file or folder</c>.</summary>
    private static CliException LocalError(string verb, string path, Exception ex) => CliException.Failure(ex switch
    {
        FileNotFoundException or DirectoryNotFoundException => $"cannot {verb} {path}: no such file or folder",
        UnauthorizedAccessException => $"cannot {verb} {path}: permission denied",
        EndOfStreamException => $"cannot {verb} {path}: it got shorter while uploading; try again",
        _ => $"cannot {verb} {path}: {ex.Message.TrimEnd('.')}",
    });

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort: a leftover .part file is harmless.
        }
    }

    private static bool EndsInSeparator(string path) =>
        path.EndsWith(Path.DirectorySeparatorChar) || path.EndsWith(Path.AltDirectorySeparatorChar);

    /// <summary><c>0 B</c>, <c>512 B</c>, <c>1.5 MiB</c>.</summary>
    internal static string Size(long bytes) => bytes <= 0 ? "0 B" : CliTable.Quota(bytes);

    private static string Count(int count, string noun) =>
        $"{count.ToString(CultureInfo.InvariantCulture)} {noun}{(count == 1 ? string.Empty : "s")}";

    /// <summary>Runs a transfer of <paramref name="totalBytes"/> with a progress bar on standard error when it is big and someone is watching.</summary>
    private static async Task<T> WithBarAsync<T>(CommandContext context, long totalBytes, string description, Func<TransferBar, Task<T>> transfer)
    {
        if (!context.IO.IsInteractive || totalBytes < ProgressThreshold)
        {
            return await transfer(new TransferBar(null)).ConfigureAwait(false);
        }

        return await context.Prompts.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
            .StartAsync(progress => transfer(new TransferBar(progress.AddTask(description.Length > 0 ? Markup.Escape(description) : "files", maxValue: totalBytes))))
            .ConfigureAwait(false);
    }

    /// <summary>One bar over a whole transfer (one file or a tree): each file reports its own bytes on top of the finished ones.</summary>
    private sealed class TransferBar(ProgressTask? task)
    {
        private long _finished;

        /// <summary>The progress of the next file (null without a bar).</summary>
        public IProgress<long>? Start(string name)
        {
            if (task is null)
            {
                return null;
            }

            task.Description = Markup.Escape(name);
            return new FileProgress(task, _finished);
        }

        /// <summary>A file of <paramref name="bytes"/> is done.</summary>
        public long Finish(long bytes)
        {
            _finished += bytes;
            if (task is not null)
            {
                task.Value = _finished;
            }

            return _finished;
        }

        private sealed class FileProgress(ProgressTask task, long before) : IProgress<long>
        {
            public void Report(long value) => task.Value = before + value;
        }
    }

    /// <summary>A write-only stream over an <see cref="OutputSink"/> (for <c>cat</c>).</summary>
    private sealed class SinkStream(OutputSink sink) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) =>
            WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
            new(sink.WriteAsync(buffer, cancellationToken));

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            sink.WriteAsync(buffer.AsMemory(offset, count), cancellationToken);
    }
}

/// <summary><c>greyos fs ls --json</c>: <paramref name="Folder"/> is null when PATH is a file (then the only entry).</summary>
internal sealed record FileListOutput(string Node, FileEntryResponse? Folder, IReadOnlyList<FileEntryResponse> Entries, int Total, bool Truncated);

/// <summary>Source-generated JSON of <c>greyos fs</c>'s machine output (indented, as the CLI's other JSON).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(FileListOutput))]
[JsonSerializable(typeof(FileEntryResponse))]
internal sealed partial class FileJsonContext : JsonSerializerContext;
