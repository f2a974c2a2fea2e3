using System.Collections;
using System.Text;
using GreyOS.Abstractions.Errors;

namespace GreyOS.Abstractions.FileSystem;

/// <summary>
/// A virtual-file-system path, validated and normalized: the one place where path text from outside
/// (HTTP, WebDAV, CLI, syscalls, WASI) becomes a path. Absolute and <c>/</c>-separated; repeated and
/// trailing <c>/</c> collapse; every name is NFC. <c>.</c> and <c>..</c> are refused, never resolved,
/// so no path can climb out of a folder or a mount. Names compare ordinally (case-sensitive).
/// </summary>
/// <remarks>
/// Refused with <see cref="ErrorCodes.InvalidPath"/>: relative paths, <c>.</c> and <c>..</c>
/// segments, backslashes, control characters (C0, DEL, C1), percent-escapes of a separator, dot or NUL
/// that survived URL decoding (<c>%2F %5C %2E %00</c>, any case; other <c>%</c> are plain characters),
/// unpaired UTF-16 surrogates (not valid UTF-8), names over <see cref="MaxNameBytes"/> UTF-8 bytes,
/// paths over <see cref="MaxPathBytes"/> UTF-8 bytes or <see cref="MaxSegments"/> segments, names
/// ending in a space or a dot, and names of spaces only. The limits apply to the normalized path.
/// <c>default(VfsPath)</c> is the root.
/// </remarks>
public readonly struct VfsPath : IEquatable<VfsPath>
{
    /// <summary>The most UTF-8 bytes in one name.</summary>
    public const int MaxNameBytes = 255;

    /// <summary>The most UTF-8 bytes in a whole path (its <see cref="Value"/>).</summary>
    public const int MaxPathBytes = 4096;

    /// <summary>The most segments (names) in a path.</summary>
    public const int MaxSegments = 64;

    /// <summary>
    /// The longest text <see cref="Parse"/> reads, in UTF-16 code units: far more than any path within
    /// <see cref="MaxPathBytes"/> needs even with redundant slashes, so the work per call stays bounded.
    /// </summary>
    public const int MaxTextLength = 4 * MaxPathBytes;

    private const int MaxEchoedChars = 64;

    private readonly string? _value;
    private readonly SegmentList? _segments;

    private VfsPath(string value, SegmentList segments)
    {
        _value = value;
        _segments = segments;
    }

    /// <summary>The root, <c>/</c> (also <c>default(VfsPath)</c>).</summary>
    public static VfsPath Root => default;

    /// <summary>The normalized path: <c>/</c> for the root, otherwise <c>/name/…/name</c> with no trailing slash.</summary>
    public string Value => _value ?? "/";

    /// <summary>True for <c>/</c>.</summary>
    public bool IsRoot => _segments is null;

    /// <summary>The last segment; empty for the root.</summary>
    public string Name => _segments is null ? "" : _segments[_segments.Count - 1];

    /// <summary>The path without its last segment; the root's parent is the root.</summary>
    public VfsPath Parent =>
        _value is null || _segments is not { Count: > 1 } segments
            ? Root
            : new VfsPath(_value[.._value.LastIndexOf('/')], segments.WithoutLast());

    /// <summary>The names from the root down; empty for the root.</summary>
    public IReadOnlyList<string> Segments => _segments ?? (IReadOnlyList<string>)[];

    /// <summary>The number of segments: 0 for the root, 1 for <c>/a</c>.</summary>
    public int Depth => _segments?.Count ?? 0;

    /// <summary>Validates and normalizes path text.</summary>
    /// <returns>The path, or an <see cref="ErrorCodes.InvalidPath"/> error whose message names the problem.</returns>
    public static Result<VfsPath> Parse(string? text)
    {
        if (text is null)
        {
            return Invalid("a path is required");
        }

        if (text.Length == 0)
        {
            return Invalid("a path may not be empty");
        }

        if (text[0] != '/')
        {
            return Invalid("a path must be absolute (start with '/')");
        }

        if (text.Length > MaxTextLength)
        {
            return Invalid($"a path text may not be longer than {MaxTextLength} characters");
        }

        if (FindForbiddenCharacter(text, "a path") is { } forbidden)
        {
            return Invalid(forbidden);
        }

        // Count the names, and see whether the text is already in normal form (no "//", no trailing "/").
        var count = 0;
        var canonical = text.Length == 1 || text[^1] != '/';
        for (var i = 1; i < text.Length; i++)
        {
            if (text[i] != '/')
            {
                if (text[i - 1] == '/')
                {
                    count++;
                }
            }
            else if (text[i - 1] == '/')
            {
                canonical = false;
            }
        }

        if (count == 0)
        {
            return Root;
        }

        if (count > MaxSegments)
        {
            return Invalid($"a path may not have more than {MaxSegments} segments (this one has {count})");
        }

        var segments = new string[count];
        var pathBytes = 0;
        var start = 0;
        for (var index = 0; index < count; index++)
        {
            while (text[start] == '/')
            {
                start++;
            }

            var end = text.IndexOf('/', start);
            if (end < 0)
            {
                end = text.Length;
            }

            if (NormalizeName(text, start, end - start, "a path segment", out var name, out var nameBytes) is { } problem)
            {
                return Invalid(problem);
            }

            canonical &= name.Length == end - start && text.AsSpan(start, end - start).SequenceEqual(name);
            pathBytes += 1 + nameBytes;
            if (pathBytes > MaxPathBytes)
            {
                return Invalid($"a path may not be longer than {MaxPathBytes} bytes in UTF-8");
            }

            segments[index] = name;
            start = end;
        }

        return new VfsPath(canonical ? text : Join(segments), new SegmentList(segments, count));
    }

    /// <summary>Validates and normalizes a single name (one path segment, no <c>/</c>).</summary>
    /// <returns>The NFC name, or an <see cref="ErrorCodes.InvalidPath"/> error whose message names the problem.</returns>
    public static Result<string> ValidateName(string? name)
    {
        if (CheckName(name, out var normalized, out _) is { } problem)
        {
            return Invalid(problem);
        }

        return normalized;
    }

    /// <summary>This path with one more segment; <paramref name="childName"/> is validated like <see cref="ValidateName"/>.</summary>
    public Result<VfsPath> Combine(string childName)
    {
        if (CheckName(childName, out var name, out var nameBytes) is { } problem)
        {
            return Invalid(problem);
        }

        var depth = Depth;
        if (depth >= MaxSegments)
        {
            return Invalid($"a path may not have more than {MaxSegments} segments");
        }

        var pathBytes = (_value is null ? 0 : Encoding.UTF8.GetByteCount(_value)) + 1 + nameBytes;
        if (pathBytes > MaxPathBytes)
        {
            return Invalid($"a path may not be longer than {MaxPathBytes} bytes in UTF-8");
        }

        var value = _value is null ? "/" + name : string.Concat(_value, "/", name);
        var segments = new string[depth + 1];
        _segments?.CopyTo(segments);
        segments[depth] = name;
        return new VfsPath(value, new SegmentList(segments, depth + 1));
    }

    /// <summary>
    /// True when this path is <paramref name="ancestor"/> or inside it, segment by segment:
    /// <c>/home/a</c> is under <c>/home</c>, <c>/homework</c> is not.
    /// </summary>
    public bool IsSameOrUnder(VfsPath ancestor)
    {
        if (ancestor.IsRoot)
        {
            return true;
        }

        var value = Value;
        var prefix = ancestor.Value;
        return value.StartsWith(prefix, StringComparison.Ordinal)
            && (value.Length == prefix.Length || value[prefix.Length] == '/');
    }

    /// <summary>
    /// The rest of this path below <paramref name="ancestor"/>, without a leading slash
    /// (<c>/home/a/b</c> relative to <c>/home</c> is <c>a/b</c>; a path relative to itself is empty).
    /// </summary>
    /// <returns>False (and an empty <paramref name="relative"/>) when this path is not <see cref="IsSameOrUnder"/> the ancestor.</returns>
    public bool TryGetRelativeTo(VfsPath ancestor, out string relative)
    {
        if (!IsSameOrUnder(ancestor))
        {
            relative = "";
            return false;
        }

        var value = Value;
        var skip = ancestor.IsRoot ? 1 : ancestor.Value.Length + 1;
        relative = skip >= value.Length ? "" : value[skip..];
        return true;
    }

    /// <inheritdoc/>
    public bool Equals(VfsPath other) => string.Equals(Value, other.Value, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is VfsPath other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => Value.GetHashCode(StringComparison.Ordinal);

    /// <summary>The path, as <see cref="Value"/>.</summary>
    public override string ToString() => Value;

    public static bool operator ==(VfsPath left, VfsPath right) => left.Equals(right);

    public static bool operator !=(VfsPath left, VfsPath right) => !left.Equals(right);

    private static GreyError Invalid(string message) => GreyError.Invalid(ErrorCodes.InvalidPath, message);

    private static string? CheckName(string? name, out string normalized, out int bytes)
    {
        normalized = "";
        bytes = 0;
        if (string.IsNullOrEmpty(name))
        {
            return "a name may not be empty";
        }

        if (name.Length > MaxTextLength)
        {
            return $"a name may not be longer than {MaxNameBytes} bytes in UTF-8";
        }

        if (name.Contains('/', StringComparison.Ordinal))
        {
            return "a name may not contain '/'";
        }

        return FindForbiddenCharacter(name, "a name")
            ?? NormalizeName(name, 0, name.Length, "a name", out normalized, out bytes);
    }

    /// <summary>The first character-level problem in raw text, or null. NFC cannot introduce any of these.</summary>
    private static string? FindForbiddenCharacter(ReadOnlySpan<char> text, string subject)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is > '\u001F' and < '\u007F' and not '\\' and not '%' || c is > '\u009F' and < '\uD800' or > '\uDFFF')
            {
                continue;
            }

            if (c == '\\')
            {
                return $"{subject} may not contain a backslash";
            }

            if (c == '%')
            {
                if (i + 2 < text.Length && IsEncodedSeparatorDotOrNul(text[i + 1], text[i + 2]))
                {
                    return $"{subject} may not contain the percent-escape '{text.Slice(i, 3)}' (an encoded separator, dot or NUL left after URL decoding)";
                }

                continue;
            }

            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }

            if (char.IsSurrogate(c))
            {
                return $"{subject} may not contain an unpaired UTF-16 surrogate (U+{(int)c:X4} at position {i}): it is not valid UTF-8";
            }

            return $"{subject} may not contain control characters (U+{(int)c:X4} at position {i})";
        }

        return null;
    }

    private static bool IsEncodedSeparatorDotOrNul(char high, char low) =>
        (high, low) is ('2', 'f' or 'F' or 'e' or 'E') or ('5', 'c' or 'C') or ('0', '0');

    /// <summary>NFC-normalizes one name (characters already checked) and applies the name rules.</summary>
    private static string? NormalizeName(string source, int start, int length, string subject, out string name, out int bytes)
    {
        var raw = source.AsSpan(start, length);
        name = (MayChangeUnderNfc(raw) ? NfcNormalizer.Normalize(raw) : null)
            ?? (length == source.Length ? source : source.Substring(start, length));
        bytes = Encoding.UTF8.GetByteCount(name);

        if (name is "." or "..")
        {
            return $"{subject} may not be '{name}'";
        }

        if (name.AsSpan().IndexOfAnyExcept(' ') < 0)
        {
            return $"{subject} may not consist only of spaces";
        }

        if (name[^1] == '.')
        {
            return $"{subject} may not end with a dot ('{Excerpt(name)}')";
        }

        if (name[^1] == ' ')
        {
            return $"{subject} may not end with a space ('{Excerpt(name)}')";
        }

        if (bytes > MaxNameBytes)
        {
            return $"{subject} may not be longer than {MaxNameBytes} bytes in UTF-8 (this one has {bytes}: '{Excerpt(name)}')";
        }

        return null;
    }

    /// <summary>Text below U+0300 is NFC as it is (no marks, nothing that composes).</summary>
    private static bool MayChangeUnderNfc(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (c >= '\u0300')
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>At most <see cref="MaxEchoedChars"/> characters of checked input, for a message.</summary>
    private static string Excerpt(string text)
    {
        if (text.Length <= MaxEchoedChars)
        {
            return text;
        }

        var cut = char.IsHighSurrogate(text[MaxEchoedChars - 1]) ? MaxEchoedChars - 1 : MaxEchoedChars;
        return string.Concat(text.AsSpan(0, cut), "…");
    }

    private static string Join(string[] segments)
    {
        var length = 0;
        foreach (var segment in segments)
        {
            length += 1 + segment.Length;
        }

        return string.Create(length, segments, static (span, segments) =>
        {
            var at = 0;
            foreach (var segment in segments)
            {
                span[at++] = '/';
                segment.CopyTo(span[at..]);
                at += segment.Length;
            }
        });
    }

    /// <summary>The first <c>count</c> names of a shared array, read-only (parents share their child's array).</summary>
    private sealed class SegmentList(string[] items, int count) : IReadOnlyList<string>
    {
        public int Count => count;

        public string this[int index] =>
            (uint)index < (uint)count ? items[index] : throw new ArgumentOutOfRangeException(nameof(index));

        public SegmentList WithoutLast() => new(items, count - 1);

        public void CopyTo(string[] destination) => Array.Copy(items, destination, count);

        public IEnumerator<string> GetEnumerator()
        {
            for (var i = 0; i < count; i++)
            {
                yield return items[i];
            }
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
