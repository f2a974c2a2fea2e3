using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using GreyOS.Identity.Signatures;
using GreyOS.Protocol.Signatures;

namespace GreyOS.Identity.Tests;

public sealed class HttpSignaturesTests
{
    // RFC 9421 Appendix B.1.4 "Example Ed25519 Test Key" test-key-ed25519: JWK "x"/"d" (base64url)
    // and the base64 bodies of its PEM SubjectPublicKeyInfo / PKCS#8 forms.
    private const string TestKeyEd25519JwkX = "JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs";
    private const string TestKeyEd25519JwkD = "n4Ni-HpISpVObnQMW0wOhCKROaIKqKtW_2ZYb2p9KcU";
    private const string TestKeyEd25519PublicPem = "MCowBQYDK2VwAyEAJrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs=";
    private const string TestKeyEd25519PrivatePem = "MC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF";

    // RFC 9421 Appendix B.2.6 "Signing a Request Using ed25519" (RFC 8792 line wrapping undone).
    private const string B26SignatureInput =
        "sig-b26=(\"date\" \"@method\" \"@path\" \"@authority\" \"content-type\" \"content-length\");created=1618884473;keyid=\"test-key-ed25519\"";

    private const string B26Signature =
        "sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==:";

    private static readonly string B26SignatureBase = string.Join('\n',
        "\"date\": Tue, 20 Apr 2021 02:07:55 GMT",
        "\"@method\": POST",
        "\"@path\": /foo",
        "\"@authority\": example.com",
        "\"content-type\": application/json",
        "\"content-length\": 18",
        "\"@signature-params\": (\"date\" \"@method\" \"@path\" \"@authority\" \"content-type\" \"content-length\");created=1618884473;keyid=\"test-key-ed25519\"");

    // RFC 9421 Appendix B.2.3 "Full Coverage using rsa-pss-sha512": only the base (RSA-PSS is randomized).
    private static readonly string B23SignatureBase = string.Join('\n',
        "\"date\": Tue, 20 Apr 2021 02:07:55 GMT",
        "\"@method\": POST",
        "\"@path\": /foo",
        "\"@query\": ?param=Value&Pet=dog",
        "\"@authority\": example.com",
        "\"content-type\": application/json",
        "\"content-digest\": sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:",
        "\"content-length\": 18",
        "\"@signature-params\": (\"date\" \"@method\" \"@path\" \"@query\" \"@authority\" \"content-type\" \"content-digest\" \"content-length\");created=1618884473;keyid=\"test-key-rsa-pss\"");

    // The body of the RFC 9421 Appendix B.2 test-request.
    private static readonly byte[] TestBody = Encoding.ASCII.GetBytes("{\"hello\": \"world\"}");

    // The header fields of the RFC 9421 Appendix B.2 test-request:
    // POST /foo?param=Value&Pet=dog HTTP/1.1
    private static readonly KeyValuePair<string, string>[] TestRequestHeaders =
    [
        new("Host", "example.com"),
        new("Date", "Tue, 20 Apr 2021 02:07:55 GMT"),
        new("Content-Type", "application/json"),
        new("Content-Digest", "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:"),
        new("Content-Length", "18"),
    ];

    private static readonly string[] B26Components = ["date", "@method", "@path", "@authority", "content-type", "content-length"];

    [Fact]
    public void BuildSignatureBase_Rfc9421B26Parameters_ReproducesPublishedBase()
    {
        var parameters = new SignatureParameters(B26Components, 1618884473, Nonce: null, KeyId: "test-key-ed25519", Alg: null);

        Assert.Equal(B26SignatureBase, HttpSignatures.BuildSignatureBase(TestRequest(), parameters));
        Assert.Equal(B26SignatureInput, HttpSignatures.FormatSignatureInput("sig-b26", parameters));
    }

