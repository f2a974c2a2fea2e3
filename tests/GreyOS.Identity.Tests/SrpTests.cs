using GreyOS.Abstractions.Errors;
using GreyOS.Client.Srp;
using GreyOS.Identity.Srp;
using Org.BouncyCastle.Crypto.Agreement.Srp;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Utilities;

namespace GreyOS.Identity.Tests;

public sealed class SrpTests
{
    private const string Password = "correct-horse-battery";

    // RFC 5054 Appendix B (1024-bit group of Appendix A, SHA-1), in the RFC's own grouping.
    private const string VectorI = "alice";
    private const string VectorP = "password123";
    private const string VectorS = "BEB25379 D1A8581E B5A72767 3A2441EE";
    private const string VectorK = "7556AA04 5AEF2CDD 07ABAF0F 665C3E81 8913186F";
    private const string VectorX = "94B7555A ABE9127C C58CCF49 93DB6CF8 4D16C124";
    private const string VectorV =
        "7E273DE8 696FFC4F 4E337D05 B4B375BE B0DDE156 9E8FA00A 9886D812" +
        "9BADA1F1 822223CA 1A605B53 0E379BA4 729FDC59 F105B478 7E5186F5" +
        "C671085A 1447B52A 48CF1970 B4FB6F84 00BBF4CE BFBB1681 52E08AB5" +
        "EA53D15C 1AFF87B2 B9DA6E04 E058AD51 CC72BFC9 033B564E 26480D78" +
        "E955A5E2 9E7AB245 DB2BE315 E2099AFB";
    private const string VectorPrivateA = "60975527 035CF2AD 1989806F 0407210B C81EDC04 E2762A56 AFD529DD DA2D4393";
    private const string VectorPrivateB = "E487CB59 D31AC550 471E81F0 0F6928E0 1DDA08E9 74A004F4 9E61F5D1 05284D20";
    private const string VectorA =
        "61D5E490 F6F1B795 47B0704C 436F523D D0E560F0 C64115BB 72557EC4" +
        "4352E890 3211C046 92272D8B 2D1A5358 A2CF1B6E 0BFCF99F 921530EC" +
        "8E393561 79EAE45E 42BA92AE ACED8251 71E1E8B9 AF6D9C03 E1327F44" +
        "BE087EF0 6530E69F 66615261 EEF54073 CA11CF58 58F0EDFD FE15EFEA" +
        "B349EF5D 76988A36 72FAC47B 0769447B";
    private const string VectorB =
        "BD0C6151 2C692C0C B6D041FA 01BB152D 4916A1E7 7AF46AE1 05393011" +
        "BAF38964 DC46A067 0DD125B9 5A981652 236F99D9 B681CBF8 7837EC99" +
        "6C6DA044 53728610 D0C6DDB5 8B318885 D7D82C7F 8DEB75CE 7BD4FBAA" +
        "37089E6F 9C6059F3 88838E7A 00030B33 1EB76840 910440B1 B27AAEAE" +
        "EB4012B7 D7665238 A8E3FB00 4B117B58";
    private const string VectorU = "CE38B959 3487DA98 554ED47D 70A7AE5F 462EF019";
    private const string VectorPremasterSecret =
        "B0DC82BA BCF30674 AE450C02 87745E79 90A3381F 63B387AA F271A10D" +
        "233861E3 59B48220 F7C4693C 9AE12B0A 6F67809F 0876E2D0 13800D6C" +
        "41BB59B6 D5979B5C 00A172B4 A2A5903A 0BDCAF8A 709585EB 2AFAFA8F" +
        "3499B200 210DCC1F 10EB3394 3CD67FC8 8A2F39A4 BE5BEC4E C0A3212D" +
        "C346D7E4 74B29EDE 8A469FFE CA686E5A";

    private static readonly byte[] Secret = [.. Enumerable.Range(1, 32).Select(i => (byte)i)];

