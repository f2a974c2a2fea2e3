using GreyOS.Identity.Keys;
using NSec.Cryptography;

namespace GreyOS.Identity.Tests;

public sealed class DidKeyTests
{
    // did:key method spec test vectors (Ed25519): private-key seed → DID.
    [Theory]
    [InlineData(0, "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp")]
    [InlineData(1, "did:key:z6MkjchhfUsD6mmvni8mCdXHw216Xrm9bQe2mBH1P5RDjVJG")]
    [InlineData(2, "did:key:z6MknGc3ocHs3zdPiJbnaaqDi58NGb4pk1Sp9WxWufuXSdxf")]
    public void FromEd25519PublicKey_SpecSeed_ReproducesSpecDid(byte lastSeedByte, string expected)
    {
        var seed = new byte[32];
        seed[31] = lastSeedByte;
        using var key = Key.Import(SignatureAlgorithm.Ed25519, seed, KeyBlobFormat.RawPrivateKey);

        var did = DidKey.FromEd25519PublicKey(key.PublicKey.Export(KeyBlobFormat.RawPublicKey));

        Assert.Equal(expected, did);
    }

    [Fact]
    public void TryParseEd25519_SpecDid_YieldsItsPublicKey()
    {
        Assert.True(DidKey.TryParseEd25519("did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp", out var publicKey));
        Assert.Equal("3B6A27BCCEB6A42D62A3A8D02A6F0D73653215771DE243A63AC048A18B59DA29", Convert.ToHexString(publicKey));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("did:web:example.com")]
    [InlineData("did:key:6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp")] // no multibase prefix
    [InlineData("did:key:z0OIl")] // characters outside base58btc
    [InlineData("did:key:zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169")] // P-256 codec, not Ed25519
    [InlineData("did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDoo")] // truncated
    public void TryParseEd25519_NotAnEd25519DidKey_ReturnsFalse(string? did)
    {
        Assert.False(DidKey.TryParseEd25519(did, out var publicKey));
        Assert.Empty(publicKey);
    }

    [Fact]
    public void FromEd25519PublicKey_WrongLength_Throws()
    {
        Assert.Throws<ArgumentException>(() => DidKey.FromEd25519PublicKey(new byte[31]));
    }
}
