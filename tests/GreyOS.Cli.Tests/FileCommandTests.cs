using System.Net;
using System.Text.Json;
using GreyOS.Client;
using GreyOS.Testing;

namespace GreyOS.Cli.Tests;

/// <summary><c>greyos fs …</c> against a real node, and the client's file transfers under it.</summary>
public sealed class FileCommandTests
{
    private const string BobPassword = "bob-horse-battery-staple";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PutLsStatCatGet_RoundTrip_BytesIdentical()
    {
        await using var node = await StartAsync();
        using var cli = await LoggedInAsync(node);
        using var local = new TempDirectory("greyos-fs-local");
        var text = "hello\nwörld\n"u8.ToArray();
        var big = new byte[(5 * 1024 * 1024) + 3];
        Random.Shared.NextBytes(big);
        await File.WriteAllBytesAsync(local.File("notes.txt"), text, Ct);
        await File.WriteAllBytesAsync(local.File("big.bin"), big, Ct);

        var putText = await cli.RunAsync("fs", "put", local.File("notes.txt"));
        var mkdir = await cli.RunAsync("fs", "mkdir", "docs");
        // At a "terminal", so the big upload draws its progress bar (on standard error).
        var putBig = await cli.RunAsync(["fs", "put", local.File("big.bin"), "docs/"], stdin: null, new ScriptedKeys());
        var ls = await cli.RunAsync("fs", "ls");
        var lsLong = await cli.RunAsync("fs", "ls", "-l", "/home/admin/docs");
        var lsJson = await cli.RunAsync("fs", "ls", "--json", "~");
        var lsFile = await cli.RunAsync("fs", "ls", "notes.txt");
        var stat = await cli.RunAsync("fs", "stat", "notes.txt");
        var statJson = await cli.RunAsync("fs", "stat", "--json", "docs/big.bin");
        var cat = await cli.RunRawAsync(["fs", "cat", "notes.txt"]);
        var catBig = await cli.RunRawAsync(["fs", "cat", "/home/admin/docs/big.bin"]);
        var getBig = await cli.RunAsync(["fs", "get", "docs/big.bin", local.File("big.copy")], stdin: null, new ScriptedKeys());
        Directory.CreateDirectory(local.File("into"));
        var getInto = await cli.RunAsync("fs", "get", "notes.txt", local.File("into"));

        Assert.True(putText.ExitCode == 0, putText.ToString());
        Assert.Contains("to /home/admin/notes.txt (13 B)", putText.Out, StringComparison.Ordinal);
        Assert.True(mkdir.ExitCode == 0, mkdir.ToString());
        Assert.True(putBig.ExitCode == 0, putBig.ToString());
        Assert.Empty(putBig.Error); // no ANSI here: the bar is cleared, nothing is left behind
        Assert.Contains("to /home/admin/docs/big.bin", putBig.Out, StringComparison.Ordinal);
        Assert.True(ls.ExitCode == 0, ls.ToString());
        Assert.Equal(["docs/", "notes.txt"], Lines(ls.Out));
        Assert.True(lsLong.ExitCode == 0, lsLong.ToString());
        Assert.Contains(lsLong.Out.Split('\n'), l => l.Contains("file", StringComparison.Ordinal) && l.Contains(big.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal) && l.TrimEnd().EndsWith("big.bin", StringComparison.Ordinal));
        using (var document = JsonDocument.Parse(lsJson.Out))
        {
            Assert.Equal("/home/admin", document.RootElement.GetProperty("folder").GetProperty("path").GetString());
            Assert.Equal(["docs", "notes.txt"], document.RootElement.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("name").GetString()));
            Assert.Equal(2, document.RootElement.GetProperty("total").GetInt32());
            Assert.False(document.RootElement.GetProperty("truncated").GetBoolean());
        }