    [Fact]
    public void BouncyCastleSrp6_Rfc5054AppendixB_ReproducesKXVUABAndPremasterSecret()
    {
        var group = Srp6StandardGroups.rfc5054_1024;
        var identity = "alice"u8.ToArray();
        var password = "password123"u8.ToArray();
        var salt = Bytes(VectorS);

        Assert.Equal(Number(VectorK), Srp6Utilities.CalculateK(new Sha1Digest(), group.N, group.G));
        Assert.Equal(Number(VectorX), Srp6Utilities.CalculateX(new Sha1Digest(), group.N, salt, identity, password));

        var generator = new Srp6VerifierGenerator();
        generator.Init(group, new Sha1Digest());
        var v = generator.GenerateVerifier(salt, identity, password);
        Assert.Equal(Number(VectorV), v);

        var client = new FixedSrp6Client(Number(VectorPrivateA));
        client.Init(group, new Sha1Digest(), new Org.BouncyCastle.Security.SecureRandom());
        var a = client.GenerateClientCredentials(salt, identity, password);
        Assert.Equal(Number(VectorA), a);

        var server = new FixedSrp6Server(Number(VectorPrivateB));
        server.Init(group, v, new Sha1Digest(), new Org.BouncyCastle.Security.SecureRandom());
        var b = server.GenerateServerCredentials();
        Assert.Equal(Number(VectorB), b);

        Assert.Equal(Number(VectorU), Srp6Utilities.CalculateU(new Sha1Digest(), group.N, a, b));
        Assert.Equal(Number(VectorPremasterSecret), client.CalculateSecret(b));
        Assert.Equal(Number(VectorPremasterSecret), server.CalculateSecret(a));
    }

    [Fact]
    public void CreateVerifier_Rfc5054AppendixB_ReproducesV()
    {
        var server = new SrpServer(SrpGroup.Rfc5054Group1024Sha1, Secret);

        var verifier = server.CreateVerifier(VectorI, VectorP, Bytes(VectorS));

        Assert.Equal(Bytes(VectorS), verifier.Salt);
        Assert.Equal(Bytes(VectorV), verifier.Verifier);
    }

    [Fact]
    public void Start_Rfc5054AppendixBWithFixedB_SendsBAndAcceptsEvidenceOfPremasterSecret()
    {
        var server = new SrpServer(SrpGroup.Rfc5054Group1024Sha1, Secret);
        var handshake = server.Start(new SrpVerifier(Bytes(VectorS), Bytes(VectorV)), new FixedSrp6Server(Number(VectorPrivateB)));
        var (m1, m2, key) = EvidenceFromVectors();

        Assert.Equal(Bytes(VectorB), handshake.B);
        var result = handshake.Finish(Bytes(VectorA), m1);

        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal(m2, result.Value.M2);
        Assert.Equal(key, result.Value.SessionKey);
    }

    [Fact]
    public void Respond_Rfc5054AppendixBWithFixedA_SendsAAndEvidenceOfPremasterSecret()
    {
        var (m1, m2, key) = EvidenceFromVectors();

        var client = SrpClient.Respond(
            Srp6StandardGroups.rfc5054_1024, static () => new Sha1Digest(), new FixedSrp6Client(Number(VectorPrivateA)),
            VectorI, VectorP, Bytes(VectorS), Bytes(VectorB));

        Assert.NotNull(client);
        Assert.Equal(Bytes(VectorA), client.A);
        Assert.Equal(m1, client.M1);
        Assert.True(client.TryVerifyServer(m2, out var clientKey));
        Assert.Equal(key, clientKey);
    }

    [Fact]
    public void Login_RightPassword_BothSidesAgreeOnSessionKey()
    {
        var server = new SrpServer(Secret);
        var verifier = server.CreateVerifier("alice", Password);
        var handshake = server.Start(verifier);

        var client = SrpClient.Respond("alice", Password, handshake.Salt, handshake.B);
        Assert.NotNull(client);
        var result = handshake.Finish(client.A, client.M1);

        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.True(client.TryVerifyServer(result.Value.M2, out var clientKey));
        Assert.Equal(result.Value.SessionKey, clientKey);
        Assert.Equal(SrpClient.EvidenceLength, clientKey.Length);
    }

    [Fact]
    public void Login_UserNameInOtherAsciiCase_Succeeds()
    {
        var server = new SrpServer(Secret);
        var handshake = server.Start(server.CreateVerifier("Alice", Password));

        var client = SrpClient.Respond("ALICE", Password, handshake.Salt, handshake.B);

        Assert.True(handshake.Finish(client!.A, client.M1).IsSuccess);
    }

    [Fact]
    public void Login_WrongPassword_M1RefusedAsInvalidCredentials()
    {
        var server = new SrpServer(Secret);
        var handshake = server.Start(server.CreateVerifier("alice", Password));

        var client = SrpClient.Respond("alice", "correct-horse-batterz", handshake.Salt, handshake.B);
        var result = handshake.Finish(client!.A, client.M1);

        Assert.Equal(ErrorCodes.InvalidCredentials, result.Error?.Code);
    }

