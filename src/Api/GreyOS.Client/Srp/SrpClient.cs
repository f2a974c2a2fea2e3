using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Agreement.Srp;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Utilities;

namespace GreyOS.Client.Srp;

/// <summary>
/// Client side of SRP-6a password login (RFC 5054) on BouncyCastle's <see cref="Srp6Client"/>: proves
/// knowledge of the password without sending it. Group: RFC 5054's 3072-bit group, hash: SHA-256 — the node's.
/// </summary>
/// <remarks>
/// <para>Flow: <c>POST /auth/srp/start {userName}</c> → salt, B; <see cref="Respond(string, string, ReadOnlySpan{byte}, ReadOnlySpan{byte})"/> → A, M1;
/// <c>POST /auth/srp/finish {A, M1}</c> → M2; <see cref="TryVerifyServer"/> checks that the node knew the
/// verifier. Abandon the login when either returns null/false.</para>
/// <para>Every value is a big-endian unsigned byte string of fixed length: A and B have the length of N
/// (<see cref="PublicValueLength"/>), M1, M2 and the key the hash's (<see cref="EvidenceLength"/>). PAD(x) is x
/// left-padded with zeros to the length of N, H is SHA-256:</para>
/// <list type="bullet">
/// <item><description>I = the user name with ASCII letters lower-cased, UTF-8; P = the password, UTF-8.</description></item>
/// <item><description>x = H(s | H(I | ":" | P)); k = H(N | PAD(g)); A = g^a mod N; u = H(PAD(A) | PAD(B)).</description></item>
/// <item><description>S = (B − k·g^x)^(a + u·x) mod N.</description></item>
/// <item><description>M1 = H(PAD(A) | PAD(B) | PAD(S)); M2 = H(PAD(A) | PAD(M1) | PAD(S)); K = H(PAD(S)).</description></item>
/// </list>
/// <para>An instance is one login attempt and is not thread-safe.</para>
/// </remarks>
public sealed class SrpClient
{
    /// <summary>Length of A and B in bytes (the 3072-bit N).</summary>
    public const int PublicValueLength = 384;

    /// <summary>Length of M1, M2 and the session key in bytes (SHA-256).</summary>
    public const int EvidenceLength = 32;

    /// <summary>Longest salt accepted from a node, in bytes.</summary>
    public const int MaximumSaltLength = 1024;

    private readonly Srp6Client _engine;
    private readonly int _digestLength;

    private SrpClient(Srp6Client engine, byte[] a, byte[] m1, int digestLength)
    {
        _engine = engine;
        A = a;
        M1 = m1;
        _digestLength = digestLength;
    }

    /// <summary>The client's public value A = g^a mod N, <see cref="PublicValueLength"/> bytes; send to the node.</summary>
    public byte[] A { get; }

    /// <summary>The client's evidence M1 = H(PAD(A) | PAD(B) | PAD(S)), <see cref="EvidenceLength"/> bytes; send to the node.</summary>
    public byte[] M1 { get; }

    /// <summary>Answers the node's challenge: picks a, computes A, S and M1.</summary>
    /// <param name="userName">The user name (ASCII letters are lower-cased, as the node does).</param>
    /// <param name="password">The password.</param>
    /// <param name="salt">The salt s from the node.</param>
    /// <param name="serverB">B from the node, big-endian unsigned, at most <see cref="PublicValueLength"/> bytes.</param>
    /// <returns>The attempt, or null when the salt or B is malformed (empty, oversized, B mod N = 0, B ≥ N, u = 0).</returns>
    public static SrpClient? Respond(string userName, string password, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> serverB) =>
        Respond(Srp6StandardGroups.rfc5054_3072, static () => new Sha256Digest(), new Srp6Client(), userName, password, salt, serverB);

    /// <summary>Answers on a given group, hash and engine (tests: RFC 5054 vectors with a fixed a).</summary>
    /// <param name="group">N and g.</param>
    /// <param name="createDigest">Creates H.</param>
    /// <param name="engine">A fresh, uninitialised <see cref="Srp6Client"/>.</param>
    /// <param name="userName">The user name.</param>
    /// <param name="password">The password.</param>
    /// <param name="salt">The salt.</param>
    /// <param name="serverB">B.</param>
    /// <returns>The attempt, or null when the salt or B is malformed.</returns>
    internal static SrpClient? Respond(
        Srp6GroupParameters group,
        Func<IDigest> createDigest,
        Srp6Client engine,
        string userName,
        string password,
        ReadOnlySpan<byte> salt,
        ReadOnlySpan<byte> serverB)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(createDigest);
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(userName);
        ArgumentNullException.ThrowIfNull(password);

        var length = (group.N.BitLength + 7) / 8;
        if (salt.IsEmpty || salt.Length > MaximumSaltLength || serverB.IsEmpty || serverB.Length > length)
        {
            return null;
        }

        var b = new BigInteger(1, serverB.ToArray());
        if (b.SignValue <= 0 || b.CompareTo(group.N) >= 0)
        {
            return null;
        }

        var digestLength = createDigest().GetDigestSize();
        var secret = Encoding.UTF8.GetBytes(password);
        try
        {
            engine.Init(group, createDigest(), new SecureRandom());
            var a = engine.GenerateClientCredentials(salt.ToArray(), EncodeIdentity(userName), secret);

            // RFC 5054 §2.6: abort when u = 0 (BouncyCastle checks only B mod N).
            if (Srp6Utilities.CalculateU(createDigest(), group.N, a, b).SignValue == 0)
            {
                return null;
            }

            engine.CalculateSecret(b);
            var m1 = engine.CalculateClientEvidenceMessage();
            return new SrpClient(
                engine,
                BigIntegers.AsUnsignedByteArray(length, a),
                BigIntegers.AsUnsignedByteArray(digestLength, m1),
                digestLength);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    /// <summary>Checks the node's M2 = H(PAD(A) | PAD(M1) | PAD(S)): only a node holding the verifier can make it.</summary>
    /// <param name="serverM2">M2 from the node, <see cref="EvidenceLength"/> bytes.</param>
    /// <param name="sessionKey">K = H(PAD(S)), <see cref="EvidenceLength"/> bytes, when M2 is right.</param>
    /// <returns>False for a wrong or malformed M2: the node is not the one that stored the verifier.</returns>
    public bool TryVerifyServer(ReadOnlySpan<byte> serverM2, [NotNullWhen(true)] out byte[]? sessionKey)
    {
        sessionKey = null;
        if (serverM2.Length != _digestLength || !_engine.VerifyServerEvidenceMessage(new BigInteger(1, serverM2.ToArray())))
        {
            return false;
        }

        sessionKey = BigIntegers.AsUnsignedByteArray(_digestLength, _engine.CalculateSessionKey());
        return true;
    }

    /// <summary>I as the node hashes it: ASCII letters lower-cased (user names are ASCII case-insensitive), UTF-8.</summary>
    private static byte[] EncodeIdentity(string userName)
    {
        var folded = string.Create(userName.Length, userName, static (chars, name) =>
        {
            for (var i = 0; i < name.Length; i++)
            {
                var c = name[i];
                chars[i] = c is >= 'A' and <= 'Z' ? (char)(c + ('a' - 'A')) : c;
            }
        });
        return Encoding.UTF8.GetBytes(folded);
    }
}