    [Fact]
    public void TryParseSignatureInput_Rfc9421B26Header_YieldsParametersOfThePublishedBase()
    {
        Assert.True(HttpSignatures.TryParseSignatureInput(B26SignatureInput, out var signatures, out var reason), reason);

        var parameters = Assert.Single(signatures, pair => pair.Key == "sig-b26").Value;
        Assert.Equal(B26Components, parameters.Components);
        Assert.Equal(1618884473, parameters.Created);
        Assert.Equal("test-key-ed25519", parameters.KeyId);
        Assert.Null(parameters.Nonce);
        Assert.Null(parameters.Alg);
        Assert.Null(parameters.Expires);
        Assert.True(HttpSignatures.TryBuildSignatureBase(TestRequest(), parameters, out var signatureBase, out reason), reason);
        Assert.Equal(B26SignatureBase, signatureBase);
    }

    [Fact]
    public void Verify_Rfc9421B26PublishedSignature_True()
    {
        Assert.True(HttpSignatures.TryParseSignature(B26Signature, out var signatures, out var reason), reason);
        var signature = signatures["sig-b26"];

        Assert.Equal(Ed25519Signer.SignatureSize, signature.Length);
        Assert.True(Ed25519Signer.Verify(Base64Url.DecodeFromChars(TestKeyEd25519JwkX), Encoding.UTF8.GetBytes(B26SignatureBase), signature));
    }

    [Fact]
    public void TrySign_Rfc9421B26BaseWithTestKey_ReproducesPublishedSignature()
    {
        Assert.True(Ed25519Signer.TrySign(Base64Url.DecodeFromChars(TestKeyEd25519JwkD), Encoding.UTF8.GetBytes(B26SignatureBase), out var signature));

        Assert.Equal(B26Signature, HttpSignatures.FormatSignature("sig-b26", signature));
    }

    [Fact]
    public void TestKeyEd25519_PemAndJwkForms_DescribeOneKeyPair()
    {
        var x = Base64Url.DecodeFromChars(TestKeyEd25519JwkX);
        var d = Base64Url.DecodeFromChars(TestKeyEd25519JwkD);

        Assert.Equal(x, Convert.FromBase64String(TestKeyEd25519PublicPem)[^32..]);
        Assert.Equal(d, Convert.FromBase64String(TestKeyEd25519PrivatePem)[^32..]);
        Assert.True(Ed25519Signer.TryGetPublicKey(d, out var publicKey));
        Assert.Equal(x, publicKey);
    }

    [Fact]
    public void Verify_TamperedBase_False()
    {
        var publicKey = Base64Url.DecodeFromChars(TestKeyEd25519JwkX);
        Assert.True(HttpSignatures.TryParseSignature(B26Signature, out var signatures, out var reason), reason);
        var tampered = Encoding.UTF8.GetBytes(B26SignatureBase.Replace("POST", "PUT", StringComparison.Ordinal));

        Assert.False(Ed25519Signer.Verify(publicKey, tampered, signatures["sig-b26"]));
    }

    [Fact]
    public void Verify_TamperedSignatureOrOtherKey_False()
    {
        var data = Encoding.UTF8.GetBytes(B26SignatureBase);
        Assert.True(HttpSignatures.TryParseSignature(B26Signature, out var signatures, out var reason), reason);
        var flipped = (byte[])signatures["sig-b26"].Clone();
        flipped[10] ^= 1;
        var otherKey = new byte[32];
        otherKey[0] = 1;
        Assert.True(Ed25519Signer.TryGetPublicKey(otherKey, out var otherPublicKey));

        Assert.False(Ed25519Signer.Verify(Base64Url.DecodeFromChars(TestKeyEd25519JwkX), data, flipped));
        Assert.False(Ed25519Signer.Verify(otherPublicKey, data, signatures["sig-b26"]));
    }