    [Fact]
    public void Finish_SecondTimeWithRightEvidence_Refused()
    {
        var server = new SrpServer(Secret);
        var handshake = server.Start(server.CreateVerifier("alice", Password));
        var client = SrpClient.Respond("alice", Password, handshake.Salt, handshake.B)!;

        Assert.Equal(ErrorCodes.InvalidCredentials, handshake.Finish(client.A, new byte[SrpClient.EvidenceLength]).Error?.Code);
        Assert.Equal(ErrorCodes.InvalidCredentials, handshake.Finish(client.A, client.M1).Error?.Code);
    }

    [Theory]
    [InlineData("empty")]
    [InlineData("zero")]
    [InlineData("zero, padded")]
    [InlineData("N")]
    [InlineData("above N")]
    [InlineData("oversized")]
    [InlineData("oversized with leading zero")]
    public void Finish_MalformedA_RefusedAsInvalidRequestWithoutException(string kind)
    {
        var server = new SrpServer(Secret);
        var handshake = server.Start(server.CreateVerifier("alice", Password));
        var client = SrpClient.Respond("alice", Password, handshake.Salt, handshake.B)!;

        var result = handshake.Finish(MalformedPublicValue(kind, client.A), client.M1);

        Assert.Equal(ErrorCodes.InvalidRequest, result.Error?.Code);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    [InlineData(33)]
    [InlineData(4096)]
    public void Finish_M1OfWrongLength_RefusedAsInvalidRequest(int length)
    {
        var server = new SrpServer(Secret);
        var handshake = server.Start(server.CreateVerifier("alice", Password));
        var client = SrpClient.Respond("alice", Password, handshake.Salt, handshake.B)!;

        Assert.Equal(ErrorCodes.InvalidRequest, handshake.Finish(client.A, new byte[length]).Error?.Code);
    }

    [Theory]
    [InlineData("empty")]
    [InlineData("zero")]
    [InlineData("zero, padded")]
    [InlineData("N")]
    [InlineData("above N")]
    [InlineData("oversized")]
    public void Respond_MalformedB_ReturnsNull(string kind)
    {
        var server = new SrpServer(Secret);
        var handshake = server.Start(server.CreateVerifier("alice", Password));

        Assert.Null(SrpClient.Respond("alice", Password, handshake.Salt, MalformedPublicValue(kind, handshake.B)));
    }

    [Fact]
    public void Respond_EmptySalt_ReturnsNull()
    {
        var server = new SrpServer(Secret);
        var handshake = server.Start(server.CreateVerifier("alice", Password));

        Assert.Null(SrpClient.Respond("alice", Password, [], handshake.B));
    }

    [Fact]
    public void TryVerifyServer_TamperedOrMalformedM2_ReturnsFalse()
    {
        var server = new SrpServer(Secret);
        var handshake = server.Start(server.CreateVerifier("alice", Password));
        var client = SrpClient.Respond("alice", Password, handshake.Salt, handshake.B)!;
        var m2 = handshake.Finish(client.A, client.M1).Value.M2;

        var tampered = (byte[])m2.Clone();
        tampered[^1] ^= 1;

        Assert.False(client.TryVerifyServer(tampered, out var key));
        Assert.Null(key);
        Assert.False(client.TryVerifyServer(m2.AsSpan(1), out _));
        Assert.True(client.TryVerifyServer(m2, out _));
    }

    [Fact]
    public void StartUnknownUser_SameNameTwice_SameSaltFreshB()
    {
        var server = new SrpServer(Secret);

        var first = server.StartUnknownUser("nobody");
        var second = new SrpServer(Secret).StartUnknownUser("NoBody");

        Assert.Equal(first.Salt, second.Salt);
        Assert.NotEqual(first.B, second.B); // a real user's B is fresh on every attempt too
    }

    [Fact]
    public void StartUnknownUser_OtherNameOrSecret_OtherSalt()
    {
        var salt = new SrpServer(Secret).StartUnknownUser("nobody").Salt;

        Assert.NotEqual(salt, new SrpServer(Secret).StartUnknownUser("somebody").Salt);
        Assert.NotEqual(salt, new SrpServer([.. Enumerable.Range(101, 32).Select(i => (byte)i)]).StartUnknownUser("nobody").Salt);
    }

    [Fact]
    public void StartUnknownUser_ComparedWithRealUser_SameShape()
    {
        var server = new SrpServer(Secret);
        var real = server.Start(server.CreateVerifier("alice", Password));

        var fake = server.StartUnknownUser("nobody");

        Assert.Equal(real.Salt.Length, fake.Salt.Length);
        Assert.Equal(SrpServer.SaltLength, fake.Salt.Length);
        Assert.Equal(real.B.Length, fake.B.Length);
        Assert.Equal(SrpClient.PublicValueLength, fake.B.Length);
        Assert.NotNull(SrpClient.Respond("nobody", Password, fake.Salt, fake.B)); // a valid B to the client
    }

    [Fact]
    public void StartUnknownUser_AnyPassword_RefusedLikeWrongPassword()
    {
        var server = new SrpServer(Secret);
        var fake = server.StartUnknownUser("nobody");
        var real = server.Start(server.CreateVerifier("alice", Password));

        var fakeClient = SrpClient.Respond("nobody", Password, fake.Salt, fake.B)!;
        var wrongClient = SrpClient.Respond("alice", "correct-horse-batterz", real.Salt, real.B)!;

        Assert.Equal(real.Finish(wrongClient.A, wrongClient.M1).Error, fake.Finish(fakeClient.A, fakeClient.M1).Error);
    }

    [Fact]
    public void CreateVerifier_SamePasswordTwice_FreshSaltsAndVerifiersOfGroupLength()
    {
        var server = new SrpServer(Secret);

        var first = server.CreateVerifier("alice", Password);
        var second = server.CreateVerifier("alice", Password);

        Assert.NotEqual(first.Salt, second.Salt);
        Assert.NotEqual(first.Verifier, second.Verifier);
        Assert.Equal(SrpServer.SaltLength, first.Salt.Length);
        Assert.Equal(SrpGroup.Rfc5054Group3072Sha256.Length, first.Verifier.Length);
    }

    [Fact]
    public void Group_Production_Is3072BitSha256MatchingClientLengths()
    {
        var group = new SrpServer(Secret).Group;

        Assert.Same(SrpGroup.Rfc5054Group3072Sha256, group);
        Assert.Equal(Srp6StandardGroups.rfc5054_3072.N, group.N);
        Assert.Equal(3072, group.N.BitLength);
        Assert.Equal(SrpClient.PublicValueLength, group.Length);
        Assert.Equal(SrpClient.EvidenceLength, group.DigestLength);
    }

    [Fact]
    public void Start_MalformedStoredVerifier_Throws()
    {
        var server = new SrpServer(Secret);

        Assert.Throws<ArgumentException>(() => server.Start(new SrpVerifier(new byte[32], new byte[384])));
        Assert.Throws<ArgumentException>(() => server.Start(new SrpVerifier([], server.CreateVerifier("alice", Password).Verifier)));
    }

    [Fact]
    public void Constructor_ShortSecret_Throws()
    {
        Assert.Throws<ArgumentException>(() => new SrpServer(new byte[31]));
    }

    private static byte[] MalformedPublicValue(string kind, byte[] valid)
    {
        var n = BigIntegers.AsUnsignedByteArray(SrpClient.PublicValueLength, Srp6StandardGroups.rfc5054_3072.N);
        return kind switch
        {
            "empty" => [],
            "zero" => [0],
            "zero, padded" => new byte[SrpClient.PublicValueLength],
            "N" => n,
            "above N" => [.. Enumerable.Repeat((byte)0xFF, SrpClient.PublicValueLength)],
            "oversized" => [1, .. new byte[SrpClient.PublicValueLength]],
            "oversized with leading zero" => [0, .. valid],
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
    }

    /// <summary>M1, M2 and K of the RFC 5054 vectors, by BouncyCastle's formulas (the RFC gives none).</summary>
    private static (byte[] M1, byte[] M2, byte[] Key) EvidenceFromVectors()
    {
        var n = Srp6StandardGroups.rfc5054_1024.N;
        var s = Number(VectorPremasterSecret);
        var m1 = Srp6Utilities.CalculateM1(new Sha1Digest(), n, Number(VectorA), Number(VectorB), s);
        var m2 = Srp6Utilities.CalculateM2(new Sha1Digest(), n, Number(VectorA), m1, s);
        var key = Srp6Utilities.CalculateKey(new Sha1Digest(), n, s);
        return (BigIntegers.AsUnsignedByteArray(20, m1), BigIntegers.AsUnsignedByteArray(20, m2), BigIntegers.AsUnsignedByteArray(20, key));
    }

    private static byte[] Bytes(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));

    private static BigInteger Number(string hex) => new(1, Bytes(hex));

    private sealed class FixedSrp6Client(BigInteger privateA) : Srp6Client
    {
        protected override BigInteger SelectPrivateValue() => privateA;
    }

    private sealed class FixedSrp6Server(BigInteger privateB) : Srp6Server
    {
        protected override BigInteger SelectPrivateValue() => privateB;
    }
}
