using GreyOS.Testing;

namespace GreyOS.Cli.Tests;

/// <summary><c>greyos fs versions|restore|trash|share|link|quota|find|mount</c> against a real node.</summary>
public sealed class FileRecoveryCommandTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task VersionsRestoreTrash_RecoverFiles()
    {
        await using var node = await TestNode.StartAsync(new TestNodeOptions { AdminPassword = TestNode.DefaultAdminPassword }, Ct);
        using var cli = await LoggedInAsync(node);
        using var local = new TempDirectory("greyos-fs-recovery");
        await File.WriteAllTextAsync(local.File("plan.txt"), "first", Ct);
        await cli.RunAsync("fs", "put", local.File("plan.txt"));
        await File.WriteAllTextAsync(local.File("plan.txt"), "second", Ct);
        await cli.RunAsync("fs", "put", local.File("plan.txt"));

        var versions = await cli.RunAsync("fs", "versions", "plan.txt");
        var id = Lines(versions.Out).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0]).First(w => long.TryParse(w, out _));
        var restore = await cli.RunAsync("fs", "restore", "plan.txt", "--version", id);
        var cat = await cli.RunAsync("fs", "cat", "plan.txt");
        var rm = await cli.RunAsync("fs", "rm", "plan.txt");
        var trash = await cli.RunAsync("fs", "trash", "ls");
        var trashId = Lines(trash.Out).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0]).First(w => w.StartsWith('t') && w.Length == 17);
        var back = await cli.RunAsync("fs", "restore", "--trash", trashId);
        var both = await cli.RunAsync("fs", "restore", "plan.txt", "--version", id, "--trash", trashId);
        var quota = await cli.RunAsync("fs", "quota");
        var find = await cli.RunAsync("fs", "find", "PLAN");

        Assert.True(versions.ExitCode == 0, versions.ToString());
        Assert.True(restore.ExitCode == 0, restore.ToString());
        Assert.Equal("first", cat.Out);
        Assert.True(rm.ExitCode == 0, rm.ToString());
        Assert.Contains("/home/admin/plan.txt", trash.Out, StringComparison.Ordinal);
        Assert.True(back.ExitCode == 0, back.ToString());
        Assert.Equal(ExitCodes.Usage, both.ExitCode);
        Assert.Contains("/home/admin:", quota.Out, StringComparison.Ordinal);
        Assert.Equal(["/home/admin/plan.txt"], Lines(find.Out));
    }

    [Fact]
    public async Task ShareAndLink_GiveAccess_AndLinkServesTheFile()
    {
        await using var node = await TestNode.StartAsync(new TestNodeOptions { AdminPassword = TestNode.DefaultAdminPassword }, Ct);
        using var cli = await LoggedInAsync(node);
        using var local = new TempDirectory("greyos-fs-share");
        await File.WriteAllTextAsync(local.File("cat.txt"), "meow", Ct);
        await cli.RunAsync("fs", "mkdir", "Photos");
        await cli.RunAsync("fs", "put", local.File("cat.txt"), "Photos/");
        var bob = await cli.RunAsync(["user", "create", "bob", "--password-stdin"], "bob-horse-battery-staple\n");
        Assert.True(bob.ExitCode == 0, bob.ToString());

        var share = await cli.RunAsync("fs", "share", "Photos", "--user", "bob", "--rights", "read,write");
        var list = await cli.RunAsync("fs", "share", "--list", "Photos");
        var noSharee = await cli.RunAsync("fs", "share", "Photos");
        var link = await cli.RunAsync("fs", "link", "create", "Photos/cat.txt", "--expires", "1d");
        var fetched = await node.Http.GetStringAsync(link.Out.Trim(), Ct);
        var links = await cli.RunAsync("fs", "link", "ls");
        var badDuration = await cli.RunAsync("fs", "link", "create", "Photos", "--expires", "soon");
        var unshare = await cli.RunAsync("fs", "unshare", "Photos", "--user", "bob");

        Assert.True(share.ExitCode == 0, share.ToString());
        Assert.Contains("user bob (read, write)", share.Out, StringComparison.Ordinal);
        Assert.Contains("user bob", list.Out, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, noSharee.ExitCode);
        Assert.True(link.ExitCode == 0, link.ToString());
        Assert.Equal("meow", fetched);
        Assert.Contains("/home/admin/Photos/cat.txt", links.Out, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.Usage, badDuration.ExitCode);
        Assert.True(unshare.ExitCode == 0, unshare.ToString());
    }

    private static async Task<Cli> LoggedInAsync(TestNode node)
    {
        var cli = new Cli(node.BaseAddress);
        var login = await cli.RunAsync(["login", "--password-stdin"], TestNode.DefaultAdminPassword + "\n");
        Assert.True(login.ExitCode == 0, login.ToString());
        return cli;
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
