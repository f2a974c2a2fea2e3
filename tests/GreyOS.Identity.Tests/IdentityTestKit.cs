using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using GreyOS.Abstractions.Errors;
using GreyOS.Abstractions.Identity;
using GreyOS.Identity.Keys;
using GreyOS.Identity.Signatures;

namespace GreyOS.Identity.Tests;

/// <summary>A device key for tests: a random Ed25519 seed, its public key and did:key.</summary>
internal sealed class TestKey
{
    public TestKey()
    {
        Seed = RandomNumberGenerator.GetBytes(32);
        Assert.True(Ed25519Signer.TryGetPublicKey(Seed, out var publicKey));
        PublicKey = publicKey;
        Did = DidKey.FromEd25519PublicKey(publicKey);
    }

    public byte[] Seed { get; }

    public byte[] PublicKey { get; }

    public string Did { get; }

    public byte[] Sign(byte[] data)
    {
        Assert.True(Ed25519Signer.TrySign(Seed, data, out var signature));
        return signature;
    }

    public byte[] SignChallenge(LoginChallenge challenge) =>
        Sign(Encoding.UTF8.GetBytes($"greyos-login-v1\n{challenge.NodeDid}\n{Base64Url.EncodeToString(challenge.Challenge)}"));
}

internal static class IdentityTestKit
{
    public static readonly ClientContext Client = new("192.0.2.10", "tests", "tests");

    /// <summary>A browser-session password login.</summary>
    public static ValueTask<Result<LoginResult>> LoginAsync(this ISessionService sessions, string userName, string password, CancellationToken cancellationToken) =>
        sessions.LoginWithPasswordAsync(userName, password, null, Client, cancellationToken);

    /// <summary>A device-session password login registering <paramref name="key"/>.</summary>
    public static async Task<LoginResult> LoginDeviceAsync(this ISessionService sessions, string userName, string password, TestKey key, CancellationToken cancellationToken)
    {
        var login = await sessions.LoginWithPasswordAsync(userName, password, new DeviceRegistration("test device", key.Did), Client, cancellationToken);
        Assert.True(login.IsSuccess, login.Error?.Message);
        return login.Value;
    }

    /// <summary>A request signed by <paramref name="key"/> for <paramref name="sessionId"/> (the base is any bytes: the HTTP layer builds real ones).</summary>
    public static SignedRequest Signed(TestKey key, string sessionId, DateTimeOffset now, string? nonce = null, string body = "GET /api/v1/auth/session")
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        return new SignedRequest(sessionId, bytes, key.Sign(bytes), now.ToUnixTimeSeconds(), nonce ?? Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16)));
    }
}
