using System.Diagnostics;
using System.Net.Http.Headers;
using GreyOS.Client;
using GreyOS.Testing;

namespace GreyOS.Cli.Tests;

/// <summary>
/// Issue #4's done-criterion end to end: a C program run with <c>greyos run … --dir /home/&lt;user&gt;/work</c>
/// reads and writes files that then appear in the user's folder (CLI and HTTP API), on a real node.
/// </summary>
public sealed class AppFilesTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Run_CProgramWithDir_ReadsAndWritesFilesInTheUsersFolder()
    {
        var wasm = FilesSample();
        await using var node = await TestNode.StartAsync(new TestNodeOptions { AdminPassword = TestNode.DefaultAdminPassword }, Ct);
        using var cli = new Cli(node.BaseAddress);
        Assert.Equal(0, (await cli.RunAsync(["login", "--password-stdin"], TestNode.DefaultAdminPassword + "\n")).ExitCode);
        using var local = new TempDirectory("greyos-app-files");
        await File.WriteAllTextAsync(local.File("input.txt"), "shout this", Ct);
        Assert.Equal(0, (await cli.RunAsync("fs", "mkdir", "/home/admin/work")).ExitCode);
        Assert.Equal(0, (await cli.RunAsync("fs", "put", local.File("input.txt"), "/home/admin/work/")).ExitCode);

        var run = await cli.RunAsync("run", wasm, "--dir", "/home/admin/work:/work", "--cap", "kv.read", "--cap", "kv.write", "--", "/work");
        var notes = await cli.RunRawAsync(["fs", "cat", "/home/admin/work/notes.txt"]);
        var output = await cli.RunRawAsync(["fs", "cat", "/home/admin/work/output.txt"]);
        var refused = await cli.RunAsync("run", wasm, "--dir", "/home/nobody-else:/work");
        var malformed = await cli.RunAsync("run", wasm, "--dir", "relative/path");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("runs: 1", run.Out, StringComparison.Ordinal);
        Assert.Equal("hello from a GreyOS app\nsecond line\n", System.Text.Encoding.UTF8.GetString(notes.OutBytes));
        Assert.Equal("SHOUT THIS", System.Text.Encoding.UTF8.GetString(output.OutBytes));
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("/home/nobody-else", refused.Error, StringComparison.Ordinal);
        Assert.Equal(2, malformed.ExitCode);

        // The HTTP API shows what the app wrote.
        using var http = new HttpClient { BaseAddress = node.BaseAddress };
        http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("greyos-cli-tests", "1"));
        var client = new GreyOSClient(http) { Credential = cli.StoredCredential(node.BaseAddress) };
        var listing = await client.ListFolderAsync("/home/admin/work", cancellationToken: Ct);
        var names = listing.Entries.Select(e => e.Name).ToList();
        Assert.Contains("notes.txt", names);
        Assert.Contains("output.txt", names);
        Assert.Contains("grey.txt", names);
        Assert.Contains("sub", names);
    }

    /// <summary><c>apps/out/files.wasm</c>, built by <c>apps/build.sh</c> when missing.</summary>
    private static string FilesSample()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "GreyOS.slnx")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("GreyOS.slnx not found");
        }

        var wasm = Path.Combine(root, "apps", "out", "files.wasm");
        if (!File.Exists(wasm))
        {
            using var build = Process.Start(new ProcessStartInfo("bash", [Path.Combine(root, "apps", "build.sh")]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            build.WaitForExit(TimeSpan.FromMinutes(3));
        }

        Assert.True(File.Exists(wasm), "apps/build.sh did not build apps/out/files.wasm (needs clang-14, wasi-libc, lld-14, wabt)");
        return wasm;
    }
}
