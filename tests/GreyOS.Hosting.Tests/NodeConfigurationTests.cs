using System.Collections;
using GreyOS.Abstractions.Node;
using GreyOS.Hosting.Configuration;
using GreyOS.Testing;
using Microsoft.Extensions.Configuration;

namespace GreyOS.Hosting.Tests;

public sealed class NodeConfigurationTests
{
    [Fact]
    public void Validate_Nothing_DefaultsToLoopbackAndXdgDataFolder()
    {
        var options = Build([], new Hashtable());

        Assert.Equal("http://127.0.0.1:5080", options.Urls);
        Assert.Equal(GreyOSOptions.DefaultDataDirectory, options.DataDirectory);
        Assert.EndsWith("greyos", options.DataDirectory, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ShortEnvironmentVariables_AreApplied()
    {
        var options = Build([], new Hashtable { ["GREYOS_URLS"] = "http://127.0.0.1:6000", ["GREYOS_DATA"] = "/srv/greyos" });

        Assert.Equal("http://127.0.0.1:6000", options.Urls);
        Assert.Equal("/srv/greyos", options.DataDirectory);
    }

    [Fact]
    public void Validate_FlagsAndEnvironment_FlagsWin()
    {
        var options = Build(["--data", "/from/flag"], new Hashtable { ["GREYOS_DATA"] = "/from/env", ["GREYOS__DATADIRECTORY"] = "/from/env2" });

        Assert.Equal("/from/flag", options.DataDirectory);
    }

    [Fact]
    public void Validate_RelativeDataFolder_BecomesAbsolute()
    {
        var options = Build(["--data", "relative/dir"], new Hashtable());

        Assert.True(Path.IsPathRooted(options.DataDirectory));
    }

    [Fact]
    public void Validate_UnknownKey_NamesTheKeyAndTheKnownOnes()
    {
        var error = Assert.Throws<NodeStartupException>(() => Build([], new Hashtable { ["GREYOS__DATADIR"] = "/x" }));

        Assert.StartsWith("unknown setting 'GreyOS:DATADIR'; known settings are GreyOS:Urls, GreyOS:DataDirectory", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://127.0.0.1:5080")]
    [InlineData("ftp://127.0.0.1:21")]
    [InlineData("127.0.0.1:5080")]
    [InlineData("http://127.0.0.1:5080/sub")]
    public void Validate_BadUrls_NamesKeyValueAndFix(string urls)
    {
        var error = Assert.Throws<NodeStartupException>(() => Build(["--urls", urls], new Hashtable()));

        Assert.StartsWith($"setting 'GreyOS:Urls' = '{urls}' is invalid: it must be http://HOST:PORT", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://*:5080")]
    [InlineData("http://+:5080;http://[::1]:5081")]
    [InlineData("http://localhost:0")]
    public void Validate_KestrelStyleUrls_Accepted(string urls)
    {
        Assert.Equal(urls, Build(["--urls", urls], new Hashtable()).Urls);
    }

    [Theory]
    [InlineData("soon")]
    [InlineData("00:01:00")]
    [InlineData("365.00:00:00")]
    public void Validate_BadSessionLifetime_Refused(string value)
    {
        var error = Assert.Throws<NodeStartupException>(() => Build([], new Hashtable { ["GREYOS__IDENTITY__SESSIONLIFETIME"] = value }));

        Assert.Contains("GreyOS:IDENTITY:SESSIONLIFETIME", error.Message, StringComparison.Ordinal);
        Assert.Contains("between 00:05:00 and 30.00:00:00", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadInitialAdminPassword_FromFile_TrimsTrailingNewline()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("pw"), "correct-horse-battery\n");

        Assert.Equal("correct-horse-battery", NodeConfiguration.ReadInitialAdminPassword(new Hashtable { ["GREYOS_ADMIN_PASSWORD_FILE"] = temp.File("pw") }));
    }

    [Fact]
    public void ReadInitialAdminPassword_BothVariables_Refused()
    {
        var environment = new Hashtable { ["GREYOS_ADMIN_PASSWORD"] = "a", ["GREYOS_ADMIN_PASSWORD_FILE"] = "/b" };

        Assert.Throws<NodeStartupException>(() => NodeConfiguration.ReadInitialAdminPassword(environment));
    }

    [Fact]
    public void ReadInitialAdminPassword_MissingFile_NamesIt()
    {
        var error = Assert.Throws<NodeStartupException>(() => NodeConfiguration.ReadInitialAdminPassword(new Hashtable { ["GREYOS_ADMIN_PASSWORD_FILE"] = "/nonexistent/pw" }));

        Assert.Contains("/nonexistent/pw", error.Message, StringComparison.Ordinal);
    }

    private static GreyOSOptions Build(string[] args, IDictionary environment)
    {
        var builder = new ConfigurationBuilder();
        NodeConfiguration.AddNodeSources(builder, NodeArguments.Parse(args), environment);
        return NodeConfiguration.Validate(builder.Build());
    }
}
