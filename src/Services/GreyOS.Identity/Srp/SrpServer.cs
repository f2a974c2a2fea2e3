using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using GreyOS.Abstractions.Errors;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Agreement.Srp;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Utilities;

namespace GreyOS.Identity.Srp;

/// <summary>
/// Server side of SRP-6a password login (RFC 5054, design 0003 decision 5) on BouncyCastle's
/// <see cref="Srp6Server"/>: the node keeps a salt and a verifier per user and never sees the password
/// at login. Production uses RFC 5054's 3072-bit group with SHA-256 (<see cref="SrpGroup.Rfc5054Group3072Sha256"/>).
/// </summary>
/// <remarks>
/// <para>Wire format: every value is a big-endian unsigned byte string of fixed length — A, B and v have the
/// length of N (384 bytes), M1, M2 and the session key the length of the hash (32 bytes); the salt is 32 bytes.
/// PAD(x) below is x left-padded with zeros to the length of N, H is SHA-256, | is concatenation.</para>
/// <list type="bullet">
/// <item><description>I = the user name with ASCII letters lower-cased (user names are ASCII case-insensitive), UTF-8; P = the password, UTF-8, unnormalised.</description></item>
/// <item><description>x = H(s | H(I | ":" | P)); v = g^x mod N; k = H(N | PAD(g)) (RFC 5054 §2.4, §2.5.3).</description></item>
/// <item><description>B = (k·v + g^b) mod N; A = g^a mod N; u = H(PAD(A) | PAD(B)).</description></item>
/// <item><description>S = (A·v^u)^b mod N = (B − k·g^x)^(a + u·x) mod N.</description></item>
/// <item><description><b>M1 = H(PAD(A) | PAD(B) | PAD(S))</b> — BouncyCastle's <c>Srp6Utilities.CalculateM1</c>,
/// not RFC 2945's H(H(N) xor H(g) | H(I) | s | A | B | K).</description></item>
/// <item><description><b>M2 = H(PAD(A) | PAD(M1) | PAD(S))</b> — M1 taken as a number and padded to the length of N (not 32 bytes).</description></item>
/// <item><description><b>K = H(PAD(S))</b>, the session key both sides agree on.</description></item>
/// </list>
/// <para>Unknown users get <see cref="StartUnknownUser(string)"/>: a salt and verifier derived from a server
/// secret and the user name, so the salt is stable per name (as a real one is) and B is fresh per attempt
/// (as a real one is); the handshake then always refuses.</para>
/// </remarks>
internal sealed class SrpServer
{
    /// <summary>Length of a new salt, in bytes.</summary>
    public const int SaltLength = 32;

    /// <summary>Longest salt a stored verifier may carry, in bytes.</summary>
    public const int MaximumSaltLength = 1024;

    /// <summary>Shortest accepted fake-user secret, in bytes.</summary>
    public const int MinimumSecretLength = 32;

    private static readonly byte[] FakeSaltLabel = "greyos/srp/fake-salt\0"u8.ToArray();
    private static readonly byte[] FakeVerifierLabel = "greyos/srp/fake-verifier\0"u8.ToArray();

    private readonly SrpGroup _group;
    private readonly byte[] _fakeUserKey;

    /// <summary>Creates the production server (3072-bit group, SHA-256).</summary>
    /// <param name="fakeUserSecret">
    /// At least 32 random bytes kept by the node (stable across restarts, so fake salts stay stable); the fake
    /// salt and verifier of an unknown user are derived from it with HKDF-SHA-256.
    /// </param>
    public SrpServer(ReadOnlySpan<byte> fakeUserSecret)
        : this(SrpGroup.Rfc5054Group3072Sha256, fakeUserSecret)
    {
    }

    /// <summary>Creates a server on another group (tests: RFC 5054's 1024-bit, SHA-1 vectors).</summary>
    /// <param name="group">The group and hash.</param>
    /// <param name="fakeUserSecret">At least 32 random bytes; see <see cref="SrpServer(ReadOnlySpan{byte})"/>.</param>
    internal SrpServer(SrpGroup group, ReadOnlySpan<byte> fakeUserSecret)
    {
        ArgumentNullException.ThrowIfNull(group);
        if (fakeUserSecret.Length < MinimumSecretLength)
        {
            throw new ArgumentException($"The fake-user secret must have at least {MinimumSecretLength} bytes.", nameof(fakeUserSecret));
        }

        _group = group;
        _fakeUserKey = new byte[HMACSHA256.HashSizeInBytes];
        HKDF.Extract(HashAlgorithmName.SHA256, fakeUserSecret, salt: [], _fakeUserKey);
    }

