using GreyOS.Abstractions.Node;
using GreyOS.Hosting.Configuration;

namespace GreyOS.Hosting.Tests;

public sealed class NodeArgumentsTests
{
    [Fact]
    public void Parse_UrlsAndDataInBothForms_MapToSettings()
    {
        var parsed = NodeArguments.Parse(["--urls", "http://127.0.0.1:7000", "--data=/tmp/x"]);

        Assert.Equal("http://127.0.0.1:7000", parsed.Settings["GreyOS:Urls"]);
        Assert.Equal("/tmp/x", parsed.Settings["GreyOS:DataDirectory"]);
        Assert.False(parsed.Help);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    public void Parse_Help_SetsHelp(string flag)
    {
        Assert.True(NodeArguments.Parse([flag]).Help);
    }

    [Fact]
    public void Parse_UnknownOption_NamesItAndPointsToHelp()
    {
        var error = Assert.Throws<NodeStartupException>(() => NodeArguments.Parse(["--frobnicate"]));

        Assert.Equal("unknown option '--frobnicate'; run with --help", error.Message);
    }

    [Theory]
    [InlineData("--data")]
    [InlineData("--urls", "--data", "x")]
    public void Parse_MissingValue_Refused(params string[] args)
    {
        var error = Assert.Throws<NodeStartupException>(() => NodeArguments.Parse(args));

        Assert.Contains("needs a value", error.Message, StringComparison.Ordinal);
    }
}
