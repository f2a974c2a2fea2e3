using System.Diagnostics.CodeAnalysis;
using NSec.Cryptography;

namespace GreyOS.Identity.Signatures;

/// <summary>
/// Ed25519 (RFC 8032) signing and verification over raw keys: a 32-byte private key seed and a
/// 32-byte public key, signatures of 64 bytes. Wrong lengths and invalid keys give false, never an
/// exception, so callers can hand it untrusted input.
/// </summary>
public static class Ed25519Signer
{
    /// <summary>Bytes in a raw Ed25519 public key.</summary>
    public const int PublicKeySize = 32;

    /// <summary>Bytes in a raw Ed25519 private key (the seed).</summary>
    public const int PrivateKeySeedSize = 32;

    /// <summary>Bytes in an Ed25519 signature.</summary>
    public const int SignatureSize = 64;

    private static readonly SignatureAlgorithm Algorithm = SignatureAlgorithm.Ed25519;

    /// <summary>Signs <paramref name="data"/>; false when the seed is not 32 bytes. Ed25519 is deterministic.</summary>
    /// <param name="privateKeySeed">The 32-byte private key seed.</param>
    /// <param name="data">The bytes to sign, e.g. the UTF-8 signature base.</param>
    /// <param name="signature">The 64-byte signature.</param>
    public static bool TrySign(ReadOnlySpan<byte> privateKeySeed, ReadOnlySpan<byte> data, [NotNullWhen(true)] out byte[]? signature)
    {
        signature = null;
        if (privateKeySeed.Length != PrivateKeySeedSize
            || !Key.TryImport(Algorithm, privateKeySeed, KeyBlobFormat.RawPrivateKey, out var key)
            || key is null)
        {
            return false;
        }

        using (key)
        {
            signature = Algorithm.Sign(key, data);
        }

        return true;
    }

    /// <summary>The 32-byte public key of a private key seed; false when the seed is not 32 bytes.</summary>
    /// <param name="privateKeySeed">The 32-byte private key seed.</param>
    /// <param name="publicKey">The raw public key.</param>
    public static bool TryGetPublicKey(ReadOnlySpan<byte> privateKeySeed, [NotNullWhen(true)] out byte[]? publicKey)
    {
        publicKey = null;
        if (privateKeySeed.Length != PrivateKeySeedSize
            || !Key.TryImport(Algorithm, privateKeySeed, KeyBlobFormat.RawPrivateKey, out var key)
            || key is null)
        {
            return false;
        }

        using (key)
        {
            publicKey = key.PublicKey.Export(KeyBlobFormat.RawPublicKey);
        }

        return true;
    }

    /// <summary>
    /// True when <paramref name="signature"/> is a valid Ed25519 signature of <paramref name="data"/>
    /// under <paramref name="publicKey"/>; false for wrong lengths, an invalid key or a bad signature.
    /// </summary>
    /// <param name="publicKey">The 32-byte raw public key.</param>
    /// <param name="data">The signed bytes.</param>
    /// <param name="signature">The 64-byte signature.</param>
    public static bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        if (publicKey.Length != PublicKeySize
            || signature.Length != SignatureSize
            || !PublicKey.TryImport(Algorithm, publicKey, KeyBlobFormat.RawPublicKey, out var key)
            || key is null)
        {
            return false;
        }

        return Algorithm.Verify(key, data, signature);
    }
}