    /// <summary>The group and hash in use.</summary>
    public SrpGroup Group => _group;

    /// <summary>
    /// Derives a new salt and verifier for a password (create user, set password). The password is needed
    /// here, never at login.
    /// </summary>
    /// <param name="userName">The user name (ASCII letters are lower-cased before use).</param>
    /// <param name="password">The new password.</param>
    /// <returns>A random 32-byte salt and v = g^x mod N as <see cref="SrpGroup.Length"/> bytes.</returns>
    public SrpVerifier CreateVerifier(string userName, string password) =>
        CreateVerifier(userName, password, RandomNumberGenerator.GetBytes(SaltLength));

    /// <summary>Derives the verifier for a given salt (tests: RFC 5054's vectors).</summary>
    /// <param name="userName">The user name (ASCII letters are lower-cased before use).</param>
    /// <param name="password">The password.</param>
    /// <param name="salt">The salt.</param>
    /// <returns>The salt and v = g^x mod N as <see cref="SrpGroup.Length"/> bytes.</returns>
    internal SrpVerifier CreateVerifier(string userName, string password, byte[] salt)
    {
        ArgumentNullException.ThrowIfNull(password);
        ArgumentNullException.ThrowIfNull(salt);
        var identity = EncodeIdentity(userName);
        var secret = Encoding.UTF8.GetBytes(password);
        try
        {
            var generator = new Srp6VerifierGenerator();
            generator.Init(_group.Parameters, _group.CreateDigest());
            var verifier = generator.GenerateVerifier(salt, identity, secret);
            return new SrpVerifier(salt, _group.Encode(verifier));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    /// <summary>Starts a login for a known user: picks b and computes B.</summary>
    /// <param name="verifier">The user's stored salt and verifier.</param>
    /// <returns>The handshake; send its <see cref="SrpServerHandshake.Salt"/> and <see cref="SrpServerHandshake.B"/>.</returns>
    /// <exception cref="ArgumentException">The stored verifier is malformed (a damaged row: a fault, not an expected failure).</exception>
    public SrpServerHandshake Start(SrpVerifier verifier) => Start(verifier, new Srp6Server());

    /// <summary>Starts a login on a given BouncyCastle engine (tests inject a fixed b through it).</summary>
    /// <param name="verifier">The user's stored salt and verifier.</param>
    /// <param name="engine">A fresh, uninitialised <see cref="Srp6Server"/>.</param>
    /// <returns>The handshake.</returns>
    internal SrpServerHandshake Start(SrpVerifier verifier, Srp6Server engine)
    {
        ArgumentNullException.ThrowIfNull(verifier);
        ArgumentNullException.ThrowIfNull(engine);
        if (verifier.Salt is null || verifier.Salt.Length is 0 or > MaximumSaltLength)
        {
            throw new ArgumentException($"The stored SRP salt must have 1 to {MaximumSaltLength} bytes.", nameof(verifier));
        }

        if (verifier.Verifier is null || verifier.Verifier.Length != _group.Length || !_group.TryDecode(verifier.Verifier, out var v))
        {
            throw new ArgumentException($"The stored SRP verifier must be an element of the group in {_group.Length} bytes.", nameof(verifier));
        }

        return new SrpServerHandshake(_group, verifier.Salt, v, engine, alwaysRefuse: false);
    }

    /// <summary>
    /// Starts a login for a user name that does not exist (or has no verifier), so the answer looks like a real
    /// one: the salt is derived from the server secret and the name (the same on every call, as a real salt is),
    /// the verifier too, and B is computed from it with a fresh b (different on every call, as a real B is, and
    /// with the same work). <see cref="SrpServerHandshake.Finish"/> on it always refuses.
    /// </summary>
    /// <param name="userName">The user name that was asked for (ASCII letters are lower-cased before use).</param>
    /// <returns>A handshake that always refuses.</returns>
    public SrpServerHandshake StartUnknownUser(string userName)
    {
        var identity = EncodeIdentity(userName);
        var salt = DeriveFake(FakeSaltLabel, identity, SaltLength);

        // Reduce 16 extra bytes modulo N so the fake verifier is close to uniform; an observer never sees v,
        // and B = k·v + g^b hides it exactly as it hides a real one.
        var v = new BigInteger(1, DeriveFake(FakeVerifierLabel, identity, _group.Length + 16)).Mod(_group.N);
        if (v.SignValue == 0)
        {
            v = BigInteger.One;
        }

        return new SrpServerHandshake(_group, salt, v, new Srp6Server(), alwaysRefuse: true);
    }

    /// <summary>
    /// I as SRP hashes it: the user name with ASCII letters lower-cased (the <c>users</c> table compares names with
    /// SQLite's NOCASE, which folds ASCII only), as UTF-8. The CLI must do the same.
    /// </summary>
    /// <param name="userName">The user name as typed or stored.</param>
    /// <returns>The identity bytes.</returns>
    internal static byte[] EncodeIdentity(string userName)
    {
        ArgumentNullException.ThrowIfNull(userName);
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

    private byte[] DeriveFake(byte[] label, byte[] identity, int length)
    {
        var info = new byte[label.Length + identity.Length];
        label.CopyTo(info, 0);
        identity.CopyTo(info, label.Length);
        var output = new byte[length];
        HKDF.Expand(HashAlgorithmName.SHA256, _fakeUserKey, output, info);
        return output;
    }
}

/// <summary>
/// One SRP login attempt on the server, between <c>/auth/srp/start</c> and <c>/auth/srp/finish</c>. Single use:
/// the first <see cref="Finish"/> consumes it, whatever its outcome (one password guess per B). Keep it for a
/// short time keyed by an unguessable id; it holds b.
/// </summary>
internal sealed class SrpServerHandshake
{
    private readonly SrpGroup _group;
    private readonly Srp6Server _engine;
    private readonly BigInteger _b;
    private readonly bool _alwaysRefuse;
    private int _finished;

    /// <summary>Initialises <paramref name="engine"/> with v and computes B.</summary>
    /// <param name="group">The group and hash.</param>
    /// <param name="salt">The salt to send.</param>
    /// <param name="verifier">v, an element of the group.</param>
    /// <param name="engine">A fresh BouncyCastle server.</param>
    /// <param name="alwaysRefuse">True for an unknown user's handshake.</param>
    internal SrpServerHandshake(SrpGroup group, byte[] salt, BigInteger verifier, Srp6Server engine, bool alwaysRefuse)
    {
        _group = group;
        _engine = engine;
        _alwaysRefuse = alwaysRefuse;
        _engine.Init(group.Parameters, verifier, group.CreateDigest(), new SecureRandom());
        _b = _engine.GenerateServerCredentials();
        Salt = salt;
        B = group.Encode(_b);
    }

    /// <summary>The user's salt s, sent to the client.</summary>
    public byte[] Salt { get; }

    /// <summary>B = (k·v + g^b) mod N, big-endian, <see cref="SrpGroup.Length"/> bytes; sent to the client.</summary>
    public byte[] B { get; }

    /// <summary>
    /// Checks the client's A and M1 (M1 = H(PAD(A) | PAD(B) | PAD(S))). Malformed input is refused as a value,
    /// never thrown. On success the client has proven it knows the password; send it M2.
    /// </summary>
    /// <param name="clientA">A, big-endian unsigned, 1 to <see cref="SrpGroup.Length"/> bytes, 0 &lt; A &lt; N.</param>
    /// <param name="clientM1">M1, exactly <see cref="SrpGroup.DigestLength"/> bytes.</param>
    /// <returns>
    /// M2 = H(PAD(A) | PAD(M1) | PAD(S)) and the session key K = H(PAD(S)); or <c>invalid_request</c> for a malformed
    /// A or M1, <c>invalid_credentials</c> for a wrong M1, an unknown user or a handshake already finished.
    /// </returns>
    public Result<SrpServerProof> Finish(ReadOnlySpan<byte> clientA, ReadOnlySpan<byte> clientM1)
    {
        if (Interlocked.Exchange(ref _finished, 1) != 0)
        {
            return InvalidCredentials();
        }

        if (!_group.TryDecode(clientA, out var a))
        {
            return GreyError.Invalid(ErrorCodes.InvalidRequest, $"A must be a number 0 < A < N of at most {_group.Length} bytes");
        }

        if (clientM1.Length != _group.DigestLength)
        {
            return GreyError.Invalid(ErrorCodes.InvalidRequest, $"M1 must have {_group.DigestLength} bytes");
        }

        // A is in (0, N), so BouncyCastle's own check (A mod N != 0) cannot throw here.
        var s = _engine.CalculateSecret(a);
        var expected = _group.EncodeDigest(Srp6Utilities.CalculateM1(_group.CreateDigest(), _group.N, a, _b, s));

        // Constant-time comparison first (BouncyCastle compares BigIntegers); the fake path does the same work.
        var matches = CryptographicOperations.FixedTimeEquals(expected, clientM1);
        if (!matches || _alwaysRefuse || !_engine.VerifyClientEvidenceMessage(new BigInteger(1, clientM1.ToArray())))
        {
            return InvalidCredentials();
        }

        var m2 = _engine.CalculateServerEvidenceMessage();
        var key = _engine.CalculateSessionKey();
        return new SrpServerProof(_group.EncodeDigest(m2), _group.EncodeDigest(key));
    }

    private static GreyError InvalidCredentials() =>
        GreyError.Unauthenticated(ErrorCodes.InvalidCredentials, "the user name or password is wrong");
}

/// <summary>What the node stores per user for SRP: the salt and the verifier v = g^x mod N.</summary>
/// <param name="Salt">The salt s (32 random bytes for new verifiers).</param>
/// <param name="Verifier">v, big-endian unsigned, <see cref="SrpGroup.Length"/> bytes.</param>
internal sealed record SrpVerifier(byte[] Salt, byte[] Verifier);

/// <summary>The server's side of a successful login.</summary>
/// <param name="M2">The server's evidence H(PAD(A) | PAD(M1) | PAD(S)), <see cref="SrpGroup.DigestLength"/> bytes; send to the client.</param>
/// <param name="SessionKey">K = H(PAD(S)), <see cref="SrpGroup.DigestLength"/> bytes; equal to the client's. Never sent.</param>
internal sealed record SrpServerProof(byte[] M2, byte[] SessionKey);

/// <summary>An SRP group (N, g) with its hash H, and the fixed-length encodings of its values.</summary>
internal sealed class SrpGroup
{
    private readonly Func<IDigest> _createDigest;

    private SrpGroup(Srp6GroupParameters parameters, Func<IDigest> createDigest)
    {
        Parameters = parameters;
        _createDigest = createDigest;
        Length = (parameters.N.BitLength + 7) / 8;
        DigestLength = createDigest().GetDigestSize();
    }

    /// <summary>RFC 5054 Appendix A's 3072-bit group with SHA-256: what GreyOS uses.</summary>
    public static SrpGroup Rfc5054Group3072Sha256 { get; } = new(Srp6StandardGroups.rfc5054_3072, static () => new Sha256Digest());

    /// <summary>RFC 5054 Appendix A's 1024-bit group with SHA-1: only for RFC 5054 Appendix B's test vectors.</summary>
    public static SrpGroup Rfc5054Group1024Sha1 { get; } = new(Srp6StandardGroups.rfc5054_1024, static () => new Sha1Digest());

    /// <summary>N and g.</summary>
    public Srp6GroupParameters Parameters { get; }

    /// <summary>The safe prime N.</summary>
    public BigInteger N => Parameters.N;

    /// <summary>Length of N in bytes: the length of A, B and v on the wire (384 for the 3072-bit group).</summary>
    public int Length { get; }

    /// <summary>Length of H's output in bytes: the length of M1, M2 and K (32 for SHA-256).</summary>
    public int DigestLength { get; }

    /// <summary>A new instance of H (BouncyCastle digests are stateful).</summary>
    /// <returns>The digest.</returns>
    public IDigest CreateDigest() => _createDigest();

    /// <summary>Big-endian unsigned, left-padded to <see cref="Length"/> bytes.</summary>
    /// <param name="value">A number below N.</param>
    /// <returns>The bytes.</returns>
    public byte[] Encode(BigInteger value) => BigIntegers.AsUnsignedByteArray(Length, value);

    /// <summary>Big-endian unsigned, left-padded to <see cref="DigestLength"/> bytes.</summary>
    /// <param name="value">A hash output taken as a number.</param>
    /// <returns>The bytes.</returns>
    public byte[] EncodeDigest(BigInteger value) => BigIntegers.AsUnsignedByteArray(DigestLength, value);

    /// <summary>Decodes a public value (A, B, v): 1 to <see cref="Length"/> bytes, big-endian unsigned, 0 &lt; value &lt; N.</summary>
    /// <param name="bytes">The received bytes.</param>
    /// <param name="value">The number, when valid.</param>
    /// <returns>False for empty, oversized, zero or ≥ N (which includes A mod N = 0).</returns>
    public bool TryDecode(ReadOnlySpan<byte> bytes, [NotNullWhen(true)] out BigInteger? value)
    {
        value = null;
        if (bytes.IsEmpty || bytes.Length > Length)
        {
            return false;
        }

        var candidate = new BigInteger(1, bytes.ToArray());
        if (candidate.SignValue <= 0 || candidate.CompareTo(N) >= 0)
        {
            return false;
        }

        value = candidate;
        return true;
    }
}
