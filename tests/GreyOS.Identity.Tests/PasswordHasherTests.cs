using GreyOS.Abstractions.Errors;
using GreyOS.Identity.Passwords;

namespace GreyOS.Identity.Tests;

public sealed class PasswordHasherTests
{
    [Fact]
    public void Hash_Password_IsPhcArgon2idWithTunedParameters()
    {
        var phc = PasswordHasher.Hash("correct-horse-battery");

        Assert.StartsWith("$argon2id$v=19$m=19456,t=2,p=1$", phc, StringComparison.Ordinal);
        Assert.True(PasswordHasher.Verify("correct-horse-battery", phc));
    }

    [Fact]
    public void Hash_SamePasswordTwice_UsesFreshSalts()
    {
        Assert.NotEqual(PasswordHasher.Hash("correct-horse-battery"), PasswordHasher.Hash("correct-horse-battery"));
    }

    [Fact]
    public void Verify_WrongPassword_ReturnsFalse()
    {
        var phc = PasswordHasher.Hash("correct-horse-battery");

        Assert.False(PasswordHasher.Verify("correct-horse-batterz", phc));
    }

    [Theory]
    [InlineData("")]
    [InlineData("$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g")] // not argon2id
    [InlineData("$argon2id$v=19$m=99999999,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g")] // memory bomb
    [InlineData("$argon2id$v=19$m=19456,t=2,p=4$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g")] // lanes
    [InlineData("$argon2id$v=19$m=19456,t=2,p=1$!!!$aGFzaA")] // bad base64
    [InlineData("plain text")]
    public void Verify_MalformedOrDangerousHash_ReturnsFalse(string phc)
    {
        Assert.False(PasswordHasher.Verify("correct-horse-battery", phc));
    }

    [Theory]
    [InlineData("short")]
    [InlineData("          ")]
    public void CheckPolicy_WeakPassword_ReturnsPasswordPolicyError(string password)
    {
        var error = PasswordHasher.CheckPolicy(password);

        Assert.NotNull(error);
        Assert.Equal(ErrorCodes.PasswordPolicy, error.Code);
    }

    [Fact]
    public void CheckPolicy_OversizedPassword_ReturnsPasswordPolicyError()
    {
        Assert.Equal(ErrorCodes.PasswordPolicy, PasswordHasher.CheckPolicy(new string('x', PasswordHasher.MaximumBytes + 1))?.Code);
    }

    [Fact]
    public void CheckPolicy_GoodPassword_ReturnsNull()
    {
        Assert.Null(PasswordHasher.CheckPolicy("correct-horse-battery"));
    }
}
