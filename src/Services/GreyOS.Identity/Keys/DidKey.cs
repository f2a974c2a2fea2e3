using SimpleBase;

namespace GreyOS.Identity.Keys;

/// <summary>
/// did:key for Ed25519 public keys (W3C CCG did:key method): <c>did:key:z</c> + base58btc of the
/// multicodec prefix <c>0xed 0x01</c> followed by the 32-byte public key.
/// </summary>
public static class DidKey
{
    private const string Prefix = "did:key:z";
    private const int PublicKeySize = 32;
    private static readonly byte[] Ed25519Multicodec = [0xed, 0x01];

    /// <summary>The did:key of a 32-byte Ed25519 public key.</summary>
    public static string FromEd25519PublicKey(ReadOnlySpan<byte> publicKey)
    {
        if (publicKey.Length != PublicKeySize)
        {
            throw new ArgumentException($"An Ed25519 public key has {PublicKeySize} bytes, not {publicKey.Length}.", nameof(publicKey));
        }

        Span<byte> bytes = stackalloc byte[Ed25519Multicodec.Length + PublicKeySize];
        Ed25519Multicodec.CopyTo(bytes);
        publicKey.CopyTo(bytes[Ed25519Multicodec.Length..]);
        return Prefix + Base58.Bitcoin.Encode(bytes);
    }

    /// <summary>Parses an Ed25519 did:key; false for any other method, codec, length or encoding.</summary>
    public static bool TryParseEd25519(string? did, out byte[] publicKey)
    {
        publicKey = [];
        if (did is null || !did.StartsWith(Prefix, StringComparison.Ordinal) || did.Length > 128)
        {
            return false;
        }

        byte[] decoded;
        try
        {
            decoded = Base58.Bitcoin.Decode(did.AsSpan(Prefix.Length));
        }
        catch (ArgumentException)
        {
            return false;
        }

        if (decoded.Length != Ed25519Multicodec.Length + PublicKeySize || decoded[0] != Ed25519Multicodec[0] || decoded[1] != Ed25519Multicodec[1])
        {
            return false;
        }

        publicKey = decoded[Ed25519Multicodec.Length..];
        return true;
    }
}
