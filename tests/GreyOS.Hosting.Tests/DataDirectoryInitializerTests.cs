using GreyOS.Abstractions.Node;
using GreyOS.Hosting.Startup;
using GreyOS.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace GreyOS.Hosting.Tests;

public sealed class DataDirectoryInitializerTests
{
    [Fact]
    public async Task Initialize_MissingFolder_CreatesItOwnerOnly()
    {
        using var temp = new TempDirectory();
        var path = temp.File("nested/data");

        await new DataDirectoryInitializer(new DataDirectory(path), NullLogger<DataDirectoryInitializer>.Instance).InitializeAsync(TestContext.Current.CancellationToken);

        Assert.True(Directory.Exists(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(path));
        Assert.Empty(Directory.GetFileSystemEntries(path));
    }

    [Fact]
    public async Task Initialize_PathUnderAFile_FailsWithOneLineNamingTheFix()
    {
        using var temp = new TempDirectory();
        await File.WriteAllTextAsync(temp.File("plain-file"), "x", TestContext.Current.CancellationToken);
        var path = temp.File("plain-file/data");

        var error = await Assert.ThrowsAsync<NodeStartupException>(() =>
            new DataDirectoryInitializer(new DataDirectory(path), NullLogger<DataDirectoryInitializer>.Instance).InitializeAsync(TestContext.Current.CancellationToken));

        Assert.StartsWith($"the data folder {path} is not writable", error.Message, StringComparison.Ordinal);
        Assert.Contains("--data or GREYOS_DATA", error.Message, StringComparison.Ordinal);
    }
}
