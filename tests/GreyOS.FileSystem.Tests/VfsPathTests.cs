using GreyOS.Abstractions.Errors;
using GreyOS.Abstractions.FileSystem;

namespace GreyOS.FileSystem.Tests;

public sealed class VfsPathTests
{
    private static readonly string LongName = new('n', VfsPath.MaxNameBytes);

    private static VfsPath P(string text) => VfsPath.Parse(text).Value;

    private static GreyError Refused(Result<VfsPath> result)
    {
        Assert.False(result.IsSuccess, $"expected a refusal, got '{(result.IsSuccess ? result.Value.Value : "")}'");
        Assert.Equal(ErrorKind.Invalid, result.Error.Kind);
        Assert.Equal(ErrorCodes.InvalidPath, result.Error.Code);
        return result.Error;
    }

    private static GreyError Refused(Result<string> result)
    {
        Assert.False(result.IsSuccess, $"expected a refusal, got '{(result.IsSuccess ? result.Value : "")}'");
        Assert.Equal(ErrorCodes.InvalidPath, result.Error.Code);
        return result.Error;
    }

    [Theory]
    [InlineData(null, "required")]
    [InlineData("", "empty")]
    [InlineData("a/b", "absolute")]
    [InlineData("..", "absolute")]
    [InlineData("..\\x", "absolute")]
    [InlineData("a", "absolute")]
    [InlineData("/..", "may not be '..'")]
    [InlineData("/a/../b", "may not be '..'")]
    [InlineData("/a/..", "may not be '..'")]
    [InlineData("/.", "may not be '.'")]
    [InlineData("/a/./b", "may not be '.'")]
    [InlineData("/a\\b", "backslash")]
    [InlineData("/a/b\\", "backslash")]
    [InlineData("/a%2f..", "'%2f'")]
    [InlineData("/a%2Fb", "'%2F'")]
    [InlineData("/%2e%2e/x", "'%2e'")]
    [InlineData("/%2E", "'%2E'")]
    [InlineData("/a%5cb", "'%5c'")]
    [InlineData("/a%5C", "'%5C'")]
    [InlineData("/a%00", "'%00'")]
    [InlineData("/name.", "end with a dot")]
    [InlineData("/a/name./b", "end with a dot")]
    [InlineData("/...", "end with a dot")]
    [InlineData("/name ", "end with a space")]
    [InlineData("/   ", "only of spaces")]
    [InlineData("/ ", "only of spaces")]
    public void Parse_RefusedForm_ReturnsInvalidPathNamingTheProblem(string? text, string problem)
    {
        var error = Refused(VfsPath.Parse(text));

        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    // Control characters and lone surrogates do not survive attribute metadata: keep them in code.
    public static TheoryData<string, string> UnprintableForms => new()
    {
        { "/a\u0000b", "control characters (U+0000" },
        { "/a\u0001", "control characters (U+0001" },
        { "/a\tb", "control characters (U+0009" },
        { "/a\nb", "control characters (U+000A" },
        { "/x\u001f", "control characters (U+001F" },
        { "/x\u007f", "control characters (U+007F" },
        { "/x\u0080", "control characters (U+0080" },
        { "/x\u0085", "control characters (U+0085" },
        { "/x\u009f", "control characters (U+009F" },
        { "/\ud800", "unpaired UTF-16 surrogate (U+D800" },
        { "/\ud800/b", "unpaired UTF-16 surrogate (U+D800" },
        { "/a\udc00b", "unpaired UTF-16 surrogate (U+DC00" },
        { "/\udc00\ud800", "unpaired UTF-16 surrogate (U+DC00" },
        { "/a\ud83d", "unpaired UTF-16 surrogate (U+D83D" },
    };

    [Theory]
    [MemberData(nameof(UnprintableForms), DisableDiscoveryEnumeration = true)]
    public void Parse_ControlCharacterOrLoneSurrogate_ReturnsInvalidPath(string text, string problem)
    {
        var error = Refused(VfsPath.Parse(text));

        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/", "/")]
    [InlineData("//", "/")]
    [InlineData("///", "/")]
    [InlineData("/a", "/a")]
    [InlineData("/a/", "/a")]
    [InlineData("//a///b/", "/a/b")]
    [InlineData("/home/alice/docs/report.txt", "/home/alice/docs/report.txt")]
    [InlineData("/a%41", "/a%41")]
    [InlineData("/100%", "/100%")]
    [InlineData("/%25/%2g/%", "/%25/%2g/%")]
    [InlineData("/.bashrc/..x/x..y/.a.b", "/.bashrc/..x/x..y/.a.b")]
    [InlineData("/ leading/a b", "/ leading/a b")]
    [InlineData("/Ünïcödé/日本語/документы/😀", "/Ünïcödé/日本語/документы/😀")]
    [InlineData("/Case/case", "/Case/case")]
    public void Parse_AcceptedForm_YieldsNormalizedValue(string text, string expected)
    {
        var result = VfsPath.Parse(text);

        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal(expected, result.Value.Value);
        Assert.Equal(expected, result.Value.ToString());
    }

    [Fact]
    public void Parse_PercentFollowedByOtherHex_KeepsItLiteral()
    {
        var path = P("/a%41");

        Assert.Equal("a%41", path.Name);
    }

    [Theory]
    [InlineData("e\u0301", "\u00e9")] // combining acute composes
    [InlineData("\u212b", "\u00c5")] // ANGSTROM SIGN is a singleton for Å
    [InlineData("A\u030a", "\u00c5")]
    [InlineData("\u1100\u1161\u11a8", "\uac01")] // Hangul jamo L V T compose to a syllable
    [InlineData("a\u0307\u0323", "\u1ea1\u0307")] // marks reorder by combining class, then compose
    [InlineData("\u0958", "\u0915\u093c")] // composition exclusion stays decomposed
    [InlineData("\uf900", "\u8c48")] // CJK compatibility ideograph
    [InlineData("\U0001D15E", "\U0001D157\U0001D165")] // excluded supplementary composite
    [InlineData("\u00e9", "\u00e9")]
    [InlineData("\u1e9b\u0323", "\u1e9b\u0323")]
    public void Parse_NonNfcName_StoresNfc(string name, string nfc)
    {
        var path = P("/x/" + name);

        Assert.Equal("/x/" + nfc, path.Value);
        Assert.Equal(nfc, path.Name);
        Assert.Equal(nfc, path.Segments[1]);
    }

    [Fact]
    public void Parse_CanonicallyEquivalentSpellings_AreEqual()
    {
        var decomposed = P("/caf\u0065\u0301/r\u0065\u0301sum\u0065\u0301");
        var composed = P("/caf\u00e9/r\u00e9sum\u00e9");

        Assert.Equal(composed, decomposed);
        Assert.Equal(composed.GetHashCode(), decomposed.GetHashCode());
    }

    [Fact]
    public void Parse_NameOf255Bytes_IsAccepted()
    {
        Assert.True(VfsPath.Parse("/" + LongName).IsSuccess);
        Assert.True(VfsPath.Parse("/" + string.Concat(Enumerable.Repeat("€", 85))).IsSuccess); // 85 × 3 bytes
        Assert.True(VfsPath.Parse("/" + string.Concat(Enumerable.Repeat("😀", 63)) + "abc").IsSuccess); // 63 × 4 + 3
    }

    [Theory]
    [InlineData(256, 0)]
    [InlineData(1, 85)] // 1 + 85 × 3 = 256 bytes
    [InlineData(0, 86)]
    public void Parse_NameOver255Bytes_IsRefused(int asciiLength, int euroSigns)
    {
        var error = Refused(VfsPath.Parse("/a/" + new string('n', asciiLength) + new string('€', euroSigns)));

        Assert.Contains("longer than 255 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NameLimit_AppliesToTheNfcForm()
    {
        // 127 × "e" + U+0301 is 381 bytes as sent but 254 bytes once composed.
        var path = P("/" + string.Concat(Enumerable.Repeat("e\u0301", 127)));

        Assert.Equal(new string('\u00e9', 127), path.Name);
    }

    [Fact]
    public void Parse_PathOf4096Bytes_IsAccepted()
    {
        var text = string.Concat(Enumerable.Repeat("/" + LongName, 16)); // 16 × 256 bytes

        var result = VfsPath.Parse(text);

        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal(VfsPath.MaxPathBytes, result.Value.Value.Length);
    }

    [Fact]
    public void Parse_PathOver4096Bytes_IsRefused()
    {
        var text = string.Concat(Enumerable.Repeat("/" + LongName, 15)) + "/" + new string('m', 254) + "/x"; // 4097 bytes

        var error = Refused(VfsPath.Parse(text));

        Assert.Contains("longer than 4096 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_RedundantSlashes_DoNotCountTowardsTheLimit()
    {
        var text = string.Concat(Enumerable.Repeat("//" + LongName, 16)) + "/"; // 4113 characters, 4096 once collapsed

        Assert.True(VfsPath.Parse(text).IsSuccess);
    }

    [Fact]
    public void Parse_HugeText_IsRefusedWithoutScanningIt()
    {
        var error = Refused(VfsPath.Parse("/" + new string('a', VfsPath.MaxTextLength)));

        Assert.Contains("longer than", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_64Segments_IsAccepted()
    {
        var path = P(string.Concat(Enumerable.Repeat("/s", 64)));

        Assert.Equal(64, path.Depth);
    }

    [Fact]
    public void Parse_65Segments_IsRefused()
    {
        var error = Refused(VfsPath.Parse(string.Concat(Enumerable.Repeat("/s", 65))));

        Assert.Contains("more than 64 segments", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(200, ".")]
    [InlineData(200, " ")]
    [InlineData(300, "")]
    public void Parse_LongBadName_EchoesAtMost64Characters(int length, string suffix)
    {
        var error = Refused(VfsPath.Parse("/" + new string('q', length) + suffix));

        Assert.DoesNotContain(new string('q', 65), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Root_Members_DescribeTheRoot()
    {
        var root = VfsPath.Root;

        Assert.Equal("/", root.Value);
        Assert.True(root.IsRoot);
        Assert.Equal("", root.Name);
        Assert.Equal(0, root.Depth);
        Assert.Empty(root.Segments);
        Assert.Equal(root, root.Parent);
        Assert.Equal(root, default);
        Assert.Equal(root, P("/"));
        Assert.Equal("/", root.ToString());
    }

    [Fact]
    public void Members_NestedPath_DescribeItsSegments()
    {
        var path = P("/home/alice/notes.txt");

        Assert.False(path.IsRoot);
        Assert.Equal("notes.txt", path.Name);
        Assert.Equal(3, path.Depth);
        Assert.Equal(["home", "alice", "notes.txt"], path.Segments);
    }

    [Fact]
    public void Parent_NestedPath_DropsTheLastSegment()
    {
        var path = P("/home/alice/notes.txt");

        var parent = path.Parent;

        Assert.Equal("/home/alice", parent.Value);
        Assert.Equal("alice", parent.Name);
        Assert.Equal(2, parent.Depth);
        Assert.Equal(["home", "alice"], parent.Segments);
        Assert.Equal(P("/home/alice"), parent);
        Assert.Equal(P("/home"), parent.Parent);
        Assert.Equal(VfsPath.Root, parent.Parent.Parent);
        Assert.Equal(VfsPath.Root, P("/a").Parent);
    }

    [Fact]
    public void Segments_OfParent_HideTheChildSegment()
    {
        var parent = P("/a/b/c").Parent;

        Assert.Equal(["a", "b"], parent.Segments);
        Assert.Throws<ArgumentOutOfRangeException>(() => parent.Segments[2]);
    }

    [Fact]
    public void Segments_CannotBeMutatedThroughACast()
    {
        var path = P("/a/b");

        Assert.False(path.Segments is string[]);
        Assert.False(path.Segments is IList<string>);
    }

    [Fact]
    public void Combine_ValidName_AppendsOneSegment()
    {
        Assert.Equal(P("/a"), VfsPath.Root.Combine("a").Value);
        Assert.Equal("/home/alice", P("/home").Combine("alice").Value.Value);
        Assert.Equal(["home", "alice"], P("/home").Combine("alice").Value.Segments);
        Assert.Equal("/x/\u00e9", P("/x").Combine("e\u0301").Value.Value);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("a/b", "'/'")]
    [InlineData("/", "'/'")]
    [InlineData("..", "may not be '..'")]
    [InlineData(".", "may not be '.'")]
    [InlineData("a\\b", "backslash")]
    [InlineData("a%2f", "'%2f'")]
    [InlineData("a.", "end with a dot")]
    [InlineData("a ", "end with a space")]
    public void Combine_InvalidName_ReturnsInvalidPath(string name, string problem)
    {
        var error = Refused(P("/home").Combine(name));

        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Combine_BeyondTheLimits_ReturnsInvalidPath()
    {
        var deep = P(string.Concat(Enumerable.Repeat("/s", 64)));
        var near = P(string.Concat(Enumerable.Repeat("/" + LongName, 15)) + "/x"); // 15 × 256 + 2 = 3842 bytes

        Assert.Contains("64 segments", Refused(deep.Combine("x")).Message, StringComparison.Ordinal);
        Assert.Contains("4096 bytes", Refused(near.Combine(new string('m', 254))).Message, StringComparison.Ordinal);
        Assert.Equal(VfsPath.MaxPathBytes, near.Combine(new string('m', 253)).Value.Value.Length);
    }

    [Theory]
    [InlineData("/home/alice", "/home", true)]
    [InlineData("/home/alice/docs", "/home", true)]
    [InlineData("/home", "/home", true)]
    [InlineData("/homework", "/home", false)]
    [InlineData("/homework/x", "/home", false)]
    [InlineData("/home", "/home/alice", false)]
    [InlineData("/Home/alice", "/home", false)]
    [InlineData("/a", "/", true)]
    [InlineData("/", "/", true)]
    [InlineData("/", "/a", false)]
    public void IsSameOrUnder_Ancestor_ComparesSegmentWise(string path, string ancestor, bool expected)
    {
        Assert.Equal(expected, P(path).IsSameOrUnder(P(ancestor)));
    }

    [Theory]
    [InlineData("/home/alice/docs", "/home", true, "alice/docs")]
    [InlineData("/home/alice", "/home/alice", true, "")]
    [InlineData("/a/b", "/", true, "a/b")]
    [InlineData("/", "/", true, "")]
    [InlineData("/homework/x", "/home", false, "")]
    [InlineData("/home", "/home/alice", false, "")]
    public void TryGetRelativeTo_Ancestor_YieldsTheRest(string path, string ancestor, bool expected, string relative)
    {
        var found = P(path).TryGetRelativeTo(P(ancestor), out var actual);

        Assert.Equal(expected, found);
        Assert.Equal(relative, actual);
    }

    [Fact]
    public void Equality_IsOrdinalOnTheNormalizedValue()
    {
        Assert.Equal(P("/a/b"), P("//a//b/"));
        Assert.True(P("/a/b") == P("/a/b/"));
        Assert.True(P("/a") != P("/A"));
        Assert.False(P("/a").Equals((object)"/a"));
        Assert.True(P("/a").Equals((object)P("/a")));
        Assert.Equal(2, new HashSet<VfsPath> { P("/a"), P("/a/"), P("/A") }.Count);
    }

    [Theory]
    [InlineData("a", "a")]
    [InlineData("notes.txt", "notes.txt")]
    [InlineData("e\u0301", "\u00e9")]
    [InlineData("a%41", "a%41")]
    [InlineData(".hidden", ".hidden")]
    public void ValidateName_ValidName_ReturnsItsNfcForm(string name, string expected)
    {
        var result = VfsPath.ValidateName(name);

        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal(expected, result.Value);
    }

    [Theory]
    [InlineData(null, "empty")]
    [InlineData("", "empty")]
    [InlineData("a/b", "'/'")]
    [InlineData(".", "may not be '.'")]
    [InlineData("..", "may not be '..'")]
    [InlineData("a\\b", "backslash")]
    [InlineData("%2e%2e", "'%2e'")]
    [InlineData("a.", "end with a dot")]
    [InlineData("a ", "end with a space")]
    [InlineData("   ", "only of spaces")]
    public void ValidateName_InvalidName_ReturnsInvalidPath(string? name, string problem)
    {
        var error = Refused(VfsPath.ValidateName(name));

        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateName_ControlCharacterOrLoneSurrogate_ReturnsInvalidPath()
    {
        Assert.Contains("control", Refused(VfsPath.ValidateName("a\u0000")).Message, StringComparison.Ordinal);
        Assert.Contains("surrogate", Refused(VfsPath.ValidateName("a\udfff")).Message, StringComparison.Ordinal);
        Assert.Contains("255 bytes", Refused(VfsPath.ValidateName(LongName + "n")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TypicalPath_AllocatesOnlyTheSegments()
    {
        const string text = "/home/alice/documents/2024/report.txt";
        for (var i = 0; i < 10; i++)
        {
            _ = VfsPath.Parse(text);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        var path = VfsPath.Parse(text).Value;
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // Canonical text is kept as the value: only the 5 names, their array and its read-only view are new.
        Assert.Same(text, path.Value);
        Assert.InRange(allocated, 1, 400);
    }
}