        Assert.Equal(["notes.txt"], Lines(lsFile.Out));
        Assert.True(stat.ExitCode == 0, stat.ToString());
        Assert.Contains("text/plain", stat.Out, StringComparison.Ordinal);
        Assert.Contains("(13 bytes)", stat.Out, StringComparison.Ordinal);
        using (var document = JsonDocument.Parse(statJson.Out))
        {
            Assert.Equal(big.Length, document.RootElement.GetProperty("length").GetInt64());
            Assert.Equal("file", document.RootElement.GetProperty("kind").GetString());
            Assert.StartsWith("\"", document.RootElement.GetProperty("eTag").GetString(), StringComparison.Ordinal);
        }

        Assert.True(cat.ExitCode == 0, cat.ToString());
        Assert.Equal(text, cat.OutBytes);
        Assert.True(catBig.ExitCode == 0, catBig.ToString());
        Assert.Equal(big, catBig.OutBytes);
        Assert.True(getBig.ExitCode == 0, getBig.ToString());
        Assert.Equal(big, await File.ReadAllBytesAsync(local.File("big.copy"), Ct));
        Assert.True(getInto.ExitCode == 0, getInto.ToString());
        Assert.Equal(text, await File.ReadAllBytesAsync(Path.Combine(local.File("into"), "notes.txt"), Ct));
        Assert.DoesNotContain(Directory.EnumerateFiles(local.Path, "*", SearchOption.AllDirectories), f => f.EndsWith(".part", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RecursivePutAndGet_SmallTree_RoundTrips_SymlinksSkipped()
    {
        await using var node = await StartAsync();
        using var cli = await LoggedInAsync(node);
        using var local = new TempDirectory("greyos-fs-tree");
        var tree = local.File("tree");
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            ["a.txt"] = "alpha"u8.ToArray(),
            [".hidden"] = "dot file"u8.ToArray(),
            [Path.Combine("sub", "b.txt")] = "bravo"u8.ToArray(),
            [Path.Combine("sub", "deeper", "c.bin")] = RandomBytes(70_000),
            [Path.Combine("sub", "zero")] = [],
        };
        foreach (var (name, bytes) in files)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(tree, name))!);
            await File.WriteAllBytesAsync(Path.Combine(tree, name), bytes, Ct);
        }

        Directory.CreateDirectory(Path.Combine(tree, "empty"));
        await File.WriteAllTextAsync(local.File("outside.txt"), "secret outside the tree", Ct);
        File.CreateSymbolicLink(Path.Combine(tree, "link.txt"), local.File("outside.txt"));
        Directory.CreateSymbolicLink(Path.Combine(tree, "sub", "up"), local.Path);

        var withoutR = await cli.RunAsync("fs", "put", tree);
        var put = await cli.RunAsync("fs", "put", "-r", tree);
        var again = await cli.RunAsync("fs", "put", "-r", "--no-overwrite", tree);
        var link = await cli.RunAsync("fs", "stat", "tree/link.txt");
        var ls = await cli.RunAsync("fs", "ls", "tree");
        var reversed = await cli.RunAsync("fs", "ls", "--sort", "name", "-r", "tree");
        var getWithoutR = await cli.RunAsync("fs", "get", "tree", local.File("copy"));
        var get = await cli.RunAsync("fs", "get", "-r", "tree", local.File("copy"));

        Assert.Equal(ExitCodes.Usage, withoutR.ExitCode);
        Assert.Contains("pass -r", Assert.Single(withoutR.ErrorLines), StringComparison.Ordinal);
        Assert.True(put.ExitCode == 0, put.ToString());
        Assert.Contains("to /home/admin/tree: 5 files", put.Out, StringComparison.Ordinal);
        Assert.Contains("4 folders", put.Out, StringComparison.Ordinal);
        Assert.Equal(2, put.ErrorLines.Count(l => l.StartsWith("greyos: warning: skipped the symbolic link", StringComparison.Ordinal)));
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains(": 0 files (0 B), 4 folders, 5 existing files kept, 2 symbolic links skipped.", again.Out, StringComparison.Ordinal);
        Assert.EndsWith("(file_not_found)", Assert.Single(link.ErrorLines), StringComparison.Ordinal);
        Assert.Equal(["empty/", "sub/", ".hidden", "a.txt"], Lines(ls.Out));
        Assert.Equal(["sub/", "empty/", "a.txt", ".hidden"], Lines(reversed.Out));
        Assert.Equal(ExitCodes.Usage, getWithoutR.ExitCode);
        Assert.True(get.ExitCode == 0, get.ToString());
        Assert.Contains("5 files", get.Out, StringComparison.Ordinal);
        foreach (var (name, bytes) in files)
        {
            Assert.Equal(bytes, await File.ReadAllBytesAsync(Path.Combine(local.File("copy"), name), Ct));
        }

        Assert.True(Directory.Exists(Path.Combine(local.File("copy"), "empty")));
        Assert.False(File.Exists(Path.Combine(local.File("copy"), "link.txt")));
        Assert.False(Directory.Exists(Path.Combine(local.File("copy"), "sub", "up")));
    }

    [Fact]
    public async Task MkdirMvCpRm_WorkLikeTheirUnixNamesakes()
    {
        await using var node = await StartAsync();
        using var cli = await LoggedInAsync(node);
        using var local = new TempDirectory("greyos-fs-ops");
        await File.WriteAllTextAsync(local.File("x.txt"), "x", Ct);

        var noParents = await cli.RunAsync("fs", "mkdir", "a/b/c");
        var parents = await cli.RunAsync("fs", "mkdir", "-p", "a/b/c");
        var parentsAgain = await cli.RunAsync("fs", "mkdir", "-p", "a/b/c");
        var put = await cli.RunAsync("fs", "put", local.File("x.txt"), "a/b/c");
        var cp = await cli.RunAsync("fs", "cp", "a", "copy");
        var mv = await cli.RunAsync("fs", "mv", "copy", "moved");
        var gone = await cli.RunAsync("fs", "stat", "copy");
        var intoFolder = await cli.RunAsync("fs", "mv", "moved/b/c/x.txt", "a");
        var clash = await cli.RunAsync("fs", "cp", "a/x.txt", "a/b/c/x.txt");
        var overwrite = await cli.RunAsync("fs", "cp", "--overwrite", "a/x.txt", "a/b/c/x.txt");
        var notEmpty = await cli.RunAsync("fs", "rm", "a");
        var rmFile = await cli.RunAsync("fs", "rm", "a/x.txt");
        var rmTree = await cli.RunAsync("fs", "rm", "-r", "a");
        var missing = await cli.RunAsync("fs", "rm", "a");
        var ls = await cli.RunAsync("fs", "ls");

        Assert.Equal(ExitCodes.Failure, noParents.ExitCode);
        Assert.EndsWith("(file_not_found)", Assert.Single(noParents.ErrorLines), StringComparison.Ordinal);
        Assert.True(parents.ExitCode == 0, parents.ToString());
        Assert.Contains("Created folder /home/admin/a/b/c.", parents.Out, StringComparison.Ordinal);
        Assert.True(parentsAgain.ExitCode == 0, parentsAgain.ToString());
        Assert.Contains("to /home/admin/a/b/c/x.txt", put.Out, StringComparison.Ordinal);
        Assert.True(cp.ExitCode == 0, cp.ToString());
        Assert.Contains("Copied /home/admin/a to /home/admin/copy.", cp.Out, StringComparison.Ordinal);
        Assert.True(mv.ExitCode == 0, mv.ToString());
        Assert.EndsWith("(file_not_found)", Assert.Single(gone.ErrorLines), StringComparison.Ordinal);
        Assert.True(intoFolder.ExitCode == 0, intoFolder.ToString());
        Assert.Contains("to /home/admin/a/x.txt.", intoFolder.Out, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Failure, clash.ExitCode);
        Assert.EndsWith("(file_exists)", Assert.Single(clash.ErrorLines), StringComparison.Ordinal);
        Assert.True(overwrite.ExitCode == 0, overwrite.ToString());
        Assert.Equal(ExitCodes.Failure, notEmpty.ExitCode);
        Assert.EndsWith("(folder_not_empty)", Assert.Single(notEmpty.ErrorLines), StringComparison.Ordinal);
        Assert.True(rmFile.ExitCode == 0, rmFile.ToString());
        Assert.Contains("Deleted /home/admin/a/x.txt.", rmFile.Out, StringComparison.Ordinal);
        Assert.True(rmTree.ExitCode == 0, rmTree.ToString());
        Assert.Contains("Deleted the folder /home/admin/a.", rmTree.Out, StringComparison.Ordinal);
        Assert.EndsWith("(file_not_found)", Assert.Single(missing.ErrorLines), StringComparison.Ordinal);
        Assert.Equal(["moved/"], Lines(ls.Out));
    }

    [Fact]
    public async Task Put_NoOverwriteAndIfMatch_AreChecked()
    {
        await using var node = await StartAsync();
        using var cli = await LoggedInAsync(node);
        using var local = new TempDirectory("greyos-fs-cond");
        await File.WriteAllTextAsync(local.File("doc"), "v1", Ct);
        await cli.RunAsync("fs", "put", local.File("doc"));
        using var first = JsonDocument.Parse((await cli.RunAsync("fs", "stat", "--json", "doc")).Out);
        var etag = first.RootElement.GetProperty("eTag").GetString()!;
        await File.WriteAllTextAsync(local.File("doc"), "v2", Ct);

        var noOverwrite = await cli.RunAsync("fs", "put", "--no-overwrite", local.File("doc"));
        var matching = await cli.RunAsync("fs", "put", "--if-match", etag, local.File("doc"));
        var stale = await cli.RunAsync("fs", "put", "--if-match", etag.Trim('"'), local.File("doc"));
        var both = await cli.RunAsync("fs", "put", "--if-match", etag, "--no-overwrite", local.File("doc"));
        var content = await cli.RunRawAsync(["fs", "cat", "doc"]);

        Assert.EndsWith("(file_exists)", Assert.Single(noOverwrite.ErrorLines), StringComparison.Ordinal);
        Assert.True(matching.ExitCode == 0, matching.ToString());
        Assert.Equal(ExitCodes.Failure, stale.ExitCode);
        Assert.EndsWith("(etag_mismatch)", Assert.Single(stale.ErrorLines), StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, both.ExitCode);
        Assert.Equal("v2"u8.ToArray(), content.OutBytes);
    }

    [Fact]
    public async Task OtherUsersHome_Forbidden_OwnHomeIsTheDefault()
    {
        await using var node = await StartAsync();
        using var admin = await LoggedInAsync(node);
        using var local = new TempDirectory("greyos-fs-bob");
        await File.WriteAllTextAsync(local.File("mine.txt"), "bob's", Ct);
        var create = await admin.RunAsync(["user", "create", "bob", "--password-stdin"], BobPassword + "\n");
        Assert.True(create.ExitCode == 0, create.ToString());
        await admin.RunAsync("fs", "put", local.File("mine.txt"), "/home/admin/secret.txt");
        using var bob = new Cli(node.BaseAddress);
        var login = await bob.RunAsync(["login", "--user", "bob", "--password-stdin"], BobPassword + "\n");
        Assert.True(login.ExitCode == 0, login.ToString());

        var peek = await bob.RunAsync("fs", "ls", "/home/admin");
        var read = await bob.RunAsync("fs", "cat", "/home/admin/secret.txt");
        var write = await bob.RunAsync("fs", "put", local.File("mine.txt"), "/home/admin/planted.txt");
        var own = await bob.RunAsync("fs", "put", local.File("mine.txt"));
        var ls = await bob.RunAsync("fs", "ls", "--json");

        foreach (var refused in new[] { peek, read, write })
        {
            Assert.Equal(ExitCodes.Failure, refused.ExitCode);
            Assert.EndsWith("(forbidden)", Assert.Single(refused.ErrorLines), StringComparison.Ordinal);
        }

        Assert.True(own.ExitCode == 0, own.ToString());
        Assert.Contains("to /home/bob/mine.txt", own.Out, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(ls.Out);
        Assert.Equal("/home/bob", document.RootElement.GetProperty("folder").GetProperty("path").GetString());
    }

    [Fact]
    public async Task Ls_PagesThroughBigFolders()
    {
        await using var node = await StartAsync();
        using var cli = await LoggedInAsync(node);
        using var http = node.SignedClient(cli.StoredCredential(node.BaseAddress));
        var client = new GreyOSClient(http);
        await client.CreateFolderAsync("/home/admin/many", cancellationToken: Ct);
        const int Count = GreyOSClient.MaxListPage + 5;
        await Parallel.ForAsync(0, Count, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = Ct }, async (i, ct) =>
        {
            using var content = new MemoryStream([(byte)i]);
            await client.UploadAsync($"/home/admin/many/f{i:D5}", content, 1, cancellationToken: ct);
        });

        var ls = await cli.RunAsync("fs", "ls", "many");
        var json = await cli.RunAsync("fs", "ls", "--json", "--sort", "size", "many");

        Assert.True(ls.ExitCode == 0, ls.ToString());
        Assert.Equal(Enumerable.Range(0, Count).Select(i => $"f{i:D5}"), Lines(ls.Out));
        Assert.Empty(ls.Error);
        using var document = JsonDocument.Parse(json.Out);
        Assert.Equal(Count, document.RootElement.GetProperty("entries").GetArrayLength());
        Assert.Equal(Count, document.RootElement.GetProperty("total").GetInt32());
    }

    [Theory]
    [InlineData("ls", "../admin")]
    [InlineData("stat", "/home/admin/./x")]
    [InlineData("mkdir", "bad\\name")]
    [InlineData("mkdir", "trailing.")]
    [InlineData("rm", "/home/admin/x\u0001y")]
    public async Task InvalidPath_ExitsOneWithInvalidPath(string verb, string path)
    {
        await using var node = await StartAsync();
        using var cli = await LoggedInAsync(node);

        var result = await cli.RunAsync("fs", verb, path);

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.EndsWith("(invalid_path)", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task LocalFileProblems_AreOneLine()
    {
        await using var node = await StartAsync();
        using var cli = await LoggedInAsync(node);
        using var local = new TempDirectory("greyos-fs-local-errors");
        await File.WriteAllTextAsync(local.File("x.txt"), "x", Ct);
        await cli.RunAsync("fs", "put", local.File("x.txt"));

        var missing = await cli.RunAsync("fs", "put", local.File("nope.txt"));
        var noFolder = await cli.RunAsync("fs", "get", "x.txt", Path.Combine(local.File("no-such-folder"), "x.txt"));
        var folderTarget = await cli.RunAsync("fs", "get", "x.txt", local.Path + "/");
        var remoteMissing = await cli.RunAsync("fs", "get", "nothing-here", local.File("y"));

        Assert.Equal(ExitCodes.Failure, missing.ExitCode);
        Assert.Equal($"greyos: cannot read {local.File("nope.txt")}: no such file or folder", Assert.Single(missing.ErrorLines));
        Assert.Equal(ExitCodes.Failure, noFolder.ExitCode);
        Assert.StartsWith("greyos: cannot write ", Assert.Single(noFolder.ErrorLines), StringComparison.Ordinal);
        Assert.True(folderTarget.ExitCode == 0, folderTarget.ToString());
        Assert.EndsWith("(file_not_found)", Assert.Single(remoteMissing.ErrorLines), StringComparison.Ordinal);
        Assert.False(File.Exists(local.File("y")));
    }

    [Fact]
    public async Task Client_DownloadResumesWithRange_AndRefusesAChangedFile()
    {
        await using var node = await StartAsync();
        var (http, credential) = await node.LoginDeviceAsync(cancellationToken: Ct);
        http.Dispose();
        using var plain = new HttpClient { BaseAddress = node.BaseAddress };
        var client = new GreyOSClient(plain) { Credential = credential };
        var bytes = RandomBytes(300_000);
        using (var source = new MemoryStream(bytes))
        {
            await client.UploadAsync("/home/admin/r.bin", source, bytes.Length, cancellationToken: Ct);
        }

        var entry = await client.StatFileAsync("/home/admin//r.bin", Ct);
        using var first = new MemoryStream();
        first.Write(bytes, 0, 1000);
        var positions = new List<long>();
        var resumed = await client.DownloadAsync("/home/admin/r.bin", first, new SyncProgress(positions), offset: 1000, ifRange: entry.ETag, cancellationToken: Ct);
        using var nothingLeft = new MemoryStream();
        var complete = await client.DownloadAsync("/home/admin/r.bin", nothingLeft, offset: bytes.Length, ifRange: entry.ETag, cancellationToken: Ct);
        using (var changed = new MemoryStream("changed"u8.ToArray()))
        {
            await client.UploadAsync("/home/admin/r.bin", changed, changed.Length, ifMatch: entry.ETag, cancellationToken: Ct);
        }

        var stale = await Assert.ThrowsAsync<GreyOSApiException>(() => client.DownloadAsync("/home/admin/r.bin", Stream.Null, offset: 3, ifRange: entry.ETag, cancellationToken: Ct));
        var dotDot = await Assert.ThrowsAsync<GreyOSApiException>(() => client.StatFileAsync("/home/admin/../x", Ct));
        var shortSource = await Assert.ThrowsAsync<EndOfStreamException>(() => client.UploadAsync("/home/admin/short", new MemoryStream(new byte[10]), 20, cancellationToken: Ct));

        Assert.Equal(bytes, first.ToArray());
        Assert.Equal((1000L, bytes.Length - 1000L, (long?)bytes.Length, entry.ETag), (resumed.Offset, resumed.BytesWritten, resumed.Length, resumed.ETag));
        Assert.Equal(bytes.Length, positions[^1]);
        Assert.Equal(0, complete.BytesWritten);
        Assert.Equal(0, nothingLeft.Length);
        Assert.Equal((HttpStatusCode.PreconditionFailed, "etag_mismatch"), (stale.StatusCode, stale.Code));
        Assert.Equal("invalid_path", dotDot.Code);
        Assert.Contains("10", shortSource.Message, StringComparison.Ordinal);
        Assert.Equal("/a/b c/d", GreyOSClient.NormalizeFilePath("//a/b c//d/"));
    }

    [Theory]
    [InlineData(null, "/home/alice")]
    [InlineData("~", "/home/alice")]
    [InlineData("~/x/y", "/home/alice/x/y")]
    [InlineData("x/y", "/home/alice/x/y")]
    [InlineData("/shared/z", "/shared/z")]
    public void Resolve_RelativePathsStartAtHome(string? given, string expected) =>
        Assert.Equal(expected, FileCommands.Resolve("alice", given));

    [Fact]
    public async Task BadSort_ExitsUsage()
    {
        using var cli = new Cli(new Uri("http://127.0.0.1:1"));

        var result = await cli.RunAsync("fs", "ls", "--sort", "colour");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.StartsWith("greyos: ", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }

    private static Task<TestNode> StartAsync() =>
        TestNode.StartAsync(new TestNodeOptions { AdminPassword = TestNode.DefaultAdminPassword }, Ct);

    private static async Task<Cli> LoggedInAsync(TestNode node)
    {
        var cli = new Cli(node.BaseAddress);
        var login = await cli.RunAsync(["login", "--password-stdin"], TestNode.DefaultAdminPassword + "\n");
        Assert.True(login.ExitCode == 0, login.ToString());
        return cli;
    }

    /// <summary>Records reports as they happen (<see cref="Progress{T}"/> would post them later).</summary>
    private sealed class SyncProgress(List<long> positions) : IProgress<long>
    {
        public void Report(long value) => positions.Add(value);
    }
}
