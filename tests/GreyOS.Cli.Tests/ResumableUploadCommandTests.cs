using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using GreyOS.Client;
using GreyOS.Testing;

namespace GreyOS.Cli.Tests;

/// <summary><c>greyos fs put</c> of a large file: a resumable upload that a later run of the same put continues; <c>greyos fs gc</c>.</summary>
public sealed class ResumableUploadCommandTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Put_InterruptedEarlier_ResumesTheSameUploadFromTheNodeOffset()
    {
        await using var node = await TestNode.StartAsync(new TestNodeOptions { AdminPassword = TestNode.DefaultAdminPassword }, Ct);
        using var cli = await LoggedInAsync(node);
        using var local = new TempDirectory("greyos-fs-resume");
        var content = new byte[(3 * 1024 * 1024) + 5];
        new Random(7).NextBytes(content);
        var file = local.File("big.bin");
        await File.WriteAllBytesAsync(file, content, Ct);

        // An earlier put got the first MiB to the node, then the CLI was stopped: its upload id is remembered.
        using var http = new HttpClient { BaseAddress = node.BaseAddress };
        var client = new GreyOSClient(http) { Credential = cli.StoredCredential(node.BaseAddress) };
        var upload = await client.CreateUploadAsync("/home/admin/big.bin", content.Length, cancellationToken: Ct);
        await client.AppendUploadAsync(upload.Id, 0, new MemoryStream(content, 0, 1024 * 1024), 1024 * 1024, cancellationToken: Ct);
        var key = string.Join('|', node.BaseAddress.ToString().TrimEnd('/'), Path.GetFullPath(file), content.Length.ToString(CultureInfo.InvariantCulture),
            File.GetLastWriteTimeUtc(file).Ticks.ToString(CultureInfo.InvariantCulture), "/home/admin/big.bin");
        var state = Path.Combine(cli.ConfigDirectory, "uploads.json");
        var record = new JsonObject { ["id"] = upload.Id, ["savedAt"] = DateTimeOffset.UtcNow };
        await File.WriteAllTextAsync(state, new JsonObject { ["version"] = 1, ["uploads"] = new JsonObject { [key] = record } }.ToJsonString(), Ct);

        var put = await cli.RunAsync("fs", "put", file, "/home/admin/big.bin", "--resumable");
        var resumed = await client.GetUploadAsync(upload.Id, Ct);
        using var remembered = JsonDocument.Parse(await File.ReadAllTextAsync(state, Ct));

        Assert.True(put.ExitCode == 0, put.ToString());
        Assert.Contains("to /home/admin/big.bin", put.Out, StringComparison.Ordinal);
        Assert.True(resumed.Complete, "the put did not continue the remembered upload");
        Assert.Empty(remembered.RootElement.GetProperty("uploads").EnumerateObject());
        using var copy = new MemoryStream();
        await client.DownloadAsync("/home/admin/big.bin", copy, cancellationToken: Ct);
        Assert.Equal(content, copy.ToArray());
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(state));
        }
    }

    [Fact]
    public async Task Put_Resumable_NewFileAndRefusedPrecondition_CancelsTheUpload()
    {
        await using var node = await TestNode.StartAsync(new TestNodeOptions { AdminPassword = TestNode.DefaultAdminPassword }, Ct);
        using var cli = await LoggedInAsync(node);
        using var local = new TempDirectory("greyos-fs-resume");
        var file = local.File("data.bin");
        await File.WriteAllBytesAsync(file, new byte[100_000], Ct);

        var first = await cli.RunAsync("fs", "put", file, "--resumable");
        var again = await cli.RunAsync("fs", "put", file, "--resumable", "--no-overwrite");
        using var http = new HttpClient { BaseAddress = node.BaseAddress };
        var client = new GreyOSClient(http) { Credential = cli.StoredCredential(node.BaseAddress) };
        var uploads = await client.ListUploadsAsync(Ct);
        var gc = await cli.RunAsync("fs", "gc", "--json");

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.NotEqual(0, again.ExitCode);
        Assert.Contains("exists", again.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(uploads.Uploads, u => !u.Complete);
        Assert.True(gc.ExitCode == 0, gc.ToString());
        using var report = JsonDocument.Parse(gc.Out);
        Assert.True(report.RootElement.GetProperty("scanned").GetInt64() >= 1);
    }

    private static async Task<Cli> LoggedInAsync(TestNode node)
    {
        var cli = new Cli(node.BaseAddress);
        var login = await cli.RunAsync(["login", "--password-stdin"], TestNode.DefaultAdminPassword + "\n");
        Assert.True(login.ExitCode == 0, login.ToString());
        return cli;
    }
}