    [Theory]
    [InlineData(31, 64)]
    [InlineData(33, 64)]
    [InlineData(0, 64)]
    [InlineData(32, 63)]
    [InlineData(32, 65)]
    [InlineData(32, 0)]
    public void Verify_WrongKeyOrSignatureLength_FalseWithoutThrowing(int keyLength, int signatureLength)
    {
        Assert.False(Ed25519Signer.Verify(new byte[keyLength], "data"u8, new byte[signatureLength]));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    [InlineData(64)]
    public void TrySign_WrongSeedLength_FalseWithoutThrowing(int seedLength)
    {
        Assert.False(Ed25519Signer.TrySign(new byte[seedLength], "data"u8, out var signature));
        Assert.Null(signature);
        Assert.False(Ed25519Signer.TryGetPublicKey(new byte[seedLength], out _));
    }

    [Fact]
    public void BuildSignatureBase_Rfc9421B23FullCoverage_ReproducesPublishedBase()
    {
        var parameters = new SignatureParameters(
            ["date", "@method", "@path", "@query", "@authority", "content-type", "content-digest", "content-length"],
            1618884473, Nonce: null, KeyId: "test-key-rsa-pss", Alg: null);

        Assert.Equal(B23SignatureBase, HttpSignatures.BuildSignatureBase(TestRequest(), parameters));
    }

    [Fact]
    public void TryParseSignatureInput_Rfc9421B21ParameterOrder_KeptInTheBase()
    {
        // B.2.1 "Minimal Signature Using rsa-pss-sha512": keyid before nonce, no covered components.
        const string input = "sig-b21=();created=1618884473;keyid=\"test-key-rsa-pss\";nonce=\"b3k2pp5k7z-50gnwp.yemd\"";
        Assert.True(HttpSignatures.TryParseSignatureInput(input, out var signatures, out var reason), reason);

        var parameters = signatures["sig-b21"];

        Assert.Empty(parameters.Components);
        Assert.Equal(
            "\"@signature-params\": ();created=1618884473;keyid=\"test-key-rsa-pss\";nonce=\"b3k2pp5k7z-50gnwp.yemd\"",
            HttpSignatures.BuildSignatureBase(TestRequest(), parameters));
        Assert.Equal(input, HttpSignatures.FormatSignatureInput("sig-b21", parameters));
    }

    [Fact]
    public void TryParseSignatureInput_NonCanonicalWhitespace_BaseUsesReceivedTextUntilChanged()
    {
        const string received = "( \"@method\"  \"@path\" );created=01618884473; keyid=\"k\"";
        Assert.True(HttpSignatures.TryParseSignatureInput("sig=" + received, out var signatures, out var reason), reason);
        var parameters = signatures["sig"];

        Assert.Equal(received, parameters.Serialize());
        Assert.EndsWith("\"@signature-params\": " + received, HttpSignatures.BuildSignatureBase(TestRequest(), parameters), StringComparison.Ordinal);
        Assert.Equal("(\"@method\" \"@path\");created=1618884473;keyid=\"other\"", (parameters with { KeyId = "other" }).Serialize());
        Assert.Equal(new SignatureParameters(["@method", "@path"], 1618884473, null, "k", null), parameters);
    }

    [Fact]
    public void TryParseSignatureInput_SeveralLabelsWithOws_ParsesEach()
    {
        const string input = "a=(\"@method\");created=1 ,\tb=(\"@path\" \"date\");created=2;expires=3;alg=\"ed25519\";tag=\"t\"";

        Assert.True(HttpSignatures.TryParseSignatureInput(input, out var signatures, out var reason), reason);

        Assert.Equal(2, signatures.Count);
        Assert.Equal("@method", Assert.Single(signatures["a"].Components));
        var b = signatures["b"];
        Assert.Equal("@path date", string.Join(' ', b.Components));
        Assert.Equal((2L, 3L, "ed25519", "t"), (b.Created, b.Expires!.Value, b.Alg, b.Tag));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("sig=(\"@method\");keyid=\"k\"")] // created missing
    [InlineData("sig=(\"@method\");created=1618884473;keyid=\"k")] // unterminated string
    [InlineData("sig=(\"@method);created=1618884473")] // bad quoting in the list
    [InlineData("sig=(@method);created=1618884473")] // component not quoted
    [InlineData("sig=(\"@method\");created=1618884473;keyid=k")] // token, not a string
    [InlineData("sig=(\"@method\");created=1618884473;keyid='k'")]
    [InlineData("sig=(\"@method\");created=\"1618884473\"")] // created is a string
    [InlineData("sig=(\"@method\");created=1618884473.5")] // created is a decimal
    [InlineData("sig=(\"@method\");created=-1")]
    [InlineData("sig=(\"@method\");created=1234567890123456")] // 16 digits
    [InlineData("sig=(\"@method\");created")] // boolean parameter
    [InlineData("sig=(\"@method\");created=1;expires=soon")]
    [InlineData("sig=(\"@method\");created=1;created=2")] // repeated parameter
    [InlineData("sig=(\"@method\");created=1;foo=\"x\"")] // unknown parameter
    [InlineData("sig=(\"@method\");created=1;keyid=\"a\\x\"")] // invalid escape
    [InlineData("sig=(\"@method\");created=1;keyid=\"caf\u00e9\"")] // not ASCII
    [InlineData("sig=(\"@query-param\";name=\"Pet\");created=1")] // component parameters
    [InlineData("sig=(\"@status\");created=1")] // unsupported derived component
    [InlineData("sig=(\"@signature-params\");created=1")]
    [InlineData("sig=(\"Content-Type\");created=1")] // not lowercase
    [InlineData("sig=(\"\");created=1")]
    [InlineData("sig=(\"@method\"\"@path\");created=1")] // no space between items
    [InlineData("sig=(\"@method\"\t\"@path\");created=1")] // only SP inside inner lists
    [InlineData("sig=(\"@method\";created=1")] // list not closed
    [InlineData("sig=(\"@method\")created=1")]
    [InlineData("sig=(\"@method\");created=1 junk")]
    [InlineData("sig=(\"@method\");created=1,")] // trailing comma
    [InlineData("sig=(\"@method\");created=1, sig=(\"@path\");created=2")] // repeated label
    [InlineData("Sig=(\"@method\");created=1")] // label not lowercase
    [InlineData("1sig=(\"@method\");created=1")]
    [InlineData("sig")] // no value
    [InlineData("sig=?1")] // not an inner list
    [InlineData("sig=\"@method\";created=1")]
    [InlineData("sig=:AAAA:")]
    public void TryParseSignatureInput_Malformed_FalseWithReason(string? value)
    {
        Assert.False(HttpSignatures.TryParseSignatureInput(value, out var signatures, out var reason));
        Assert.Null(signatures);
        Assert.False(string.IsNullOrWhiteSpace(reason));
    }

    [Fact]
    public void TryParseSignatureInput_NineLabels_False()
    {
        var eight = string.Join(", ", Enumerable.Range(0, 8).Select(i => $"s{i}=(\"@method\");created=1"));

        Assert.True(HttpSignatures.TryParseSignatureInput(eight, out _, out var reason), reason);
        Assert.False(HttpSignatures.TryParseSignatureInput(eight + ", s8=(\"@method\");created=1", out _, out reason));
        Assert.Contains("8", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParseSignatureInput_HeaderOver8KiB_False()
    {
        var huge = "sig=(\"@method\");created=1;keyid=\"" + new string('a', HttpSignatures.MaxHeaderLength) + "\"";

        Assert.False(HttpSignatures.TryParseSignatureInput(huge, out _, out var reason));
        Assert.Contains("longer", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParseSignatureInput_TooManyComponents_False()
    {
        var components = string.Join(' ', Enumerable.Range(0, HttpSignatures.MaxComponents + 1).Select(i => $"\"x-h{i}\""));

        Assert.False(HttpSignatures.TryParseSignatureInput($"sig=({components});created=1", out _, out _));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("sig=:AAA:")] // not padded
    [InlineData("sig=::")] // empty
    [InlineData("sig=:AA AA:")]
    [InlineData("sig=:AA$A:")]
    [InlineData("sig=:AAAA")] // not terminated
    [InlineData("sig=AAAA")] // not a byte sequence
    [InlineData("sig=:AAAA:;x=1")] // parameters
    [InlineData("sig=:AAAA:, sig=:AAAA:")]
    [InlineData("sig=:A===:")]
    public void TryParseSignature_Malformed_FalseWithReason(string? value)
    {
        Assert.False(HttpSignatures.TryParseSignature(value, out var signatures, out var reason));
        Assert.Null(signatures);
        Assert.False(string.IsNullOrWhiteSpace(reason));
    }

    [Fact]
    public void TryBuildSignatureBase_CoveredHeaderMissing_False()
    {
        var parameters = new SignatureParameters(["@method", "x-missing"], 1, null, null, null);

        Assert.False(HttpSignatures.TryBuildSignatureBase(TestRequest(), parameters, out var signatureBase, out var reason));
        Assert.Null(signatureBase);
        Assert.Contains("x-missing", reason, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => HttpSignatures.BuildSignatureBase(TestRequest(), parameters));
    }

    [Fact]
    public void TryBuildSignatureBase_ComponentCoveredTwice_False()
    {
        Assert.True(HttpSignatures.TryParseSignatureInput("sig=(\"@method\" \"@path\" \"@method\");created=1", out var signatures, out var reason), reason);

        Assert.False(HttpSignatures.TryBuildSignatureBase(TestRequest(), signatures["sig"], out _, out reason));
        Assert.Contains("twice", reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("@status")]
    [InlineData("@signature-params")]
    [InlineData("Date")]
    [InlineData("")]
    public void TryBuildSignatureBase_UnsupportedComponent_False(string component)
    {
        var parameters = new SignatureParameters([component], 1, null, null, null);

        Assert.False(HttpSignatures.TryBuildSignatureBase(TestRequest(), parameters, out _, out _));
    }

    [Theory]
    [InlineData("a\r\nb")]
    [InlineData("a\nb")]
    [InlineData("a\0b")]
    [InlineData("caf\u00e9")]
    public void TryBuildSignatureBase_HeaderValueWithControlOrNonAscii_False(string value)
    {
        Assert.True(SignatureRequest.TryCreate("GET", "https", "example.com", "/", [new("x-h", value)], out var request, out var reason), reason);

        Assert.False(HttpSignatures.TryBuildSignatureBase(request, new SignatureParameters(["x-h"], 1, null, null, null), out _, out _));
    }

    [Fact]
    public void TryBuildSignatureBase_NonAsciiParameter_False()
    {
        var parameters = new SignatureParameters(["@method"], 1, Nonce: "n\u00f6nce", KeyId: null, Alg: null);

        Assert.False(HttpSignatures.TryBuildSignatureBase(TestRequest(), parameters, out _, out _));
        Assert.Throws<InvalidOperationException>(() => parameters.Serialize());
    }

    [Fact]
    public void TryBuildSignatureBase_AllDerivedComponentsAndRepeatedHeader_OneLineEach()
    {
        Assert.True(SignatureRequest.TryCreate(
            "GET", "HTTPS", "Node.Example:8443", "/a%20b/c?x=1&y=%2F",
            [new("Accept", " text/plain "), new("accept", "application/json\t")],
            out var request, out var reason), reason);
        var parameters = new SignatureParameters(
            ["@method", "@target-uri", "@authority", "@scheme", "@request-target", "@path", "@query", "accept"], 1700000000,
            Nonce: "abc\"q\\", KeyId: null, Alg: null, Tag: "t", Expires: 1700000300);

        var expected = string.Join('\n',
            "\"@method\": GET",
            "\"@target-uri\": https://node.example:8443/a%20b/c?x=1&y=%2F",
            "\"@authority\": node.example:8443",
            "\"@scheme\": https",
            "\"@request-target\": /a%20b/c?x=1&y=%2F",
            "\"@path\": /a%20b/c",
            "\"@query\": ?x=1&y=%2F",
            "\"accept\": text/plain, application/json",
            "\"@signature-params\": (\"@method\" \"@target-uri\" \"@authority\" \"@scheme\" \"@request-target\" \"@path\" \"@query\" \"accept\");created=1700000000;expires=1700000300;nonce=\"abc\\\"q\\\\\";tag=\"t\"");
        Assert.Equal(expected, HttpSignatures.BuildSignatureBase(request, parameters));
    }

    [Theory]
    [InlineData("https", "Example.COM:443", "example.com")]
    [InlineData("http", "example.com:80", "example.com")]
    [InlineData("http", "example.com:443", "example.com:443")]
    [InlineData("https", "example.com:8443", "example.com:8443")]
    [InlineData("https", "example.com:", "example.com")]
    [InlineData("http", "[::1]:8080", "[::1]:8080")]
    [InlineData("https", "[::1]:443", "[::1]")]
    [InlineData("http", "127.0.0.1:080", "127.0.0.1")]
    public void TryCreate_Authority_LowercaseWithoutDefaultPort(string scheme, string authority, string expected)
    {
        Assert.True(SignatureRequest.TryCreate("GET", scheme, authority, "/", [], out var request, out var reason), reason);

        Assert.Equal(expected, request.Authority);
    }

    [Theory]
    [InlineData("GET", "https", "user@example.com", "/")]
    [InlineData("GET", "https", "example.com:99999", "/")]
    [InlineData("GET", "https", "example.com:8o", "/")]
    [InlineData("GET", "https", "a:1:2", "/")]
    [InlineData("GET", "https", "", "/")]
    [InlineData("GET", "https", "example.com", "*")]
    [InlineData("GET", "https", "example.com", "http://example.com/")]
    [InlineData("GET", "https", "example.com", "/a b")]
    [InlineData("GET", "https", "example.com", "/a#frag")]
    [InlineData("GET", "https", "example.com", "")]
    [InlineData("GE T", "https", "example.com", "/")]
    [InlineData("", "https", "example.com", "/")]
    [InlineData("GET", "1http", "example.com", "/")]
    public void TryCreate_MalformedPart_FalseWithReason(string method, string scheme, string authority, string requestTarget)
    {
        Assert.False(SignatureRequest.TryCreate(method, scheme, authority, requestTarget, [], out var request, out var reason));
        Assert.Null(request);
        Assert.NotNull(reason);
    }

    [Fact]
    public void TryCreate_NoQuery_QueryIsQuestionMarkAndTargetHasNone()
    {
        Assert.True(SignatureRequest.TryCreate("GET", "https", "example.com", "/api/v1/health", [], out var request, out var reason), reason);

        Assert.Equal("?", request.Query);
        Assert.Equal("/api/v1/health", request.RequestTarget);
        Assert.Equal("https://example.com/api/v1/health", request.TargetUri);
        Assert.False(request.TryGetHeader("host", out _));
    }

    [Fact]
    public void FromUri_AbsoluteUri_MatchesWhatTheClientSends()
    {
        var request = SignatureRequest.FromUri("PUT", new Uri("HTTPS://Node.Example:8443/files/a%20b?x=1"), [new("Content-Digest", "sha-256=:AAAA:")]);

        Assert.Equal(("PUT", "https", "node.example:8443", "/files/a%20b", "?x=1"), (request.Method, request.Scheme, request.Authority, request.Path, request.Query));
        Assert.True(request.TryGetHeader("content-digest", out var digest));
        Assert.Equal("sha-256=:AAAA:", digest);
        Assert.Equal("/", SignatureRequest.FromUri("GET", new Uri("http://example.com:80"), []).RequestTarget);
        Assert.Throws<ArgumentException>(() => SignatureRequest.FromUri("GET", new Uri("/relative", UriKind.Relative), []));
    }

    [Fact]
    public void GreyOsSignature_SignedByClient_VerifiesOnNodeAfterParsing()
    {
        var seed = RandomNumberGenerator.GetBytes(Ed25519Signer.PrivateKeySeedSize);
        Assert.True(Ed25519Signer.TryGetPublicKey(seed, out var publicKey));
        var body = Encoding.UTF8.GetBytes("{\"name\":\"demo\"}");
        var digest = ContentDigest.Create(body);
        var clientRequest = SignatureRequest.FromUri("POST", new Uri("https://node.example/api/v1/processes"), [new(ContentDigest.HeaderName, digest)]);
        var parameters = new SignatureParameters(
            ["@method", "@authority", "@path", "@query", "content-digest"], 1763834400,
            Nonce: "0123456789abcdef0123", KeyId: "ses_abc", Alg: "ed25519");
        Assert.True(Ed25519Signer.TrySign(seed, Encoding.UTF8.GetBytes(HttpSignatures.BuildSignatureBase(clientRequest, parameters)), out var signature));
        var signatureInput = HttpSignatures.FormatSignatureInput("greyos", parameters);
        var signatureHeader = HttpSignatures.FormatSignature("greyos", signature);

        Assert.Equal(
            "greyos=(\"@method\" \"@authority\" \"@path\" \"@query\" \"content-digest\");created=1763834400;nonce=\"0123456789abcdef0123\";keyid=\"ses_abc\";alg=\"ed25519\"",
            signatureInput);
        Assert.True(SignatureRequest.TryCreate(
            "POST", "https", "NODE.example:443", "/api/v1/processes",
            [new("content-digest", digest), new("Signature-Input", signatureInput), new("Signature", signatureHeader)],
            out var nodeRequest, out var reason), reason);
        Assert.True(nodeRequest.TryGetHeader(HttpSignatures.SignatureInputHeaderName, out var receivedInput));
        Assert.True(nodeRequest.TryGetHeader(HttpSignatures.SignatureHeaderName, out var receivedSignature));
        Assert.True(HttpSignatures.TryParseSignatureInput(receivedInput, out var inputs, out reason), reason);
        Assert.True(HttpSignatures.TryParseSignature(receivedSignature, out var signatures, out reason), reason);
        Assert.True(HttpSignatures.TryBuildSignatureBase(nodeRequest, inputs["greyos"], out var nodeBase, out reason), reason);
        Assert.True(Ed25519Signer.Verify(publicKey, Encoding.UTF8.GetBytes(nodeBase), signatures["greyos"]));
        Assert.True(nodeRequest.TryGetHeader(ContentDigest.HeaderName, out var receivedDigest));
        Assert.True(ContentDigest.Verify(receivedDigest, body, out reason), reason);

        var tampered = inputs["greyos"] with { KeyId = "ses_other" };
        Assert.False(Ed25519Signer.Verify(publicKey, Encoding.UTF8.GetBytes(HttpSignatures.BuildSignatureBase(nodeRequest, tampered)), signatures["greyos"]));
    }

    [Fact]
    public void ContentDigestCreate_Rfc9530HelloWorld_PublishedValue()
    {
        Assert.Equal("sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:", ContentDigest.Create(TestBody));
    }

    [Theory]
    [InlineData("sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:")]
    [InlineData("sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:")] // RFC 9421 B.2
    [InlineData("md5=:AAAA:, sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:")] // unknown algorithm ignored
    [InlineData("sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:,sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:")]
    public void ContentDigestVerify_MatchingDigest_True(string header)
    {
        Assert.True(ContentDigest.Verify(header, TestBody, out var reason), reason);
        Assert.True(ContentDigest.TryParse(header, out var digests, out reason), reason);
        Assert.NotEmpty(digests);
    }

    [Theory]
    [InlineData("sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:", "{\"hello\": \"World\"}")] // body changed
    [InlineData("sha-256=:RBNvo1WzZ4oRRq0W9+hknpT7T8If536DEMBg9hyq/4o=:", "{\"hello\": \"world\"}")] // sha-256 of "{}"
    [InlineData("sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:, sha-512=:AAAA:", "{\"hello\": \"world\"}")] // one of two wrong
    [InlineData("md5=:AAAA:", "{\"hello\": \"world\"}")] // no recognized algorithm
    [InlineData("SHA-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:", "{\"hello\": \"world\"}")] // keys are lowercase
    [InlineData("sha-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=", "{\"hello\": \"world\"}")] // Digest (RFC 3230) syntax
    [InlineData("", "{\"hello\": \"world\"}")]
    [InlineData(null, "{\"hello\": \"world\"}")]
    public void ContentDigestVerify_MismatchOrMalformed_False(string? header, string body)
    {
        Assert.False(ContentDigest.Verify(header, Encoding.UTF8.GetBytes(body), out var reason));
        Assert.False(string.IsNullOrWhiteSpace(reason));
    }

    private static SignatureRequest TestRequest() =>
        SignatureRequest.TryCreate("POST", "https", "example.com", "/foo?param=Value&Pet=dog", TestRequestHeaders, out var request, out var reason)
            ? request
            : throw new InvalidOperationException(reason);
}
