using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using NSec.Cryptography;
using SimpleBase;

namespace GreyOS.Client;

/// <summary>
/// A device's Ed25519 key and the session it signs for (<c>keyid</c> = <see cref="SessionId"/>).
/// The key never leaves the device: the node stores only its public half (as a did:key).
/// </summary>
public sealed class DeviceCredential
{
    private static readonly byte[] Ed25519Multicodec = [0xed, 0x01];
    private readonly byte[] _seed;

    private DeviceCredential(byte[] seed, byte[] publicKey, string? sessionId, string? deviceId)
    {
        _seed = seed;
        PublicKey = publicKey;
        SessionId = sessionId;
        DeviceId = deviceId;
        Did = "did:key:z" + Base58.Bitcoin.Encode([.. Ed25519Multicodec, .. publicKey]);
    }

    /// <summary>The 32-byte public key.</summary>
    public ReadOnlyMemory<byte> PublicKey { get; }

    /// <summary>The key as a did:key (<c>did:key:z6Mk…</c>).</summary>
    public string Did { get; }

    /// <summary>The device session the key signs for; null before a login.</summary>
    public string? SessionId { get; init; }

    /// <summary>The node's id of this device; null before it is registered.</summary>
    public string? DeviceId { get; init; }

    /// <summary>A new random key.</summary>
    public static DeviceCredential Generate()
    {
        using var key = Key.Create(SignatureAlgorithm.Ed25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });
        return FromSeed(key.Export(KeyBlobFormat.RawPrivateKey));
    }

    /// <summary>A key from its 32-byte private seed (as stored by <see cref="ExportSeed"/>).</summary>
    public static DeviceCredential FromSeed(ReadOnlySpan<byte> seed, string? sessionId = null, string? deviceId = null)
    {
        if (seed.Length != 32)
        {
            throw new ArgumentException("an Ed25519 private key seed has 32 bytes", nameof(seed));
        }

        using var key = Key.Import(SignatureAlgorithm.Ed25519, seed, KeyBlobFormat.RawPrivateKey);
        return new DeviceCredential(seed.ToArray(), key.PublicKey.Export(KeyBlobFormat.RawPublicKey), sessionId, deviceId);
    }

    /// <summary>The same key bound to a session and device.</summary>
    public DeviceCredential WithSession(string sessionId, string? deviceId) => new(_seed, PublicKey.ToArray(), sessionId, deviceId ?? DeviceId);

    /// <summary>The private seed, for storing in an owner-only file. Handle as a secret.</summary>
    public byte[] ExportSeed() => _seed.ToArray();

    /// <summary>An Ed25519 signature of <paramref name="data"/>.</summary>
    public byte[] Sign(ReadOnlySpan<byte> data)
    {
        using var key = Key.Import(SignatureAlgorithm.Ed25519, _seed, KeyBlobFormat.RawPrivateKey);
        return SignatureAlgorithm.Ed25519.Sign(key, data);
    }

    /// <summary>The signature of a did:key login challenge (<c>greyos-login-v1\n{node did}\n{challenge}</c>), base64url.</summary>
    public string SignChallenge(string nodeDid, string challenge) =>
        Base64Url.EncodeToString(Sign(Encoding.UTF8.GetBytes($"greyos-login-v1\n{nodeDid}\n{challenge}")));

    /// <summary>A fresh random nonce for a request signature.</summary>
    internal static string NewNonce() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));
}
