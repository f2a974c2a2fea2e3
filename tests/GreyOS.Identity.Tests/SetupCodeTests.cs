using GreyOS.Identity.Setup;

namespace GreyOS.Identity.Tests;

public sealed class SetupCodeTests
{
    [Fact]
    public void Generate_Always_FourGroupsOfFiveCrockfordCharacters()
    {
        var code = SetupCode.Generate();

        Assert.Matches("^[0-9A-HJKMNP-TV-Z]{5}(-[0-9A-HJKMNP-TV-Z]{5}){3}$", code);
        Assert.NotEqual(code, SetupCode.Generate());
    }

    [Fact]
    public void Hash_TypedLooselyByAHuman_MatchesTheIssuedCode()
    {
        Assert.Equal(SetupCode.Hash("AB0DE-FG1HJ-KM1NP-QR0ST"), SetupCode.Hash(" ab0de fgihj kmlnp qrost "));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("ABCDE-FGHJK-MNPQR")] // too short
    [InlineData("ABCDE-FGHJK-MNPQR-STVWX-Y")] // too long
    [InlineData("ABCDE-FGHJK-MNPQR-STVW$")] // not in the alphabet
    [InlineData("ABCDE-FGHJK-MNPQR-STVWU")] // U is excluded from Crockford base32
    public void Hash_NotASetupCode_ReturnsNull(string? input)
    {
        Assert.Null(SetupCode.Hash(input));
    }
}
